//! Timelines: a case's events in date order, and the agenda ahead.
//!
//! What a lawyer reads before a hearing: hearings, incidents, deadlines
//! and evidence of one case, oldest first; and across all cases, what is
//! due in the coming days.

use crate::error::{Error, Result};
use crate::model::{
    sort_key, Case, Client, DatePrecision, Deadline, EventTime, EvidenceNote, Hearing, Incident,
    Kind, Record, Stored, Title,
};
use crate::store::ListFilter;
use crate::vault::Vault;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::Serialize;
use std::collections::HashMap;
use ts_rs::TS;
use uuid::Uuid;

/// One line of a timeline.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    /// When, RFC 3339 with the record's own offset.
    pub at: String,
    /// How precisely `at` is known: a value known to the day or less is a
    /// date and is shown without a time (`crate::dates::show`).
    pub precision: DatePrecision,
    /// Kind of record.
    pub kind: Kind,
    /// Record id.
    pub id: Uuid,
    /// What the record is, in typed parts for the window to word.
    pub title: Title,
    /// A second line: outcome, reason, rule…
    pub detail: String,
    /// The case, when known.
    pub case_id: Option<Uuid>,
    /// Its number, when the record belongs to a case.
    pub case_number: Option<String>,
    /// Pseudonym of the record's client (for a hearing or deadline: the
    /// case's first client).
    pub client: Option<String>,
    /// That client's full name: the window shows it instead of the
    /// pseudonym when the lawyer chose so in Settings (the CLI keeps the
    /// pseudonym, which is safer on a shared screen).
    pub client_name: Option<String>,
    /// Deadline met / incident final.
    pub done: bool,
}

/// Case numbers and client pseudonyms for the entries of one timeline,
/// each read once.
struct Context<'v> {
    vault: &'v Vault,
    cases: HashMap<Uuid, Option<(String, Option<Uuid>)>>,
    clients: HashMap<Uuid, Option<(String, String)>>,
}

/// `Ok(None)` for a record that is gone (a timeline still shows the rest).
fn found<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<'v> Context<'v> {
    fn new(vault: &'v Vault) -> Self {
        Self {
            vault,
            cases: HashMap::new(),
            clients: HashMap::new(),
        }
    }

    /// A case's number and first client.
    fn case(&mut self, id: Uuid) -> Result<Option<(String, Option<Uuid>)>> {
        if let Some(c) = self.cases.get(&id) {
            return Ok(c.clone());
        }
        let c = found(self.vault.get::<Case>(id))?
            .map(|c| (c.data.case_number, c.data.client_ids.first().copied()));
        self.cases.insert(id, c.clone());
        Ok(c)
    }

    /// A client's pseudonym and full name.
    fn client(&mut self, id: Uuid) -> Result<Option<(String, String)>> {
        if let Some(c) = self.clients.get(&id) {
            return Ok(c.clone());
        }
        let c = found(self.vault.get::<Client>(id))?.map(|c| (c.data.pseudonym, c.data.full_name));
        self.clients.insert(id, c.clone());
        Ok(c)
    }

    fn entry<T: Record>(
        &mut self,
        s: &Stored<T>,
        at: EventTime,
        detail: &str,
        done: bool,
    ) -> Result<TimelineEntry> {
        let idx = s.data.index();
        let case = idx.case_id.map(|c| self.case(c)).transpose()?.flatten();
        let client_id = idx.client_id.or(case.as_ref().and_then(|c| c.1));
        let client = client_id.map(|c| self.client(c)).transpose()?.flatten();
        Ok(TimelineEntry {
            at: at.at.to_rfc3339(),
            precision: at.precision,
            kind: T::KIND,
            id: s.id,
            title: s.data.title(),
            detail: detail.chars().take(300).collect(),
            case_id: idx.case_id,
            case_number: case.map(|c| c.0),
            client_name: client.as_ref().map(|c| c.1.clone()),
            client: client.map(|c| c.0),
            done,
        })
    }
}

/// How far ahead the agenda may look, and how far back it looks for
/// deadlines still open.
pub const MAX_AGENDA_DAYS: u32 = 366;

fn all(f: ListFilter) -> ListFilter {
    ListFilter {
        limit: Some(100_000),
        oldest_first: true,
        ..f
    }
}

fn by_date(out: &mut [TimelineEntry]) {
    out.sort_by_cached_key(|e| {
        DateTime::parse_from_rfc3339(&e.at)
            .map(|d| sort_key(&d))
            .unwrap_or_default()
    });
}

