//! The facility register in the store: linking incidents to their place,
//! finding a place by any of its spellings, merging two entries, and the
//! grouping key statistics and filters use.
//!
//! **One rule.** An incident's `facility` is its register entry: when
//! `facility.id` is set, every local save copies the entry's name, type,
//! region and `identifying` flag into the incident; when it is absent, the
//! save finds the entry by name (and, if the incident gives them, by
//! region and type) or adds one, and sets the link. Editing an entry
//! re-copies it into every linked incident, each with its own revision, so
//! the history says why an incident's facility changed. Records merged
//! from a bundle are stored as sent: they name an entry of the vault that
//! made them, which does not exist here.
//!
//! **Matching names.** Two names are the same when their folded words
//! (`text::words`: case, marks, Azerbaijani i/ı/İ and ə/e, Russian ё/е and
//! Unicode form ignored) are the same: [`name_key`]. Spellings that differ
//! in more than that ("Kürdəxanı", "Кюрдаханы", "Kurdakhany") are joined
//! by the lawyer, as other spellings of one entry or by merging two
//! entries; the quick log's suggestions ([`Vault::facility_suggest`]) find
//! an entry by a prefix of any word of any of its spellings. The fold is
//! the search engine's (`crate::text`); no second one is written here.
//!
//! **Not linked.** An incident without a link (imported from a lawyer's
//! bundle, or in a vault whose register was not built yet) is placed by
//! [`FacilityRegister::key_of`]: the one entry its name is a spelling of,
//! else its folded name. Statistics and `--at-facility` therefore group
//! an NGO's incidents from several lawyers by the NGO's own register.

use super::Writer;
use crate::error::{Error, Result};
use crate::model::{
    Facility, FacilityEntry, FacilityType, Incident, Kind, Record, Stored, Validate,
    ValidationError,
};
use crate::search::text_matches;
use crate::vault::Vault;
use rusqlite::params;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;
use uuid::Uuid;

/// A facility name reduced for matching: search's identity key of a name
/// ([`crate::text::keys::name_key`]), so "Kürdəxanı", "KÜRDƏXANI",
/// "Kurdakhany", "Кюрдаханы" and the same letters decomposed are one name,
/// and "İstintaq Təcridxanası" is "СИЗО". Empty when the name has no
/// letters or digits.
pub fn name_key(name: &str) -> String {
    crate::text::name_key(name)
}

/// The value of the `facility` column of an incident: its entry's id, or
/// `=` and its [`name_key`].
pub(crate) fn facility_index_key(f: &Facility) -> String {
    match f.id {
        Some(id) => id.to_string(),
        None => format!("={}", name_key(&f.name)),
    }
}

/// How a name is written, give or take case, marks and Unicode form: a
/// spelling worth keeping among an entry's other spellings is one whose
/// form this is not yet (documents cite "Кюрдаханы СИЗО" and "Kurdakhany
/// SIZO" although both have the name's [`name_key`]).
fn spelling_of(name: &str) -> String {
    let words: Vec<String> = crate::text::words(name)
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    words.join(" ")
}

fn region_key(region: &str) -> String {
    name_key(region)
}

/// Whether an incident's facility can be the entry `e`: each of region
/// and type is either the same or not given on one side.
fn compatible(e: &FacilityEntry, f: &Facility) -> bool {
    let (er, fr) = (region_key(&e.region), region_key(&f.region));
    let region = er.is_empty() || fr.is_empty() || er == fr;
    let kind = e.facility_type == FacilityType::Other
        || f.facility_type == FacilityType::Other
        || e.facility_type == f.facility_type;
    region && kind
}

/// Copies the entry into the incident's facility.
fn copy_into(id: Uuid, e: &FacilityEntry, f: &mut Facility) {
    *f = Facility {
        id: Some(id),
        name: e.name.clone(),
        facility_type: e.facility_type,
        region: e.region.clone(),
        identifying: e.identifying,
    };
}

