//! NGO-side statistics over the incidents in a vault: what `vekil stats`
//! prints and the desktop app charts.
//!
//! "First access" for a client is the earliest `meeting_at` recorded on
//! any of their incidents (the moment a meeting finally took place); the
//! delay is measured from the client's recorded arrest. Clients without
//! both are left out of the median, and the count of those measured is
//! reported beside it so the figure is not over-read.

use crate::model::{Client, Incident, Stored};
use crate::store::ListFilter;
use crate::Vault;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;
use uuid::Uuid;

/// Counts and the access-delay median.
#[derive(Debug, Clone, Serialize, Default, TS)]
#[ts(export)]
pub struct Stats {
    /// Incidents in total.
    #[ts(type = "number")]
    pub incidents: usize,
    /// By month of occurrence (`YYYY-MM`).
    #[ts(type = "Record<string, number>")]
    pub by_month: BTreeMap<String, usize>,
    /// By facility name.
    #[ts(type = "Record<string, number>")]
    pub by_facility: BTreeMap<String, usize>,
    /// By authority; the empty key counts incidents with no authority
    /// recorded (each interface words it).
    #[ts(type = "Record<string, number>")]
    pub by_authority: BTreeMap<String, usize>,
    /// By incident type.
    #[ts(type = "Record<string, number>")]
    pub by_type: BTreeMap<String, usize>,
    /// Median hours from arrest to first access, over clients with both.
    pub median_hours_to_first_access: Option<f64>,
    /// Clients the median is computed over.
    #[ts(type = "number")]
    pub clients_measured: usize,
}

fn all<T: crate::model::Record>(vault: &Vault) -> crate::Result<Vec<Stored<T>>> {
    let mut out = vec![];
    loop {
        let page = vault.list::<T>(&ListFilter {
            oldest_first: true,
            limit: Some(5000),
            offset: Some(out.len() as u32),
            ..Default::default()
        })?;
        let n = page.len();
        out.extend(page);
        if n < 5000 {
            return Ok(out);
        }
    }
}

/// Computes the statistics.
pub fn stats(vault: &Vault) -> crate::Result<Stats> {
    let incidents = all::<Incident>(vault)?;
    let clients: HashMap<Uuid, Stored<Client>> = all::<Client>(vault)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut s = Stats {
        incidents: incidents.len(),
        ..Default::default()
    };
    let mut first_access: HashMap<Uuid, chrono::DateTime<chrono::FixedOffset>> = HashMap::new();
    for i in &incidents {
        let d = &i.data;
        *s.by_month
            .entry(d.occurred.at.format("%Y-%m").to_string())
            .or_default() += 1;
        *s.by_facility.entry(d.facility.name.clone()).or_default() += 1;
        // An empty key stands for "not recorded": the window and the CLI
        // word it in their own language.
        *s.by_authority
            .entry(d.authority.trim().to_string())
            .or_default() += 1;
        *s.by_type
            .entry(d.incident_type.as_str().into())
            .or_default() += 1;
        if let Some(m) = d.meeting_at {
            let e = first_access.entry(d.client_id).or_insert(m);
            if m < *e {
                *e = m;
            }
        }
    }
    let mut hours: Vec<f64> = first_access
        .iter()
        .filter_map(|(cid, m)| {
            let arrest = clients.get(cid)?.data.arrested_at.as_ref()?.at;
            let secs = (*m - arrest).num_seconds();
            (secs >= 0).then_some(secs as f64 / 3600.0)
        })
        .collect();
    hours.sort_by(|a, b| a.total_cmp(b));
    s.clients_measured = hours.len();
    s.median_hours_to_first_access = match hours.len() {
        0 => None,
        n if n % 2 == 1 => Some(hours[n / 2]),
        n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
    }
    .map(|h| (h * 10.0).round() / 10.0);
    Ok(s)
}
