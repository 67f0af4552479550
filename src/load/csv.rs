//! The incident table (`docs/formats/incidents-csv.md`) read back: an NGO
//! or a lawyer exports CSV, edits it in a spreadsheet, and loads it with
//! `--upsert`.
//!
//! The table holds less than a record (no consent, no confidentiality;
//! officials, witnesses and remedies flattened to text), so a row is read
//! over what the vault already holds under its `incident_id`: a column the
//! table has sets the field, a field the table lacks keeps its value, and
//! a column left out of the file changes nothing. A list entry (one
//! official, witness or remedy) written exactly as the export writes the
//! vault's entry keeps that entry whole; a new or edited one is read as
//! `rank, name, unit, badge` (officials) or `name, role, contact`
//! (witnesses) when it has that many parts, and otherwise as one name.
//!
//! Derived and label columns (`client`, `type_label`, `hours_since_arrest`,
//! `updated_at`) are ignored: the vault computes them. `revision`, when
//! given, guards against loading over a newer change (as in JSON).
//!
//! Every cell Vekil exports that starts with `=`, `+`, `-`, `@`, tab or
//! carriage return carries one leading `'` so that spreadsheets do not run
//! it ([`crate::export::csv::neutralise`]); exactly that one `'` is removed
//! here. Spreadsheet habits are tolerated: a byte-order mark or none, CRLF
//! or LF, quoted or bare cells, blank rows, columns in any order.
//!
//! `occurred_at` goes through the one date parser (`crate::dates`): RFC
//! 3339 with its offset for a moment, the date alone for a value known to
//! the day, month or year, as exported. Other times are moments.

use super::{Incoming, Item, LoadError};
use crate::export::csv::{official_cell, remedy_cell, witness_cell, COLUMNS};
use crate::model::{
    DatePrecision, EventTime, Incident, IncidentType, LegalStandard, Official, Remedy, Stored,
    ValidationError, Witness,
};
use crate::store::Writer;
use chrono::{DateTime, FixedOffset};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use uuid::Uuid;

/// Columns a row must have to make a new incident.
const REQUIRED: [&str; 4] = ["client_id", "type", "occurred_at", "facility"];

/// Columns the vault computes; read past.
const IGNORED: [&str; 4] = ["client", "type_label", "hours_since_arrest", "updated_at"];

/// The cell as typed: one `'` that export put before a formula character
/// taken off.
pub fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// One data row, by column name.
struct Row<'a> {
    cells: HashMap<&'a str, String>,
}

impl Row<'_> {
    /// The cell of `col` if the file has that column (`None` if not).
    fn get(&self, col: &str) -> Option<&str> {
        self.cells.get(col).map(String::as_str)
    }

    fn text(&self, col: &str, slot: &mut String) {
        if let Some(v) = self.get(col) {
            *slot = v.to_owned();
        }
    }

    fn parsed<T>(
        &self,
        col: &str,
        slot: &mut T,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<(), ValidationError> {
        if let Some(v) = self.get(col) {
            *slot = parse(v.trim()).map_err(|p| ValidationError::new(col, p))?;
        }
        Ok(())
    }
}

fn code<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned()))
        .map_err(|e| super::json::problem(&e.to_string()))
}

fn opt<T>(s: &str, parse: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse(s).map(Some)
    }
}

fn moment(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|_| {
        format!(
            "{s:?} is not a date and time with its offset, as exported (2025-03-14T09:30:00+04:00)"
        )
    })
}

/// `occurred_at` and `date_precision` together, through the one date
/// parser (`crate::dates::event_time`): a moment with its offset, or a date
/// alone for a value known to the day, month or year, as the export writes
/// it. A date alone that is still the one the vault's copy shows keeps the
/// stored moment (its midnight in the vault's zone), so an unchanged table
/// loads back as no change.
fn occurred(row: &Row<'_>, slot: &mut EventTime) -> Result<(), ValidationError> {
    let precision = match row.get("date_precision").map(str::trim) {
        None => None,
        Some("") => Some(DatePrecision::default()),
        Some(s) => Some(code(s).map_err(|p| ValidationError::new("date_precision", p))?),
    };
    let Some(at) = row.get("occurred_at").map(str::trim) else {
        if let Some(p) = precision {
            slot.precision = p;
        }
        return Ok(());
    };
    let t = crate::dates::event_time("occurred_at", at, precision)
        .map_err(|e| ValidationError::new("occurred_at", e.to_string()))?;
    let same_calendar_value = crate::dates::is_calendar(t.precision)
        && t.precision == slot.precision
        && crate::dates::date_text(slot) == at;
    if !same_calendar_value {
        *slot = t;
    }
    Ok(())
}

