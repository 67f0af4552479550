//! Reading an incident log one record at a time.
//!
//! A log of 100,000 incidents is some 150 MiB of JSON; parsed whole into
//! `serde_json::Value`s it took about ten times that. [`read_log`] walks
//! the top-level object with serde's visitors instead: each record is
//! parsed, given its placeholder name if it is a client without one,
//! turned into a [`Stored`] record, validated, and handed on before the
//! next is read, so memory holds one record whatever the log's size.
//!
//! The top-level fields may come in any order (logs written before
//! issue 14 have them sorted by name, `cases` before `clients`), so a
//! reader says which arrays of records it takes in this reading
//! ([`read_log`]'s `take`); the others are skipped unparsed, and the
//! importer reads again for them (see `super::import`). No top-level field
//! may appear twice. A wrong `format` or `version` stops the reading where
//! it appears; one that is missing, at the end.

use super::{ImportError, Result};
use crate::export::json::{FORMAT as LOG_FORMAT, VERSION as LOG_VERSION};
use crate::model::{Case, Client, EvidenceNote, Incident, Kind, Record, Stored};
use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::RefCell;
use std::io::Read;

/// One record of a log, parsed and validated. One exists at a time, moved
/// once to the merge: its size does not matter, a box per record would.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum LogRecord {
    /// A client.
    Client(Stored<Client>),
    /// A case.
    Case(Stored<Case>),
    /// An incident.
    Incident(Stored<Incident>),
    /// An evidence note.
    Evidence(Stored<EvidenceNote>),
}

/// The records of a log, ready to merge.
#[derive(Debug, Default)]
pub struct ParsedLog {
    /// Clients.
    pub clients: Vec<Stored<Client>>,
    /// Cases.
    pub cases: Vec<Stored<Case>>,
    /// Incidents.
    pub incidents: Vec<Stored<Incident>>,
    /// Evidence notes.
    pub evidence: Vec<Stored<EvidenceNote>>,
    /// The exporting vault.
    pub vault_id: String,
}

/// Parses and validates a whole incident log held in memory (tests and
/// small logs; import reads with [`read_log`]).
pub fn parse_log(bytes: &[u8]) -> Result<ParsedLog> {
    let mut log = ParsedLog::default();
    log.vault_id = read_log(bytes, &mut |_| true, &mut |r| {
        match r {
            LogRecord::Client(r) => log.clients.push(r),
            LogRecord::Case(r) => log.cases.push(r),
            LogRecord::Incident(r) => log.incidents.push(r),
            LogRecord::Evidence(r) => log.evidence.push(r),
        }
        Ok(())
    })?
    .vault_id;
    Ok(log)
}

/// Reads a log from `r`. Each array of records (numbered as in
/// [`ARRAYS`]) that `take` accepts, asked in the order they come, has
/// each record handed to `each` as soon as it is parsed and valid; the
/// others are skipped. Stops at the first error, `each`'s included.
pub(crate) fn read_log(
    r: impl Read,
    take: &mut dyn FnMut(usize) -> bool,
    each: &mut dyn FnMut(LogRecord) -> Result<()>,
) -> Result<Head> {
    let failure = RefCell::new(None);
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, r));
    let read = serde::Deserializer::deserialize_map(
        &mut de,
        Top {
            take,
            each: RefCell::new(each),
            failure: &failure,
        },
    )
    .and_then(|head| de.end().map(|()| head));
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let head = read.map_err(|e| ImportError::Log(format!("not valid JSON: {e}")))?;
    if !head.format_ok {
        return Err(ImportError::Log(format!("format must be {LOG_FORMAT:?}")));
    }
    if !head.version_ok {
        return Err(version_error());
    }
    Ok(head)
}

fn version_error() -> ImportError {
    ImportError::Log(format!(
        "version must be 1 to {LOG_VERSION}, the versions this build reads; a later one needs a later Vekil"
    ))
}

/// What the top level said about itself.
#[derive(Debug, Default)]
pub(crate) struct Head {
    format_ok: bool,
    version_ok: bool,
    /// The exporting vault (`source.vault_id`).
    pub vault_id: String,
    /// Which arrays of records the log holds, as numbered in [`ARRAYS`].
    pub arrays: [bool; 4],
}

type Each<'e> = RefCell<&'e mut dyn FnMut(LogRecord) -> Result<()>>;

/// Visits the top-level object.
struct Top<'t, 'e, 'f> {
    take: &'t mut dyn FnMut(usize) -> bool,
    each: Each<'e>,
    failure: &'f RefCell<Option<ImportError>>,
}

/// The arrays of records, each after those its records link to.
pub(crate) const ARRAYS: [&str; 4] = ["clients", "cases", "incidents", "evidence"];

