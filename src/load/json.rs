//! JSON values as records: the shape `list --json` writes, read back
//! exactly, naming the JSON path of any field at fault.
//!
//! A record is its fields plus the envelope `list --json` puts around
//! them (`id`, `revision`, `created_at`, `updated_at`); `show --json` adds
//! `derived`, which is computed and ignored here. Every other field must
//! be the record's own: an unknown field or value is refused, never
//! dropped (`kind` of a hearing is the hearing's kind, not an envelope).
//!
//! The record is deserialised through `serde_path_to_error`, because
//! serde_json names no field once a record is parsed from a `Value`:
//! `minutes_waited: invalid type: string "0", expected u32`, not
//! `record: invalid type…`.

use super::{AnyIncoming, Incoming, Item, LoadError};
use crate::model::{
    Case, Client, Deadline, EvidenceNote, FacilityEntry, Hearing, Incident, Kind, Record,
    ValidationError,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The fields `list --json` writes around a record's own.
pub const ENVELOPE: [&str; 4] = ["id", "revision", "created_at", "updated_at"];

/// What `show --json` adds beside a record: computed, so ignored.
const DERIVED: &str = "derived";

/// The lists of a document (the export log's shape, with hearings and
/// deadlines too), and the kind each holds.
const LISTS: [(&str, Kind); 7] = [
    ("clients", Kind::Client),
    ("cases", Kind::Case),
    ("hearings", Kind::Hearing),
    ("deadlines", Kind::Deadline),
    ("incidents", Kind::Incident),
    ("evidence", Kind::Evidence),
    ("facilities", Kind::Facility),
];

/// Top-level fields of the export log that say where it came from; a
/// document may carry them, and they are not loaded.
const ABOUT: [&str; 6] = [
    "format",
    "version",
    "generated_at",
    "profile",
    "recipients",
    "source",
];

/// One record of kind `T` from its JSON form.
pub fn record<T: Record>(value: Value) -> Result<Incoming<T>, ValidationError> {
    let Value::Object(mut map) = value else {
        return Err(ValidationError::new(
            "record",
            "is not a JSON object; a record is written {\"field\": value, …}",
        ));
    };
    map.remove(DERIVED);
    let id = take(&mut map, "id")?;
    let revision = take(&mut map, "revision")?;
    let created_at = take(&mut map, "created_at")?;
    let updated_at = take(&mut map, "updated_at")?;
    let data = serde_path_to_error::deserialize(Value::Object(map)).map_err(field_error)?;
    Ok(Incoming {
        id,
        revision,
        created_at,
        updated_at,
        data,
    })
}

fn take<D: DeserializeOwned>(
    map: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<D>, ValidationError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v)
            .map(Some)
            .map_err(|e| ValidationError::new(key, problem(&e.to_string()))),
    }
}

/// A record of `kind` from its JSON form.
pub fn any_record(kind: Kind, value: Value) -> Result<AnyIncoming, ValidationError> {
    Ok(match kind {
        Kind::Client => AnyIncoming::Client(record::<Client>(value)?),
        Kind::Case => AnyIncoming::Case(record::<Case>(value)?),
        Kind::Hearing => AnyIncoming::Hearing(record::<Hearing>(value)?),
        Kind::Deadline => AnyIncoming::Deadline(record::<Deadline>(value)?),
        Kind::Incident => AnyIncoming::Incident(record::<Incident>(value)?),
        Kind::Evidence => AnyIncoming::Evidence(record::<EvidenceNote>(value)?),
        Kind::Facility => AnyIncoming::Facility(record::<FacilityEntry>(value)?),
    })
}

/// Records of any kind from one JSON value found at `at`: a record tagged
/// with its kind (`{"incident": {…}}`, one per line in JSON Lines), or a
/// document with lists of records (`{"clients": […], "incidents": […]}`,
/// the export log's shape; its `format`, `version`, `profile`… are
/// ignored).
pub fn items(value: Value, at: &str) -> crate::Result<Vec<Item>> {
    let not_records = || {
        LoadError::at(
            at,
            ValidationError::new(
                "record",
                "is neither a record tagged with its kind ({\"incident\": {…}}) nor a document \
                 with lists of records ({\"clients\": […], \"incidents\": […]})",
            ),
        )
    };
    let Value::Object(map) = value else {
        return Err(not_records());
    };
    if map.len() == 1 {
        if let Some((key, Value::Object(_))) = map.iter().next() {
            let Some(kind) = Kind::parse(key) else {
                return Err(LoadError::at(
                    at,
                    ValidationError::new(
                        key.clone(),
                        format!(
                            "is not a kind of record; one of: {}",
                            Kind::ALL.map(Kind::as_str).join(", ")
                        ),
                    ),
                ));
            };
            let (_, v) = map.into_iter().next().ok_or_else(not_records)?;
            let record = any_record(kind, v).map_err(|e| LoadError::at(at, e))?;
            return Ok(vec![Item {
                at: at.to_owned(),
                record,
            }]);
        }
    }
    if !LISTS.iter().any(|(k, _)| map.contains_key(*k)) {
        return Err(not_records());
    }
    let mut out = Vec::new();
    for (key, value) in map {
        if ABOUT.contains(&key.as_str()) {
            continue;
        }
        let Some((_, kind)) = LISTS.iter().find(|(k, _)| *k == key) else {
            return Err(LoadError::at(
                at,
                ValidationError::new(
                    key,
                    format!(
                        "is not a list of records; the lists are {}",
                        LISTS.map(|(k, _)| k).join(", ")
                    ),
                ),
            ));
        };
        let Value::Array(records) = value else {
            return Err(LoadError::at(
                at,
                ValidationError::new(key, "must be a list of records"),
            ));
        };
        for (i, v) in records.into_iter().enumerate() {
            let here = format!("{key}[{i}]");
            let record = any_record(*kind, v).map_err(|e| LoadError::at(&here, e))?;
            out.push(Item { at: here, record });
        }
    }
    Ok(out)
}