fn number(s: &str) -> Result<u32, String> {
    s.parse()
        .map_err(|_| format!("{s:?} is not a whole number of minutes"))
}

fn uuid(s: &str) -> Result<Uuid, String> {
    Uuid::parse_str(s).map_err(|_| format!("{s:?} is not an id (a UUID, as exported)"))
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_lowercase().as_str() {
        "yes" | "true" | "1" | "bəli" | "да" => Ok(true),
        "no" | "false" | "0" | "" | "xeyr" | "нет" => Ok(false),
        _ => Err(format!("{s:?} is neither yes nor no")),
    }
}

fn entries(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|e| !e.is_empty())
}

fn standard(s: &str) -> Result<LegalStandard, String> {
    LegalStandard::ALL
        .into_iter()
        .find(|l| l.citation() == s || crate::model::serde_plain(l) == s)
        .ok_or_else(|| {
            format!(
                "{s:?} is not a standard; write the citation as exported (e.g. {:?}) or its code ({})",
                LegalStandard::Echr6_3c.citation(),
                LegalStandard::ALL
                    .map(|l| crate::model::serde_plain(&l))
                    .join(", ")
            )
        })
}

/// The entries of a list cell: those written as the vault's own entry
/// keep it whole, the others are read by `parse`.
fn list<T: Clone>(
    cell: &str,
    old: &[T],
    render: impl Fn(&T) -> String,
    parse: impl Fn(&str) -> T,
) -> Vec<T> {
    entries(cell)
        .map(|e| {
            old.iter()
                .find(|o| render(o) == e)
                .cloned()
                .unwrap_or_else(|| parse(e))
        })
        .collect()
}

fn parts(e: &str) -> Vec<String> {
    e.split(',').map(|p| p.trim().to_owned()).collect()
}

fn official(e: &str) -> Official {
    match parts(e).as_slice() {
        [rank, name, unit, badge] => Official {
            rank: rank.clone(),
            name: name.clone(),
            unit: unit.clone(),
            badge: badge.clone(),
        },
        _ => Official {
            name: e.to_owned(),
            ..Official::default()
        },
    }
}

fn witness(e: &str) -> Witness {
    let (name, role, contact) = match parts(e).as_slice() {
        [name, role, contact] => (name.clone(), role.clone(), contact.clone()),
        _ => (e.to_owned(), String::new(), String::new()),
    };
    Witness {
        name,
        kind: Default::default(),
        role,
        contact,
    }
}

fn remedy(e: &str) -> Remedy {
    Remedy {
        complaint_to: e.to_owned(),
        filed_on: None,
        reference: String::new(),
        response: String::new(),
        response_on: None,
    }
}

/// Reads `row` over `base` (the vault's incident with that id, if any).
fn incident(row: &Row<'_>, base: Option<Incident>) -> Result<Incident, ValidationError> {
    let mut d = match base {
        Some(d) => d,
        None => {
            for col in REQUIRED {
                if row.get(col).is_none_or(|v| v.trim().is_empty()) {
                    return Err(ValidationError::new(col, "is required for a new incident"));
                }
            }
            // Every other field at its default (the model's own, through
            // serde); the required ones are set from the row below.
            serde_json::from_value(serde_json::json!({
                "client_id": Uuid::nil(), "type": IncidentType::Other,
                "occurred": EventTime::exact(DateTime::UNIX_EPOCH.fixed_offset()),
                "facility": {"name": ""}
            }))
            .map_err(|e| ValidationError::new("row", e.to_string()))?
        }
    };
    row.parsed("client_id", &mut d.client_id, uuid)?;
    row.parsed("case_id", &mut d.case_id, |s| opt(s, uuid))?;
    row.parsed("type", &mut d.incident_type, code)?;
    occurred(row, &mut d.occurred)?;
    row.text("facility", &mut d.facility.name);
    row.parsed("facility_type", &mut d.facility.facility_type, |s| {
        if s.is_empty() {
            Ok(Default::default())
        } else {
            code(s)
        }
    })?;
    row.text("region", &mut d.facility.region);
    row.text("authority", &mut d.authority);
    row.parsed("requested_at", &mut d.requested_at, |s| opt(s, moment))?;
    row.parsed("refused_at", &mut d.refused_at, |s| opt(s, moment))?;
    row.parsed("meeting_at", &mut d.meeting_at, |s| opt(s, moment))?;
    row.parsed("minutes_waited", &mut d.minutes_waited, |s| opt(s, number))?;
    row.parsed("meeting_minutes", &mut d.meeting_minutes, |s| {
        opt(s, number)
    })?;
    if let Some(cell) = row.get("officials") {
        d.officials = list(cell, &d.officials, official_cell, official);
    }
    row.text("reason_given", &mut d.reason_given);
    row.parsed("written_refusal", &mut d.written_refusal, yes_no)?;
    row.text("legal_basis_cited", &mut d.legal_basis_cited);
    row.text("meeting_conditions", &mut d.meeting_conditions);
    row.text("client_condition", &mut d.client_condition);
    if let Some(cell) = row.get("witnesses") {
        d.witnesses = list(cell, &d.witnesses, witness_cell, witness);
    }
    if let Some(cell) = row.get("remedies") {
        d.remedies = list(cell, &d.remedies, remedy_cell, remedy);
    }
    row.parsed("standards", &mut d.standards, |s| {
        entries(s).map(standard).collect()
    })?;
    row.parsed("domestic_articles", &mut d.domestic_articles, |s| {
        Ok(entries(s).map(str::to_owned).collect())
    })?;
    row.parsed("status", &mut d.status, code)?;
    row.text("notes", &mut d.notes);
    Ok(d)
}

