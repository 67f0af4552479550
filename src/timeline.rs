//! Timelines: a case's events in date order, and the agenda ahead.
//!
//! What a lawyer reads before a hearing: hearings, incidents, deadlines
//! and evidence of one case, oldest first; and across all cases, what is
//! due in the coming days.

use crate::error::Result;
use crate::model::{
    sort_key, Case, Deadline, EvidenceNote, Hearing, Incident, Kind, Record, Stored,
};
use crate::store::ListFilter;
use crate::vault::Vault;
use chrono::{DateTime, Duration, FixedOffset};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

/// One line of a timeline.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TimelineEntry {
    /// When, RFC 3339 with the record's own offset.
    pub at: String,
    /// Kind of record.
    pub kind: Kind,
    /// Record id.
    pub id: Uuid,
    /// One-line title.
    pub title: String,
    /// Type within the kind (hearing kind, incident type, deadline kind…).
    pub subtype: String,
    /// A second line: outcome, reason, rule…
    pub detail: String,
    /// The case, when known.
    pub case_id: Option<Uuid>,
    /// Deadline met / incident final.
    pub done: bool,
}

fn entry<T: Record>(
    s: &Stored<T>,
    at: DateTime<FixedOffset>,
    detail: &str,
    done: bool,
) -> TimelineEntry {
    let idx = s.data.index();
    TimelineEntry {
        at: at.to_rfc3339(),
        kind: T::KIND,
        id: s.id,
        title: s.data.title(),
        subtype: idx.subtype.unwrap_or_default(),
        detail: detail.chars().take(300).collect(),
        case_id: idx.case_id,
        done,
    }
}

fn all(f: ListFilter) -> ListFilter {
    ListFilter {
        limit: Some(100_000),
        oldest_first: true,
        ..f
    }
}

impl Vault {
    /// Everything dated in one case, oldest first. Incidents of the case's
    /// clients count even if not yet linked to the case.
    pub fn case_timeline(&self, case_id: Uuid) -> Result<Vec<TimelineEntry>> {
        let case = self.get::<Case>(case_id)?;
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
            out.push(entry(&h, h.data.at, detail, false));
        }
        for d in self.list::<Deadline>(&by_case)? {
            out.push(entry(&d, d.data.due, &d.data.source_rule, d.data.done));
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
                    out.push(entry(
                        &i,
                        i.data.occurred.at,
                        &i.data.reason_given,
                        i.data.status.as_str() == "final",
                    ));
                }
            }
        }
        for i in self.list::<Incident>(&by_case)? {
            if seen.insert(i.id) {
                out.push(entry(
                    &i,
                    i.data.occurred.at,
                    &i.data.reason_given,
                    i.data.status.as_str() == "final",
                ));
            }
        }
        for e in self.list::<EvidenceNote>(&by_case)? {
            if let Some(t) = &e.data.obtained_at {
                out.push(entry(&e, t.at, &e.data.source, false));
            }
        }
        out.sort_by_cached_key(|e| {
            DateTime::parse_from_rfc3339(&e.at)
                .map(|d| sort_key(&d))
                .unwrap_or_default()
        });
        Ok(out)
    }

    /// Hearings and open deadlines from `from` for `days` days, across all
    /// cases, soonest first.
    pub fn agenda(&self, from: DateTime<FixedOffset>, days: u32) -> Result<Vec<TimelineEntry>> {
        let to = from + Duration::days(i64::from(days));
        let window = all(ListFilter {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        });
        let mut out = Vec::new();
        for h in self.list::<Hearing>(&window)? {
            out.push(entry(&h, h.data.at, &h.data.courtroom, false));
        }
        let open = ListFilter {
            status: Some("open".into()),
            ..window
        };
        for d in self.list::<Deadline>(&open)? {
            out.push(entry(&d, d.data.due, &d.data.source_rule, false));
        }
        out.sort_by_cached_key(|e| {
            DateTime::parse_from_rfc3339(&e.at)
                .map(|d| sort_key(&d))
                .unwrap_or_default()
        });
        Ok(out)
    }
}
