//! NGO-side statistics over the incidents in a vault: what `vekil stats`
//! prints and the desktop app charts.
//!
//! "First access" for a client is the earliest `meeting_at` recorded on
//! any of their incidents (the moment a meeting finally took place); the
//! delay is measured from the client's recorded arrest. Clients without
//! both are left out of the median, and the count of those measured is
//! reported beside it so the figure is not over-read.
//!
//! Incidents are counted by facility through the facility register
//! ([`facility_key`]), not by the name as typed: an incident linked to an
//! entry counts for that entry; one that is not (imported from a lawyer's
//! bundle) counts for the entry its name is a spelling of, else for its
//! folded name, so "Kürdəxanı" typed composed, decomposed or in capitals
//! is one row.

use crate::model::{Client, Facility, Incident, Stored};
use crate::store::{FacilityKey, FacilityRegister, ListFilter};
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
    /// By facility (the register entry's name; a name shared by two
    /// entries is followed by the region, or the entry's short id).
    #[ts(type = "Record<string, number>")]
    pub by_facility: BTreeMap<String, usize>,
    /// By authority (empty shown as "(not recorded)").
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

/// Where statistics count an incident's facility: the one seam between
/// the statistics and the facility register. Two incidents are the same
/// place exactly when their keys' `group` are equal.
pub fn facility_key(register: &FacilityRegister, facility: &Facility) -> (String, FacilityKey) {
    (register.group_of(facility), register.key_of(facility))
}

/// Names for the facility groups, unique: the name, then the region,
/// then the entry's short id when names collide.
fn facility_labels(groups: &HashMap<String, FacilityKey>) -> HashMap<String, String> {
    let mut by_name: HashMap<&str, Vec<&String>> = HashMap::new();
    for (g, k) in groups {
        by_name.entry(k.name.as_str()).or_default().push(g);
    }
    let mut out = HashMap::new();
    for (g, k) in groups {
        let label = if by_name[k.name.as_str()].len() == 1 {
            k.name.clone()
        } else if !k.region.is_empty() {
            format!("{} ({})", k.name, k.region)
        } else {
            match k.id {
                Some(id) => format!("{} (#{})", k.name, &id.to_string()[..8]),
                None => format!("{} (?)", k.name),
            }
        };
        out.insert(g.clone(), label);
    }
    out
}

/// Computes the statistics.
pub fn stats(vault: &Vault) -> crate::Result<Stats> {
    let incidents = all::<Incident>(vault)?;
    let register = vault.facility_register()?;
    let mut facilities: HashMap<String, FacilityKey> = HashMap::new();
    let mut facility_counts: HashMap<String, usize> = HashMap::new();
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
        let (group, key) = facility_key(&register, &d.facility);
        *facility_counts.entry(group.clone()).or_default() += 1;
        facilities.entry(group).or_insert(key);
        let auth = if d.authority.trim().is_empty() {
            "(not recorded)".to_string()
        } else {
            d.authority.clone()
        };
        *s.by_authority.entry(auth).or_default() += 1;
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
    let labels = facility_labels(&facilities);
    for (group, n) in facility_counts {
        *s.by_facility.entry(labels[&group].clone()).or_default() += n;
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
