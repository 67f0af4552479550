//! Incident statistics, one definition: what `vekil stats` prints and the
//! desktop app charts both come from [`stats`], and `docs/formats/stats.md`
//! defines every figure and the stable JSON shape (`vekil stats --json`).
//!
//! Months are counted in the vault's time zone through
//! [`crate::dates::day_of`], the same rule export periods use, so "March"
//! in the statistics and an export "for March" hold the same incidents.
//! Facilities are grouped through [`facility_key`]: by facility register
//! entry, so one place counts once whatever spelling each incident carries.

use crate::dates::{self, Zone};
use crate::model::{serde_plain, Client, DatePrecision, Facility, Incident, IncidentType, Stored};
use crate::store::{name_key, FacilityKey, FacilityRegister, ListFilter};
use crate::Vault;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;
use uuid::Uuid;

/// The `format` of [`Stats`]; a change to the shape changes it.
pub const FORMAT: &str = "vekil-stats/1";

/// The bucket for a field left empty.
pub const NOT_RECORDED: &str = "";

/// Every figure, as documented in `docs/formats/stats.md`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Stats {
    /// Always [`FORMAT`].
    pub format: String,
    /// The vault's time zone the months were counted in.
    pub time_zone: String,
    /// Incidents in total (drafts included).
    #[ts(type = "number")]
    pub incidents: usize,
    /// By incident type (`access_denied`…).
    #[ts(type = "Record<string, number>")]
    pub by_type: BTreeMap<String, usize>,
    /// By facility ([`facility_key`]: one row per register entry, named by
    /// the entry; a name two entries share is followed by the region, or
    /// the entry's short id).
    #[ts(type = "Record<string, number>")]
    pub by_facility: BTreeMap<String, usize>,
    /// By facility type (`temporary_detention`…).
    #[ts(type = "Record<string, number>")]
    pub by_facility_type: BTreeMap<String, usize>,
    /// By authority (NFC; the empty key counts incidents with none recorded,
    /// which each interface words in its own language).
    #[ts(type = "Record<string, number>")]
    pub by_authority: BTreeMap<String, usize>,
    /// By the facility's region (NFC; the empty key: none recorded).
    #[ts(type = "Record<string, number>")]
    pub by_region: BTreeMap<String, usize>,
    /// By month of occurrence in the vault's time zone (`YYYY-MM`); an
    /// incident known only to the year is counted under `YYYY`.
    #[ts(type = "Record<string, number>")]
    pub by_month: BTreeMap<String, usize>,
    /// Incidents where the refusal was given in writing.
    #[ts(type = "number")]
    pub written_refusals: usize,
    /// Delayed access (`access_delayed`): how long the lawyer waited.
    pub delayed_access: DelayedAccess,
    /// Arrest to the first meeting with a lawyer.
    pub first_meeting: FirstMeeting,
}

/// Minutes waited on `access_delayed` incidents.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DelayedAccess {
    /// `access_delayed` incidents.
    #[ts(type = "number")]
    pub incidents: usize,
    /// Those with a wait known (`minutes_waited`, else `requested_at` to
    /// `meeting_at`).
    #[ts(type = "number")]
    pub measured: usize,
    /// The median of those waits, in minutes (one decimal); `null` when
    /// none is known.
    pub median_minutes_waited: Option<f64>,
}

/// Hours from arrest to the first meeting, per client.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FirstMeeting {
    /// Clients measured: arrest known at least to the hour and a meeting
    /// recorded at or after it.
    #[ts(type = "number")]
    pub clients_measured: usize,
    /// The median over them, in hours (one decimal); `null` when none.
    pub median_hours: Option<f64>,
}

/// How incidents are grouped by facility, the one seam between the
/// statistics and the facility register: the incident's register entry
/// (its link, else the one entry its name is a spelling of, as an
/// incident imported from a lawyer's bundle has no link here), else its
/// name's match key, so spellings the register does not know still group
/// when they are the same name. Two incidents are one place exactly when
/// their keys are equal; a facility without a name is [`NOT_RECORDED`].
pub fn facility_key(register: &FacilityRegister, f: &Facility) -> String {
    if f.id.is_none() && name_key(&f.name).is_empty() {
        return NOT_RECORDED.to_owned();
    }
    register.group_of(f)
}

/// Row names for the facility groups, unique: the entry's name (NFC), then
/// its region, then its short id when names collide.
fn facility_labels(groups: &BTreeMap<String, FacilityKey>) -> HashMap<String, String> {
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for k in groups.values() {
        *by_name.entry(label(&k.name)).or_default() += 1;
    }
    groups
        .iter()
        .map(|(g, k)| {
            let name = label(&k.name);
            let row = if g == NOT_RECORDED || by_name[&name] == 1 {
                name
            } else if !k.region.trim().is_empty() {
                format!("{name} ({})", label(&k.region))
            } else {
                match k.id {
                    Some(id) => format!("{name} (#{})", &id.simple().to_string()[..8]),
                    None => format!("{name} (?)"),
                }
            };
            (g.clone(), row)
        })
        .collect()
}