/// What `facility` gives that the entry lacks: a type for one of type
/// `other`, a region for one without, the `identifying` flag. `None` when
/// the entry already says all of it.
fn fill_gaps(e: &FacilityEntry, f: &Facility) -> Option<FacilityEntry> {
    let mut out = e.clone();
    if out.facility_type == FacilityType::Other {
        out.facility_type = f.facility_type;
    }
    if out.region.trim().is_empty() {
        out.region = f.region.trim().to_owned();
    }
    out.identifying |= f.identifying;
    (out != *e).then_some(out)
}

fn ambiguous(name: &str, ids: &[Uuid]) -> Error {
    let ids: Vec<String> = ids.iter().map(|i| i.to_string()[..8].to_owned()).collect();
    Error::Invalid(ValidationError::new(
        "facility.name",
        format!(
            "{name:?} names {} facilities in the register ({}); choose one by its id",
            ids.len(),
            ids.join(", ")
        ),
    ))
}

/// What [`Vault::merge_facilities`] did (the CLI's `facility merge`; the
/// window does not merge yet, so no TypeScript binding).
#[derive(Debug, Clone, Serialize)]
pub struct FacilityMerge {
    /// The entry kept, with the other's name among its spellings.
    pub into: Stored<FacilityEntry>,
    /// The entry removed (its history is kept).
    pub removed: Uuid,
    /// Incidents moved to the kept entry, each with a revision.
    pub relinked: u64,
}

