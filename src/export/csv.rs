//! CSV incident table (`docs/formats/incidents-csv.md`): one row per
//! incident, RFC 4180 (CRLF, quoted where needed), UTF-8 with a byte-order
//! mark so spreadsheet programs show ə and Cyrillic correctly.
//!
//! Lists (officials, witnesses, standards) are joined with `; ` in one
//! cell; fields the profile removed are empty cells, never dropped columns,
//! so the column order is stable across profiles. Column names and codes
//! are the same in every language; `type_label` is in the report's.
//!
//! Every cell is made spreadsheet-safe by [`neutralise`]: a spreadsheet
//! program would run a cell that starts with `=`, `+`, `-` or `@` (or
//! tab or carriage return, which some treat the same) as a formula, so
//! `=HYPERLINK(…)` typed into notes would become a live link in the NGO's
//! copy. Such cells get a leading `'`, which spreadsheets show as text.

use super::lang::Lang;
use super::redact::Out;
use super::{ExportError, ExportSet, Result};
use crate::model::Incident;
use chrono::SecondsFormat;
use std::borrow::Cow;
use std::io::Write;

/// Column names, in order. Documented in `docs/formats/incidents-csv.md`.
pub const COLUMNS: [&str; 32] = [
    "incident_id",
    "revision",
    "updated_at",
    "client",
    "client_id",
    "case_id",
    "type",
    "type_label",
    "occurred_at",
    "date_precision",
    "facility",
    "facility_type",
    "region",
    "authority",
    "requested_at",
    "refused_at",
    "meeting_at",
    "minutes_waited",
    "meeting_minutes",
    "hours_since_arrest",
    "officials",
    "reason_given",
    "written_refusal",
    "legal_basis_cited",
    "meeting_conditions",
    "client_condition",
    "witnesses",
    "remedies",
    "standards",
    "domestic_articles",
    "status",
    "notes",
];

fn plain<T: serde::Serialize>(v: &T) -> String {
    crate::model::serde_plain(v)
}

fn time(t: Option<&chrono::DateTime<chrono::FixedOffset>>) -> String {
    t.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `occurred_at`: RFC 3339 for a moment; the date alone (`2025-03-06`,
/// `2025-03`, `2025`) for a value known only to the day, month or year,
/// which has no time to show.
fn event_time(t: &crate::model::EventTime) -> String {
    if crate::dates::is_calendar(t.precision) {
        crate::dates::date_text(t)
    } else {
        time(Some(&t.at))
    }
}

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The cell as a spreadsheet will show it, never as a formula: a leading
/// `=`, `+`, `-`, `@`, tab or carriage return gets a `'` before it.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// One official in the `officials` cell: `rank, name, unit, badge`, the
/// empty ones left out. Also how loading a CSV (`crate::load::csv`)
/// recognises an official it need not change.
pub(crate) fn official_cell(o: &crate::model::Official) -> String {
    super::join_present(&[&o.rank, &o.name, &o.unit, &o.badge])
}

/// One witness in the `witnesses` cell: `name, role, contact`.
pub(crate) fn witness_cell(w: &crate::model::Witness) -> String {
    super::join_present(&[&w.name, &w.role, &w.contact])
}

/// One remedy in the `remedies` cell: `to (filed) ref. X: response`.
pub(crate) fn remedy_cell(m: &crate::model::Remedy) -> String {
    let mut s = m.complaint_to.clone();
    if let Some(f) = m.filed_on {
        s.push_str(&format!(" ({f})"));
    }
    if !m.reference.is_empty() {
        s.push_str(&format!(" ref. {}", m.reference));
    }
    if !m.response.is_empty() {
        s.push_str(&format!(": {}", m.response));
    }
    s
}

/// Writes the table, with labels in `lang`.
pub fn write(set: &ExportSet, lang: Lang, out: impl Write) -> Result<()> {
    let mut table = Table::new(out, lang)?;
    set.each_incident(&mut |o| table.row(set, o))?;
    table.finish()
}

fn csv_err(e: csv::Error) -> ExportError {
    ExportError::Serialise {
        what: "the CSV table".into(),
        reason: e.to_string(),
    }
}

/// The table being written, a row at a time.
pub(crate) struct Table<W: Write> {
    w: csv::Writer<std::io::BufWriter<W>>,
    lang: Lang,
}

impl<W: Write> Table<W> {
    /// Starts the table: the byte-order mark and the header row.
    pub(crate) fn new(out: W, lang: Lang) -> Result<Self> {
        let mut out = std::io::BufWriter::new(out);
        out.write_all("\u{feff}".as_bytes())
            .map_err(super::io_err("CSV"))?;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        w.write_record(COLUMNS).map_err(csv_err)?;
        Ok(Self { w, lang })
    }

    /// One incident's row.
    pub(crate) fn row<'a>(&mut self, set: &ExportSet, o: &'a Out<Incident>) -> Result<()> {
        let lang = self.lang;
        let r = &o.record;
        let d = &r.data;
        let arrested = set
            .client(d.client_id)
            .and_then(|c| c.data.arrested_at.clone());
        let officials: Vec<String> = d.officials.iter().map(official_cell).collect();
        let witnesses: Vec<String> = d.witnesses.iter().map(witness_cell).collect();
        let remedies: Vec<String> = d.remedies.iter().map(remedy_cell).collect();
        let standards: Vec<&str> = d.standards.iter().map(|s| s.citation()).collect();
        // Text the record holds is borrowed, not copied: a large export
        // writes a row per incident.
        let text = |s: &'a str| Cow::Borrowed(s);
        let row: [Cow<'_, str>; 32] = [
            r.id.to_string().into(),
            r.revision.to_string().into(),
            r.updated_at
                .to_rfc3339_opts(SecondsFormat::Secs, true)
                .into(),
            set.client_label(d.client_id).into(),
            d.client_id.to_string().into(),
            num(d.case_id).into(),
            text(d.incident_type.as_str()),
            text(lang.incident_type(d.incident_type)),
            event_time(&d.occurred).into(),
            plain(&d.occurred.precision).into(),
            text(&d.facility.name),
            plain(&d.facility.facility_type).into(),
            text(&d.facility.region),
            text(&d.authority),
            time(d.requested_at.as_ref()).into(),
            time(d.refused_at.as_ref()).into(),
            time(d.meeting_at.as_ref()).into(),
            num(d.minutes_waited).into(),
            num(d.meeting_minutes).into(),
            num(d.hours_since_arrest(arrested.as_ref())).into(),
            officials.join("; ").into(),
            text(&d.reason_given),
            text(if d.written_refusal { "yes" } else { "no" }),
            text(&d.legal_basis_cited),
            text(&d.meeting_conditions),
            text(&d.client_condition),
            witnesses.join("; ").into(),
            remedies.join("; ").into(),
            standards.join("; ").into(),
            d.domestic_articles.join("; ").into(),
            text(d.status.as_str()),
            text(&d.notes),
        ];
        self.w
            .write_record(row.iter().map(|c| match neutralise(c) {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            }))
            .map_err(csv_err)
    }

    /// Ends the table and flushes it.
    pub(crate) fn finish(self) -> Result<()> {
        let mut out = self.w.into_inner().map_err(|e| ExportError::Io {
            path: "CSV".into(),
            source: std::io::Error::other(e.to_string()),
        })?;
        out.flush().map_err(super::io_err("CSV"))
    }
}