/// Text as a bucket: NFC, trimmed; nothing recorded is the empty key
/// ([`NOT_RECORDED`]), worded by the window and the CLI.
fn label(s: &str) -> String {
    let s: String = s.trim().nfc().collect();
    if s.is_empty() {
        NOT_RECORDED.to_owned()
    } else {
        s
    }
}

/// The month an incident is counted in, in `zone` (`YYYY-MM`, or `YYYY`
/// for one known only to the year).
pub fn month_key(t: &crate::model::EventTime, zone: Zone) -> String {
    let day = dates::day_of(t, zone);
    if t.precision == DatePrecision::Year {
        day.format("%Y").to_string()
    } else {
        day.format("%Y-%m").to_string()
    }
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

/// The median, rounded to one decimal.
fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let m = match n {
        0 => return None,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    Some((m * 10.0).round() / 10.0)
}

fn minutes_between(a: DateTime<FixedOffset>, b: DateTime<FixedOffset>) -> Option<f64> {
    let secs = (b - a).num_seconds();
    (secs >= 0).then_some(secs as f64 / 60.0)
}

/// Every figure over the vault's incidents and clients.
pub fn stats(vault: &Vault) -> crate::Result<Stats> {
    let zone = vault.time_zone()?;
    let register = vault.facility_register()?;
    let incidents = all::<Incident>(vault)?;
    let clients: HashMap<Uuid, Stored<Client>> = all::<Client>(vault)?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    Ok(compute(
        zone,
        &register,
        incidents.iter().map(|i| &i.data),
        |id| clients.get(&id).map(|c| &c.data),
    ))
}

fn compute<'a>(
    zone: Zone,
    register: &FacilityRegister,
    incidents: impl Iterator<Item = &'a Incident>,
    client: impl Fn(Uuid) -> Option<&'a Client>,
) -> Stats {
    let mut s = Stats {
        format: FORMAT.to_owned(),
        time_zone: zone.name().to_owned(),
        incidents: 0,
        by_type: BTreeMap::new(),
        by_facility: BTreeMap::new(),
        by_facility_type: BTreeMap::new(),
        by_authority: BTreeMap::new(),
        by_region: BTreeMap::new(),
        by_month: BTreeMap::new(),
        written_refusals: 0,
        delayed_access: DelayedAccess {
            incidents: 0,
            measured: 0,
            median_minutes_waited: None,
        },
        first_meeting: FirstMeeting {
            clients_measured: 0,
            median_hours: None,
        },
    };
    let mut waits = vec![];
    let mut places: BTreeMap<String, (FacilityKey, usize)> = BTreeMap::new();
    let mut first_meeting: HashMap<Uuid, DateTime<FixedOffset>> = HashMap::new();
    for d in incidents {
        s.incidents += 1;
        let count = |m: &mut BTreeMap<String, usize>, k: String| *m.entry(k).or_default() += 1;
        count(&mut s.by_type, d.incident_type.as_str().to_owned());
        places
            .entry(facility_key(register, &d.facility))
            .or_insert_with(|| (register.key_of(&d.facility), 0))
            .1 += 1;
        count(
            &mut s.by_facility_type,
            serde_plain(&d.facility.facility_type),
        );
        count(&mut s.by_authority, label(&d.authority));
        count(&mut s.by_region, label(&d.facility.region));
        count(&mut s.by_month, month_key(&d.occurred, zone));
        if d.written_refusal {
            s.written_refusals += 1;
        }
        if d.incident_type == IncidentType::AccessDelayed {
            s.delayed_access.incidents += 1;
            let wait = d
                .minutes_waited
                .map(f64::from)
                .or_else(|| minutes_between(d.requested_at?, d.meeting_at?));
            waits.extend(wait);
        }
        if let Some(m) = d.meeting_at {
            let e = first_meeting.entry(d.client_id).or_insert(m);
            if m < *e {
                *e = m;
            }
        }
    }
    let keys: BTreeMap<String, FacilityKey> = places
        .iter()
        .map(|(g, (k, _))| (g.clone(), k.clone()))
        .collect();
    let labels = facility_labels(&keys);
    for (g, (_, n)) in places {
        *s.by_facility.entry(labels[&g].clone()).or_default() += n;
    }
    s.delayed_access.measured = waits.len();
    s.delayed_access.median_minutes_waited = median(waits);
    let hours: Vec<f64> = first_meeting
        .iter()
        .filter_map(|(cid, m)| {
            let arrest = client(*cid)?.arrested_at.as_ref()?;
            if dates::is_calendar(arrest.precision) {
                // Hours from a date alone would be invented.
                return None;
            }
            Some(minutes_between(arrest.at, *m)? / 60.0)
        })
        .collect();
    s.first_meeting.clients_measured = hours.len();
    s.first_meeting.median_hours = median(hours);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn nfc_and_nfd_spellings_of_a_facility_are_one_key() {
        let place = |name: String| Facility {
            id: None,
            name,
            facility_type: Default::default(),
            region: "Gəncə".into(),
            identifying: false,
        };
        let nfc = place("Gəncə İVS".into());
        let nfd = place(format!(" {} ", "Gəncə İVS".nfd().collect::<String>()));
        assert_ne!(nfc.name, nfd.name);
        let register = FacilityRegister::default();
        assert_eq!(facility_key(&register, &nfc), facility_key(&register, &nfd));
    }
}