fn csv_error(e: &csv::Error) -> String {
    let row = e
        .position()
        .map(|p| format!("near line {}", p.line()))
        .unwrap_or_default();
    format!("the file is not a readable CSV table {row}: {e}; save it again as CSV (UTF-8, comma-separated)")
}

/// The incidents of a CSV table, each read over the vault's copy (looked
/// up through `w`, inside the load's transaction). Rows are named as a
/// spreadsheet numbers them: the header is row 1.
pub fn incidents(w: &Writer<'_>, bytes: &[u8]) -> crate::Result<Vec<Item>> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| LoadError::at("row 1", ValidationError::new("header", csv_error(&e))))?
        .clone();
    let mut columns: Vec<&'static str> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        let Some(col) = COLUMNS.iter().find(|c| **c == h) else {
            return Err(LoadError::at(
                "row 1",
                ValidationError::new(
                    format!("column {}", i + 1),
                    format!(
                        "{h:?} is not a column of the incident table; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                ),
            ));
        };
        if columns.contains(col) {
            return Err(LoadError::at(
                "row 1",
                ValidationError::new(*col, "is a column twice; keep one"),
            ));
        }
        columns.push(col);
    }
    let mut items = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let at = format!("row {}", n + 2);
        let record =
            record.map_err(|e| LoadError::at(&at, ValidationError::new("row", csv_error(&e))))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > columns.len() && record.iter().skip(columns.len()).any(|c| !c.is_empty())
        {
            return Err(LoadError::at(
                &at,
                ValidationError::new(
                    "row",
                    format!(
                        "has {} cells but the header names {} columns",
                        record.len(),
                        columns.len()
                    ),
                ),
            ));
        }
        let cells: HashMap<&str, String> = columns
            .iter()
            .zip(record.iter().chain(std::iter::repeat("")))
            .filter(|(c, _)| !IGNORED.contains(c))
            .map(|(c, v)| (*c, unneutralise(v).to_owned()))
            .collect();
        let row = Row { cells };
        let id = row
            .get("incident_id")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| uuid(s).map_err(|p| ValidationError::new("incident_id", p)))
            .transpose()
            .map_err(|e| LoadError::at(&at, e))?;
        let revision = row
            .get("revision")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u32>().map_err(|_| {
                    ValidationError::new("revision", format!("{s:?} is not a whole number"))
                })
            })
            .transpose()
            .map_err(|e| LoadError::at(&at, e))?;
        let base = match id {
            Some(id) => w.find::<Incident>(id)?.map(|s: Stored<Incident>| s.data),
            None => None,
        };
        let data = incident(&row, base).map_err(|e| LoadError::at(&at, e))?;
        items.push(Item {
            at,
            record: super::AnyIncoming::Incident(Incoming {
                id,
                revision,
                created_at: None,
                updated_at: None,
                data,
            }),
        });
    }
    if items.is_empty() {
        return Err(LoadError::at(
            "row 2",
            ValidationError::new("row", "the table has no incident below its header row"),
        ));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_neutralising_apostrophe_is_removed() {
        assert_eq!(unneutralise("'=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")");
        assert_eq!(unneutralise("''=x"), "''=x");
        assert_eq!(unneutralise("'-5"), "-5");
        assert_eq!(unneutralise("'s-Hertogenbosch"), "'s-Hertogenbosch");
        assert_eq!(unneutralise("Şəki"), "Şəki");
    }
}