impl<'de> Visitor<'de> for Top<'_, '_, '_> {
    type Value = Head;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object (an incident log)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Head, A::Error> {
        let mut head = Head::default();
        let mut seen: Vec<String> = vec![];
        let stop = |e: ImportError| {
            let text = e.to_string();
            *self.failure.borrow_mut() = Some(e);
            A::Error::custom(text)
        };
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(stop(ImportError::Log(format!(
                    "the field {key:?} appears twice"
                ))));
            }
            seen.push(key.clone());
            match key.as_str() {
                "format" => {
                    let v: Value = map.next_value()?;
                    head.format_ok = v.as_str() == Some(LOG_FORMAT);
                    if !head.format_ok {
                        return Err(stop(ImportError::Log(format!(
                            "format must be {LOG_FORMAT:?}"
                        ))));
                    }
                }
                "version" => {
                    let v: Value = map.next_value()?;
                    // Version 1 differs only in how evidence names its
                    // incident, which the record itself reads either way.
                    head.version_ok = v
                        .as_u64()
                        .is_some_and(|n| (1..=u64::from(LOG_VERSION)).contains(&n));
                    if !head.version_ok {
                        return Err(stop(version_error()));
                    }
                }
                "source" => {
                    let v: Value = map.next_value()?;
                    head.vault_id = v
                        .get("vault_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                }
                k => match ARRAYS.iter().position(|a| *a == k) {
                    Some(n) => {
                        head.arrays[n] = true;
                        if !(self.take)(n) {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                        let seed = Records {
                            key: ARRAYS[n],
                            each: &self.each,
                            failure: self.failure,
                        };
                        match n {
                            0 => map.next_value_seed(RecordsOf::<Client>::new(seed))?,
                            1 => map.next_value_seed(RecordsOf::<Case>::new(seed))?,
                            2 => map.next_value_seed(RecordsOf::<Incident>::new(seed))?,
                            _ => map.next_value_seed(RecordsOf::<EvidenceNote>::new(seed))?,
                        }
                    }
                    None => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(head)
    }
}

/// Where the records of one array go.
struct Records<'a, 'e, 'f> {
    key: &'static str,
    each: &'a Each<'e>,
    failure: &'f RefCell<Option<ImportError>>,
}

/// Reads one array of records of kind `T`.
struct RecordsOf<'a, 'e, 'f, T> {
    to: Records<'a, 'e, 'f>,
    kind: std::marker::PhantomData<T>,
}

impl<'a, 'e, 'f, T> RecordsOf<'a, 'e, 'f, T> {
    fn new(to: Records<'a, 'e, 'f>) -> Self {
        Self {
            to,
            kind: std::marker::PhantomData,
        }
    }
}

/// Wraps a record of kind `T` as a [`LogRecord`].
trait Wrap: Record + Sized {
    fn wrap(r: Stored<Self>) -> LogRecord;
}

impl Wrap for Client {
    fn wrap(r: Stored<Self>) -> LogRecord {
        LogRecord::Client(r)
    }
}

impl Wrap for Case {
    fn wrap(r: Stored<Self>) -> LogRecord {
        LogRecord::Case(r)
    }
}

impl Wrap for Incident {
    fn wrap(r: Stored<Self>) -> LogRecord {
        LogRecord::Incident(r)
    }
}

impl Wrap for EvidenceNote {
    fn wrap(r: Stored<Self>) -> LogRecord {
        LogRecord::Evidence(r)
    }
}

impl<'de, T: Wrap> DeserializeSeed<'de> for RecordsOf<'_, '_, '_, T> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Wrap> Visitor<'de> for RecordsOf<'_, '_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} to be an array", self.to.key)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let key = self.to.key;
        let mut i = 0usize;
        loop {
            // Clients may lack a name, which is put in first (`record`);
            // every other record is read straight into its type, without
            // a JSON value in between (most of a log; the value was a
            // fifth of a re-import's time).
            let read = if T::KIND == Kind::Client {
                seq.next_element::<Value>()
                    .map(|item| item.map(|item| record::<T>(key, i, item)))
            } else {
                seq.next_element::<Stored<T>>().map(|r| {
                    r.map(|r| {
                        let id = r.id;
                        validated(r)
                            .map_err(|e| ImportError::Log(format!("{key}[{i}] (id {id}): {e}")))
                    })
                })
            };
            let record = match read {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e) => {
                    *self.to.failure.borrow_mut() =
                        Some(ImportError::Log(format!("{key}[{i}]: {e}")));
                    return Err(e);
                }
            };
            let handed = record.and_then(|r| (self.to.each.borrow_mut())(T::wrap(r)));
            if let Err(e) = handed {
                let text = e.to_string();
                *self.to.failure.borrow_mut() = Some(e);
                return Err(A::Error::custom(text));
            }
            i += 1;
        }
    }
}