impl Writer<'_> {
    /// Entries one of whose spellings has this [`name_key`].
    fn entries_named(&self, key: &str) -> Result<Vec<Stored<FacilityEntry>>> {
        let ids: Vec<String> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT facility_id FROM facility_names WHERE name_key = ?1 ORDER BY facility_id",
            )?;
            let rows = stmt.query_map([key], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        ids.iter()
            .filter_map(|i| Uuid::parse_str(i).ok())
            .map(|id| self.get::<FacilityEntry>(id))
            .collect()
    }

    /// Links an incident's facility to the register, copying the entry in
    /// (see the module doc). Runs on every local save of a record that
    /// names a facility.
    pub(crate) fn link_facility(&mut self, f: &mut Facility, saving: Option<Uuid>) -> Result<()> {
        if let Some(id) = f.id {
            let e = self.get::<FacilityEntry>(id).map_err(|e| match e {
                Error::NotFound { .. } => Error::Invalid(ValidationError::new(
                    "facility.id",
                    format!(
                        "no facility with id {id} in this vault's register; \
                         `vekil facility list` shows them (load the entry first, \
                         or leave `facility.id` out to find or add the place by name)"
                    ),
                )),
                other => other,
            })?;
            // A name that is not one of the entry's (renamed in a
            // spreadsheet or a JSON file that kept the id) names another
            // place: the name wins, rather than being silently reverted.
            let key = name_key(&f.name);
            if key.is_empty() || e.data.index().names.contains(&key) {
                copy_into(id, &e.data, f);
                return Ok(());
            }
            f.id = None;
        }
        f.validate_at("facility")?;
        let key = name_key(&f.name);
        let found: Vec<Stored<FacilityEntry>> = if key.is_empty() {
            vec![]
        } else {
            self.entries_named(&key)?
                .into_iter()
                .filter(|e| compatible(&e.data, f))
                .collect()
        };
        let entry = match found.as_slice() {
            [] => {
                let mut e = FacilityEntry::new(f.name.trim());
                e.facility_type = f.facility_type;
                e.region = f.region.trim().to_owned();
                e.identifying = f.identifying;
                self.insert(e)?
            }
            [one] => match fill_gaps(&one.data, f) {
                Some(filled) => {
                    let e = self.replace(one.id, one.revision, filled)?;
                    self.refresh_linked(e.id, saving)?;
                    e
                }
                None => one.clone(),
            },
            many => {
                return Err(ambiguous(
                    &f.name,
                    &many.iter().map(|e| e.id).collect::<Vec<_>>(),
                ))
            }
        };
        copy_into(entry.id, &entry.data, f);
        Ok(())
    }

    /// Puts the place an imported incident names into this vault's
    /// register (found by any spelling, else added), without touching the
    /// incident: it stays as its signer sent it, and statistics and
    /// `--at-facility` place it by its name ([`FacilityRegister::key_of`]).
    /// So the organisation's register lists every place its lawyers'
    /// bundles name, ready to be merged with its own spellings. A name
    /// that two entries already share is left as it is.
    ///
    /// A bundle names the same few places in thousands of incidents. Once
    /// a place is in, doing it again changes nothing (what it adds or fills
    /// in is what it then finds), as long as the register has not changed
    /// in between; so each place is done once per register state: the
    /// memory of places done is cleared whenever an entry is written
    /// ([`Self::write_names`]).
    pub(crate) fn register_imported(&mut self, f: &mut Facility) -> Result<()> {
        f.id = None;
        let place = format!(
            "{}\u{1f}{:?}\u{1f}{}\u{1f}{}",
            f.name, f.facility_type, f.region, f.identifying
        );
        if self.registered.borrow().contains(&place) {
            return Ok(());
        }
        if super::bench_skip(|k| k.checks) || name_key(&f.name).is_empty() {
            return Ok(());
        }
        match self.link_facility(f, None) {
            // A name the register cannot take (two entries share it) is
            // left as it is, and looked at again next time.
            Err(Error::Invalid(_)) => Ok(()),
            Err(e) => Err(e),
            Ok(()) => {
                self.registered.borrow_mut().insert(place);
                Ok(())
            }
        }
    }

    /// Incidents linked to the entry `id`.
    fn linked_incidents(&self, id: Uuid) -> Result<Vec<Stored<Incident>>> {
        let ids: Vec<String> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT id FROM records WHERE kind = 'incident' AND facility = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([id.to_string()], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        ids.iter()
            .filter_map(|i| Uuid::parse_str(i).ok())
            .map(|i| self.get::<Incident>(i))
            .collect()
    }

    /// Re-copies the entry `id` into every incident linked to it (but
    /// `except`, which its caller is saving), each with a revision;
    /// returns how many changed.
    pub(crate) fn refresh_linked(&mut self, id: Uuid, except: Option<Uuid>) -> Result<u64> {
        let entry = self.get::<FacilityEntry>(id)?;
        let mut n = 0;
        for s in self.linked_incidents(id)? {
            if Some(s.id) == except {
                continue;
            }
            let mut f = s.data.facility.clone();
            copy_into(id, &entry.data, &mut f);
            if f != s.data.facility {
                let mut data = s.data;
                data.facility = f;
                self.replace(s.id, s.revision, data)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Merges the entry `from` into `into`: `from`'s name and spellings
    /// become spellings of `into`, what `into` lacks (type, region, notes,
    /// the `identifying` flag) is taken from `from`, every incident linked
    /// to `from` is relinked with a revision, and `from` is deleted (its
    /// history is kept).
    pub fn merge_facilities(&mut self, from: Uuid, into: Uuid) -> Result<FacilityMerge> {
        if from == into {
            return Err(Error::Invalid(ValidationError::new(
                "into",
                "is the facility being merged; choose another entry to merge it into",
            )));
        }
        let a = self.get::<FacilityEntry>(into)?;
        let b = self.get::<FacilityEntry>(from)?;
        let mut kept = a.data.clone();
        let mut written = vec![spelling_of(&kept.name)];
        written.extend(kept.spellings.iter().map(|s| spelling_of(s)));
        for s in std::iter::once(&b.data.name).chain(&b.data.spellings) {
            let k = spelling_of(s);
            if !written.contains(&k) {
                written.push(k);
                kept.spellings.push(s.clone());
            }
        }
        let as_facility = Facility {
            id: None,
            name: b.data.name.clone(),
            facility_type: b.data.facility_type,
            region: b.data.region.clone(),
            identifying: b.data.identifying,
        };
        if let Some(filled) = fill_gaps(&kept, &as_facility) {
            kept = filled;
        }
        if kept.notes.trim().is_empty() {
            kept.notes = b.data.notes.clone();
        } else if !b.data.notes.trim().is_empty() && b.data.notes != kept.notes {
            kept.notes = format!("{}\n\n{}", kept.notes, b.data.notes);
        }
        let kept = self.replace(into, a.revision, kept)?;
        self.refresh_linked(into, None)?;
        let mut relinked = 0;
        for s in self.linked_incidents(from)? {
            let mut data = s.data;
            data.facility.id = Some(into);
            self.replace(s.id, s.revision, data)?;
            relinked += 1;
        }
        self.delete::<FacilityEntry>(from)?;
        Ok(FacilityMerge {
            into: kept,
            removed: from,
            relinked,
        })
    }

    /// Keeps `facility_names` in step with a register entry's spellings.
    pub(crate) fn write_names(&self, id: &str, names: &[String]) -> Result<()> {
        self.registered.borrow_mut().clear();
        self.tx
            .execute("DELETE FROM facility_names WHERE facility_id = ?1", [id])?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT OR IGNORE INTO facility_names (name_key, facility_id) VALUES (?1, ?2)",
        )?;
        for n in names {
            stmt.execute(params![n, id])?;
        }
        Ok(())
    }
}

/// Where statistics place an incident: a register entry, or, for an
/// incident no entry claims, its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FacilityKey {
    /// The entry, when there is one.
    pub id: Option<Uuid>,
    /// The entry's name, or the incident's.
    pub name: String,
    /// Its type.
    pub facility_type: FacilityType,
    /// Its region.
    pub region: String,
}

/// The whole register in memory, for grouping many incidents at once.
#[derive(Debug, Default)]
pub struct FacilityRegister {
    entries: HashMap<Uuid, Stored<FacilityEntry>>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl FacilityRegister {
    /// The register of these entries.
    pub fn new(entries: Vec<Stored<FacilityEntry>>) -> Self {
        let mut by_name: HashMap<String, Vec<Uuid>> = HashMap::new();
        for e in &entries {
            for k in e.data.index().names {
                by_name.entry(k).or_default().push(e.id);
            }
        }
        Self {
            entries: entries.into_iter().map(|e| (e.id, e)).collect(),
            by_name,
        }
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = &Stored<FacilityEntry>> {
        self.entries.values()
    }

    /// The entry with this id.
    pub fn get(&self, id: Uuid) -> Option<&Stored<FacilityEntry>> {
        self.entries.get(&id)
    }

    /// Entries one of whose spellings is `name` (after [`name_key`]).
    pub fn named(&self, name: &str) -> Vec<&Stored<FacilityEntry>> {
        self.by_name
            .get(&name_key(name))
            .map(|ids| ids.iter().filter_map(|i| self.entries.get(i)).collect())
            .unwrap_or_default()
    }

    /// Where an incident's facility belongs: its linked entry; else the
    /// one entry its name is a spelling of (and whose region and type do
    /// not contradict it); else its own name, so that spellings differing
    /// only in case, marks or Unicode form still group together.
    pub fn key_of(&self, f: &Facility) -> FacilityKey {
        let of = |e: &Stored<FacilityEntry>| FacilityKey {
            id: Some(e.id),
            name: e.data.name.clone(),
            facility_type: e.data.facility_type,
            region: e.data.region.clone(),
        };
        if let Some(e) = f.id.and_then(|id| self.entries.get(&id)) {
            return of(e);
        }
        let found: Vec<_> = self
            .named(&f.name)
            .into_iter()
            .filter(|e| compatible(&e.data, f))
            .collect();
        match found.as_slice() {
            [one] => of(one),
            _ => FacilityKey {
                id: None,
                name: f.name.trim().to_owned(),
                facility_type: f.facility_type,
                region: f.region.trim().to_owned(),
            },
        }
    }

    /// The grouping identity of [`Self::key_of`]: the entry's id, or the
    /// folded name. Two incidents belong together exactly when these are
    /// equal.
    pub fn group_of(&self, f: &Facility) -> String {
        match self.key_of(f).id {
            Some(id) => id.to_string(),
            None => format!("={}", name_key(&f.name)),
        }
    }
}

/// One entry offered by the quick log.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FacilitySuggestion {
    /// The entry's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Its type.
    pub facility_type: FacilityType,
    /// Its region.
    pub region: String,
    /// The other spelling the typed text matched, when it was not the name.
    pub matched: Option<String>,
    /// Incidents linked to it.
    #[ts(type = "number")]
    pub incidents: u64,
}

impl Vault {
    /// The whole facility register.
    pub fn facility_register(&self) -> Result<FacilityRegister> {
        Ok(FacilityRegister::new(self.list::<FacilityEntry>(
            &super::ListFilter {
                limit: Some(u32::MAX),
                ..Default::default()
            },
        )?))
    }

    /// Register entries whose name or another spelling matches what the
    /// lawyer is typing, most used first; everything, most used first,
    /// when nothing is typed.
    pub fn facility_suggest(&self, typed: &str, limit: usize) -> Result<Vec<FacilitySuggestion>> {
        let register = self.facility_register()?;
        let mut out: Vec<FacilitySuggestion> = register
            .entries()
            .filter_map(|e| {
                let d = &e.data;
                let matched = if text_matches(typed, &d.name) {
                    None
                } else {
                    Some(d.spellings.iter().find(|s| text_matches(typed, s))?.clone())
                };
                Some(FacilitySuggestion {
                    id: e.id,
                    name: d.name.clone(),
                    facility_type: d.facility_type,
                    region: d.region.clone(),
                    matched,
                    incidents: 0,
                })
            })
            .collect();
        let counts = self.incident_counts(out.iter().map(|s| s.id))?;
        for s in &mut out {
            s.incidents = counts.get(&s.id).copied().unwrap_or(0);
        }
        out.sort_by(|a, b| {
            b.incidents
                .cmp(&a.incidents)
                .then_with(|| crate::text::fold(&a.name).cmp(&crate::text::fold(&b.name)))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// How many incidents are linked to the entry `id`.
    pub fn count_at_facility(&self, id: Uuid) -> Result<u64> {
        Ok(self
            .incident_counts(std::iter::once(id))?
            .get(&id)
            .copied()
            .unwrap_or(0))
    }

    /// How many incidents are linked to each of these entries.
    fn incident_counts(&self, ids: impl Iterator<Item = Uuid>) -> Result<HashMap<Uuid, u64>> {
        let ids: Vec<String> = ids.map(|i| i.to_string()).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT facility, count(*) FROM records
             WHERE kind = 'incident' AND facility COLLATE NOCASE IN (SELECT value FROM json_each(?1))
             GROUP BY facility",
        )?;
        let json = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        let rows = stmt.query_map([json], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, n) = row?;
            if let Ok(id) = Uuid::parse_str(&id) {
                out.insert(id, n as u64);
            }
        }
        Ok(out)
    }

    /// The one entry `text` names: an id or id prefix, else a name or
    /// other spelling (compared by [`name_key`]).
    pub fn resolve_facility(&self, text: &str) -> Result<Uuid> {
        if let Ok(id) = self.resolve::<FacilityEntry>(text) {
            if self.get::<FacilityEntry>(id).is_ok() {
                return Ok(id);
            }
        }
        let register = self.facility_register()?;
        let found = register.named(text);
        match found.as_slice() {
            [one] => Ok(one.id),
            [] => Err(Error::NotFound {
                kind: Kind::Facility,
                id: text.trim().to_owned(),
            }),
            many => Err(ambiguous(
                text.trim(),
                &many.iter().map(|e| e.id).collect::<Vec<_>>(),
            )),
        }
    }

    /// The `facility` column values of the incidents at the place `text`
    /// names: every entry it is an id, name or spelling of (by id, and by
    /// each of their spellings, for incidents not linked), and the typed
    /// name itself.
    pub(crate) fn facility_filter_keys(&self, text: &str) -> Result<Vec<String>> {
        let register = self.facility_register()?;
        let mut entries = register.named(text);
        if let Ok(id) = self.resolve::<FacilityEntry>(text) {
            if let Some(e) = register.get(id) {
                entries.push(e);
            }
        }
        let mut keys = vec![format!("={}", name_key(text))];
        for e in entries {
            keys.push(e.id.to_string());
            keys.extend(e.data.index().names.into_iter().map(|n| format!("={n}")));
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }

    /// Merges the register entry `from` into `into` (see
    /// [`Writer::merge_facilities`]), in one transaction.
    pub fn merge_facilities(&self, from: Uuid, into: Uuid) -> Result<FacilityMerge> {
        self.write(|w| w.merge_facilities(from, into))
    }
}

/// What building the register from an older vault did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RegisterBuilt {
    /// Entries added.
    pub facilities: u64,
    /// Incidents linked, each with a revision.
    pub linked: u64,
}

/// `meta` key set by migration 0006 when a vault with incidents needs its
/// register built.
const PENDING_KEY: &str = "facility_register";

/// Builds the register of a vault made before it existed, once, at the
/// first unlock by this version (migration 0006 marks such a vault; SQL
/// cannot write revisions, whose MAC needs the vault key).
///
/// Incidents are grouped by the [`name_key`] of their facility name, so
/// the same name typed composed or decomposed, in capitals or without
/// Azerbaijani letters is one place; within a name, incidents whose
/// regions or types contradict each other are different places. Each
/// group becomes an entry named by its most used spelling, and every
/// incident made in this vault is linked to it with a revision. Records
/// imported from bundles are not changed (they stay as their sender sent
/// them); only their `facility` column is recomputed, and statistics
/// place them by name. An incident that no longer passes validation is
/// left unlinked rather than blocking the upgrade.
pub(crate) fn build_register(w: &mut Writer<'_>) -> Result<RegisterBuilt> {
    use rusqlite::OptionalExtension;
    let pending: Option<String> =
        w.tx.query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [PENDING_KEY],
            |r| r.get(0),
        )
        .optional()?;
    if pending.is_none() {
        return Ok(RegisterBuilt::default());
    }
    struct Row {
        seq: i64,
        local: bool,
        incident: Stored<Incident>,
    }
    let rows: Vec<Row> = {
        let mut stmt = w.tx.prepare(
            "SELECT seq, id, revision, created_at, updated_at, data, origin FROM records
             WHERE kind = 'incident' ORDER BY seq",
        )?;
        let mapped = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut rows = vec![];
        for m in mapped {
            let (seq, id, rev, c, u, data, origin) = m?;
            // A record that cannot be read is verify-vault's to report.
            if let Ok(incident) = super::decode::<Incident>(&id, rev, &c, &u, data.as_bytes()) {
                rows.push(Row {
                    seq,
                    local: super::Origin::from_db(&origin) == super::Origin::Local,
                    incident,
                });
            }
        }
        rows
    };

    // Places: per name key, clusters of incidents that do not contradict
    // each other, in the order the incidents were saved.
    struct Place {
        entry: FacilityEntry,
        spellings: BTreeMap<String, (usize, i64)>,
        members: Vec<usize>,
    }
    let mut places: Vec<Place> = vec![];
    let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let f = &row.incident.data.facility;
        let key = name_key(&f.name);
        if key.is_empty() {
            continue;
        }
        let cluster = by_key.entry(key).or_default();
        let at = cluster
            .iter()
            .copied()
            .find(|&p| compatible(&places[p].entry, f));
        let p = match at {
            Some(p) => p,
            None => {
                places.push(Place {
                    entry: FacilityEntry::new(f.name.trim()),
                    spellings: BTreeMap::new(),
                    members: vec![],
                });
                cluster.push(places.len() - 1);
                places.len() - 1
            }
        };
        let place = &mut places[p];
        if let Some(filled) = fill_gaps(&place.entry, f) {
            place.entry = filled;
        }
        let spelling =
            unicode_normalization::UnicodeNormalization::nfc(f.name.trim()).collect::<String>();
        let e = place.spellings.entry(spelling).or_insert((0, row.seq));
        e.0 += 1;
        place.members.push(i);
    }

    let mut built = RegisterBuilt::default();
    let mut linked = vec![false; rows.len()];
    for place in places {
        let mut entry = place.entry;
        // Named by the spelling used most, the earliest on a tie.
        if let Some((name, _)) = place
            .spellings
            .iter()
            .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        {
            entry.name = name.clone();
        }
        // The other ways the incidents wrote it, kept for documents.
        let mut written = vec![spelling_of(&entry.name)];
        for name in place.spellings.keys() {
            let k = spelling_of(name);
            if !written.contains(&k) {
                written.push(k);
                entry.spellings.push(name.clone());
            }
        }
        let stored = w.insert(entry)?;
        built.facilities += 1;
        for i in place.members {
            let row = &rows[i];
            if !row.local {
                continue;
            }
            let mut data = row.incident.data.clone();
            data.facility.id = Some(stored.id);
            match w.update(row.incident.id, row.incident.revision, data) {
                Ok(_) => {
                    built.linked += 1;
                    linked[i] = true;
                }
                Err(Error::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    // Every incident left as it was gets its new `facility` column value.
    let mut stmt =
        w.tx.prepare("UPDATE records SET facility = ?1 WHERE seq = ?2")?;
    for (row, _) in rows.iter().zip(&linked).filter(|(_, l)| !**l) {
        stmt.execute(params![
            facility_index_key(&row.incident.data.facility),
            row.seq
        ])?;
    }
    drop(stmt);
    w.tx.execute("DELETE FROM meta WHERE key = ?1", [PENDING_KEY])?;
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn names_differing_in_case_marks_form_and_script_share_a_key() {
        let nfd: String = "Kürdəxanı İstintaq Təcridxanası".nfd().collect();
        let k = name_key("Kürdəxanı İstintaq Təcridxanası");
        assert_eq!(name_key(&nfd), k);
        assert_eq!(name_key("KÜRDƏXANI  istintaq, TƏCRİDXANASI"), k);
        assert_eq!(name_key("Kurdexani Istintaq Tecridxanasi"), k);
        // One matcher with search: other scripts and transliterations,
        // and a concept ("СИЗО") for the phrase that names it.
        assert_eq!(name_key("Kurdakhany"), name_key("Kürdəxanı"));
        assert_eq!(name_key("Кюрдаханы"), name_key("Kürdəxanı"));
        assert_eq!(name_key("Кюрдаханы СИЗО"), k);
        assert_eq!(name_key("Kurdakhany pre-trial detention centre"), k);
        assert_eq!(
            name_key("СИЗО №1, Баку"),
            name_key("Bakı 1 saylı istintaq təcridxanası")
        );
        // What a lawyer tells apart stays apart.
        assert_ne!(name_key("Kürdəxanı İVS"), k);
        assert_ne!(name_key("Polis bölməsi 3"), name_key("Polis bölməsi 8"));
        assert_ne!(name_key("Gəncə İVS"), name_key("Şəki İVS"));
        assert_eq!(name_key(" — "), "");
    }

    #[test]
    fn region_and_type_decide_between_places_of_one_name() {
        let mut e = FacilityEntry::new("Polis bölməsi 3");
        let mut f = Facility {
            id: None,
            name: "Polis bölməsi 3".into(),
            facility_type: FacilityType::Other,
            region: String::new(),
            identifying: false,
        };
        assert!(compatible(&e, &f), "nothing said on either side");
        e.region = "Şəki".into();
        f.region = "ŞƏKİ".into();
        assert!(compatible(&e, &f), "the same region, written otherwise");
        f.region = "Gəncə".into();
        assert!(!compatible(&e, &f), "another town is another place");
        f.region.clear();
        e.facility_type = FacilityType::PoliceStation;
        f.facility_type = FacilityType::Court;
        assert!(!compatible(&e, &f));
        f.facility_type = FacilityType::Other;
        assert!(compatible(&e, &f));
    }

    #[test]
    fn typed_words_match_any_spelling_as_search_does() {
        let name = "Kürdəxanı İstintaq Təcridxanası";
        assert!(text_matches("kurdex", name));
        assert!(
            text_matches("təcridxanası KÜRD", name),
            "words typed in any order"
        );
        // As in the search box, only the last word is a prefix.
        assert!(!text_matches("təcrid KÜRD", name));
        assert!(text_matches("Кюрд", name), "another script");
        assert!(text_matches("Kurdakh", name), "a transliteration");
        assert!(text_matches("СИЗО", name), "the concept the phrase names");
        assert!(text_matches("Кюрд", "Кюрдаханы СИЗО"));
        assert!(!text_matches("Şəki", name));
        assert!(text_matches("", "anything"));
    }
}