/// The error of a record's field, named by its JSON path.
fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> ValidationError {
    let path = e.path().to_string();
    let inner = e.into_inner().to_string();
    let base = if path == "." { String::new() } else { path };
    if let Some(name) = inner
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        let field = if base.is_empty() {
            name.to_owned()
        } else {
            format!("{base}.{name}")
        };
        return ValidationError::new(field, "is required");
    }
    let field = if base.is_empty() {
        "record".to_owned()
    } else {
        base
    };
    ValidationError::new(field, problem(&inner))
}

/// The names between backticks in serde's "expected one of `a`, `b`".
fn quoted(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// serde's wording, made to name the value and list the allowed ones.
pub(crate) fn problem(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((value, allowed)) = rest.split_once('`') {
            return format!(
                "unknown value {value:?}; one of: {}",
                quoted(allowed).join(", ")
            );
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((name, allowed)) = rest.split_once('`') {
            return format!(
                "{name:?} is not a field of this record; check its spelling (fields: {})",
                quoted(allowed).join(", ")
            );
        }
    }
    if CHRONO_PARSE_ERRORS.contains(&msg) {
        return format!(
            "{msg}: write a date and time with its UTC offset, e.g. 2025-03-14T09:30:00+04:00"
        );
    }
    msg.to_owned()
}

/// What chrono says when a date-time field's text does not parse
/// (`chrono::format::ParseError`). Only fields that hold a moment reach
/// it: a field with a precision takes a day or a month through
/// `dates`, so the one form to suggest is RFC 3339 with its offset.
const CHRONO_PARSE_ERRORS: [&str; 7] = [
    "premature end of input",
    "trailing input",
    "input contains invalid characters",
    "input is out of range",
    "input is not enough for unique date and time",
    "no possible date and time matching input",
    "bad or unsupported format string",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_path_and_the_allowed_values() {
        let base = json!({
            "client_id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01", "type": "access_denied",
            "occurred": {"at": "2025-03-11T09:30:00+04:00"}, "facility": {"name": "İVS"}
        });
        let err = |patch: Value| {
            let mut v = base.clone();
            for (k, val) in patch.as_object().unwrap() {
                v[k] = val.clone();
            }
            record::<Incident>(v).unwrap_err()
        };
        let e = err(json!({"minutes_waited": "0"}));
        assert_eq!(e.field, "minutes_waited");
        let e = err(json!({"facility": {"name": "İVS", "type": "kazarma"}}));
        assert_eq!(e.field, "facility.type");
        assert!(e.problem.contains("\"kazarma\""), "{}", e.problem);
        assert!(e.problem.contains("pretrial_detention"), "{}", e.problem);
        let e = err(json!({"officials": [{"name": "A"}, {"nmae": "B"}]}));
        assert!(e.field.starts_with("officials[1]"), "{}", e.field);
        assert!(e.problem.contains("nmae"), "{}", e.problem);
        let e = err(json!({"reson_given": "x"}));
        assert!(e.to_string().contains("reson_given"), "{e}");
        let mut v = base.clone();
        v.as_object_mut().unwrap().remove("facility");
        assert_eq!(record::<Incident>(v).unwrap_err().field, "facility");
        let e = err(json!({"id": "not-a-uuid"}));
        assert_eq!(e.field, "id");
    }

    #[test]
    fn a_date_where_a_moment_is_needed_says_what_to_write() {
        // A new user wrote a day where the field holds a moment, and met
        // chrono's "premature end of input" with no hint of the form.
        let base = json!({
            "client_id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01", "type": "access_denied",
            "occurred": {"at": "2025-03-11T09:30:00+04:00"}, "facility": {"name": "İVS"}
        });
        for bad in [
            "2025-03-06",
            "2025-03-06 10:00",
            "6 March 2025",
            "2025-03-06T10:00:00+04:00x",
        ] {
            let mut v = base.clone();
            v["requested_at"] = json!(bad);
            let e = record::<Incident>(v).unwrap_err();
            assert_eq!(e.field, "requested_at", "{bad}");
            assert!(
                e.problem.contains("2025-03-14T09:30:00+04:00"),
                "{bad}: {}",
                e.problem
            );
        }
        let mut v = base.clone();
        v["requested_at"] = json!("2025-03-06T10:00:00+04:00");
        assert!(record::<Incident>(v).is_ok());
    }

    #[test]
    fn the_envelope_is_kept_and_derived_is_ignored() {
        let v = json!({
            "id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01", "revision": 3,
            "created_at": "2025-03-01T08:00:00Z", "updated_at": "2025-03-02T08:00:00Z",
            "derived": {"hours_since_arrest": 3.5},
            "full_name": "Rəşad Məmmədov", "pseudonym": "C-001"
        });
        let i = record::<Client>(v).unwrap();
        assert_eq!(i.revision, Some(3));
        assert!(i.id.is_some() && i.created_at.is_some() && i.updated_at.is_some());
        assert_eq!(i.data.full_name, "Rəşad Məmmədov");
    }
}