/// One record of array `key` at index `i`, as the vault stores it.
fn record<T: Record>(key: &str, i: usize, mut item: Value) -> Result<Stored<T>> {
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("?")
        .to_owned();
    if T::KIND == Kind::Client {
        // NGO and public logs carry clients by pseudonym only; the vault
        // needs a name, so it gets an explicit placeholder.
        if let Value::Object(m) = &mut item {
            if !m.contains_key("full_name") {
                let p = m
                    .get("pseudonym")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                m.insert(
                    "full_name".into(),
                    Value::String(format!("(withheld: {p})")),
                );
            }
        }
    }
    let rec: Stored<T> = serde_json::from_value(item)
        .map_err(|e| ImportError::Log(format!("{key}[{i}] (id {id}): {e}")))?;
    validated(rec).map_err(|e| ImportError::Log(format!("{key}[{i}] (id {id}): {e}")))
}

/// The record, if its data is valid.
fn validated<T: Record>(
    rec: Stored<T>,
) -> std::result::Result<Stored<T>, crate::model::ValidationError> {
    crate::model::Validate::validate(&rec.data)?;
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(rest: &str) -> String {
        format!(
            r#"{{"format":"{LOG_FORMAT}","version":{LOG_VERSION},"source":{{"vault_id":"v"}}{rest}}}"#
        )
    }

    fn err(text: &str) -> String {
        match parse_log(text.as_bytes()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{text} was accepted"),
        }
    }

    #[test]
    fn an_empty_log_reads() {
        let log = parse_log(head("").as_bytes()).expect("log");
        assert_eq!(log.vault_id, "v");
        assert!(log.incidents.is_empty());
    }

    #[test]
    fn fields_in_any_order_are_read_and_untaken_arrays_skipped() {
        let text = format!(
            r#"{{"cases":[],"clients":[{{"x":1}}],"format":"{LOG_FORMAT}","version":{LOG_VERSION}}}"#
        );
        // The client is not valid, but this reading does not take clients.
        let mut asked = vec![];
        let head = read_log(
            text.as_bytes(),
            &mut |n| {
                asked.push(n);
                n != 0
            },
            &mut |_| Ok(()),
        )
        .expect("log");
        assert_eq!(asked, vec![1, 0]);
        assert_eq!(head.arrays, [true, true, false, false]);
        assert!(err(&text).contains("clients[0]"));
    }

    #[test]
    fn a_field_twice_is_refused() {
        assert!(err(&head(r#","cases":[],"cases":[]"#)).contains("twice"));
    }

    #[test]
    fn a_wrong_version_or_format_is_refused() {
        for wrong in [0, LOG_VERSION + 1] {
            let text = format!(r#"{{"format":"{LOG_FORMAT}","version":{wrong}}}"#);
            assert!(err(&text).contains("version must be"), "{wrong}");
        }
        assert!(err(r#"{"format":"other","version":1}"#).contains("format must be"));
        assert!(err(r#"{"version":1}"#).contains("format must be"));
        assert!(err("[1]").contains("not valid JSON"));
        assert!(err(&format!("{} trailing", head(""))).contains("not valid JSON"));
    }

    #[test]
    fn a_bad_record_names_its_place() {
        let e = err(&head(r#","clients":[{"id":"x"}]"#));
        assert!(e.contains("clients[0] (id x)"), "{e}");
        let e = err(&head(r#","clients":{}"#));
        assert!(e.contains("clients to be an array"), "{e}");
    }

    /// An incident, read straight into its type, is refused with its place
    /// when a field is misspelt, given twice, or fails validation.
    #[test]
    fn a_bad_incident_names_its_place() {
        let incident = |extra: &str| {
            head(&format!(
                r#","incidents":[{{"id":"0b7e3c1a-9d2f-4e5b-8a6c-1f2e3d4c5b6a","revision":1,
                   "created_at":"2025-03-11T06:00:00Z","updated_at":"2025-03-11T06:00:00Z",
                   "client_id":"5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01","type":"access_denied",
                   "occurred":{{"at":"2025-03-11"}},"facility":{{"name":"Gəncə İVS"}}{extra}}}]"#
            ))
        };
        let log = parse_log(incident("").as_bytes()).expect("log");
        assert_eq!(log.incidents[0].data.facility.name, "Gəncə İVS");
        let e = err(&incident(r#","reson_given":"Следователь""#));
        assert!(
            e.contains("incidents[0]") && e.contains("reson_given"),
            "{e}"
        );
        let e = err(&incident(r#","type":"other""#));
        assert!(e.contains("incidents[0]") && e.contains("type"), "{e}");
        let e = err(&incident(r#","minutes_waited":100000"#));
        assert!(e.contains("incidents[0] (id 0b7e3c1a"), "{e}");
    }
}