impl Vault {
    /// Everything dated in one case, oldest first. Incidents of the case's
    /// clients count even if not yet linked to the case.
    pub fn case_timeline(&self, case_id: Uuid) -> Result<Vec<TimelineEntry>> {
        let case = self.get::<Case>(case_id)?;
        let mut cx = Context::new(self);
        let by_case = all(ListFilter {
            case_id: Some(case_id),
            ..Default::default()
        });
        let mut out = Vec::new();
        for h in self.list::<Hearing>(&by_case)? {
            let detail = if h.data.outcome.is_empty() {
                &h.data.next_step
            } else {
                &h.data.outcome
            };
            out.push(cx.entry(&h, EventTime::exact(h.data.at), detail, false)?);
        }
        for d in self.list::<Deadline>(&by_case)? {
            out.push(cx.entry(
                &d,
                EventTime::exact(d.data.due),
                &d.data.source_rule,
                d.data.done,
            )?);
        }
        let mut seen = std::collections::HashSet::new();
        for client in &case.data.client_ids {
            let f = all(ListFilter {
                client_id: Some(*client),
                ..Default::default()
            });
            for i in self.list::<Incident>(&f)? {
                if i.data.case_id.is_none() || i.data.case_id == Some(case_id) {
                    seen.insert(i.id);
                    out.push(cx.entry(
                        &i,
                        i.data.occurred.clone(),
                        &i.data.reason_given,
                        i.data.status.as_str() == "final",
                    )?);
                }
            }
        }
        for i in self.list::<Incident>(&by_case)? {
            if seen.insert(i.id) {
                out.push(cx.entry(
                    &i,
                    i.data.occurred.clone(),
                    &i.data.reason_given,
                    i.data.status.as_str() == "final",
                )?);
            }
        }
        // The case's notes, and notes of no case that document an incident
        // shown here (a note of another case stays on that case's).
        let mut notes = self.list::<EvidenceNote>(&by_case)?;
        let incidents: Vec<Uuid> = seen.iter().copied().collect();
        for e in self.evidence_of_incidents(&incidents)? {
            if e.data.case_id.is_none() {
                notes.push(e);
            }
        }
        for e in notes {
            if let Some(t) = &e.data.obtained_at {
                out.push(cx.entry(&e, t.clone(), &e.data.source, false)?);
            }
        }
        by_date(&mut out);
        Ok(out)
    }

    /// The agenda, as `vekil agenda` and the desktop app show it: open
    /// deadlines already missed (due in the past year, before today in the
    /// vault's time zone) first, oldest first, so a missed deadline never
    /// drops off; then hearings and open deadlines from the start of today
    /// for `days` days (1–366), soonest first.
    pub fn agenda(&self, now: DateTime<Utc>, days: u32) -> Result<Vec<TimelineEntry>> {
        if days == 0 || days > MAX_AGENDA_DAYS {
            return Err(crate::model::ValidationError::new(
                "days",
                "must be between 1 and 366; choose how many days ahead to show",
            )
            .into());
        }
        let zone = self.time_zone()?;
        let midnight = zone.start_of(zone.today(now));
        let overdue = self.list::<Deadline>(&all(ListFilter {
            status: Some("open".into()),
            from: Some(midnight - Duration::days(i64::from(MAX_AGENDA_DAYS))),
            // `to` is inclusive; the agenda itself starts at midnight.
            to: Some(midnight - Duration::seconds(1)),
            ..Default::default()
        }))?;
        let mut cx = Context::new(self);
        let mut out = overdue
            .iter()
            .map(|d| cx.entry(d, EventTime::exact(d.data.due), &d.data.source_rule, false))
            .collect::<Result<Vec<_>>>()?;
        let mut ahead = self.days_ahead(midnight, days)?;
        out.append(&mut ahead);
        Ok(out)
    }

    /// Hearings and open deadlines from `from` for `days` days, across all
    /// cases, soonest first.
    fn days_ahead(&self, from: DateTime<FixedOffset>, days: u32) -> Result<Vec<TimelineEntry>> {
        let to = from + Duration::days(i64::from(days));
        let window = all(ListFilter {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        });
        let mut cx = Context::new(self);
        let mut out = Vec::new();
        for h in self.list::<Hearing>(&window)? {
            out.push(cx.entry(&h, EventTime::exact(h.data.at), &h.data.courtroom, false)?);
        }
        let open = ListFilter {
            status: Some("open".into()),
            ..window
        };
        for d in self.list::<Deadline>(&open)? {
            out.push(cx.entry(&d, EventTime::exact(d.data.due), &d.data.source_rule, false)?);
        }
        by_date(&mut out);
        Ok(out)
    }
}
