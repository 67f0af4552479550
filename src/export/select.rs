//! Choosing what leaves, and reading it back one record at a time.
//!
//! [`select`] reads the vault once. It decides for every incident and
//! evidence note whether it leaves (profile, consent, drafts,
//! confidentiality, period, links), sorts the attachments of the evidence
//! that leaves (see [`super::metadata`]), and gathers the names the export
//! removes. Clients, cases, hearings and deadlines, which are few, are
//! kept redacted in memory. Incidents and evidence notes, the bulk of a
//! vault, are kept only while their stored JSON adds up to less than
//! [`KEEP_BYTES`]: a small export is then written from memory, as before.
//! Past that, the reading decodes only what it decides an incident by
//! (`IncidentFacts`), and copies the stored row of each leaving incident
//! ([`super::rows`], encrypted on disk past its own budget); every writer
//! then reads the incidents from that copy, and evidence notes again from
//! the vault, one record at a time ([`ExportSet::each_incident`]), each
//! redacted again by the same functions, so that an export of any size
//! holds one record at a time. What a later reading needs to repeat the
//! choice is kept in between: the ids of the incidents, cases and clients
//! that leave, and each exported note's sorted attachments (about 40
//! bytes per exported incident).
//!
//! The re-identification check ([`super::reid`]) can only look for a name
//! once every name is known, and witnesses' and custodians' names are
//! only known once everything has been read. Kept records are scanned at
//! the end of [`select`]. Records read again (from the copy or the
//! vault) are scanned by the first complete reading, so that a writer's
//! own pass finds the hits; nothing may be written out before
//! [`ExportSet::hits`], which completes any reading still missing, says
//! none is left unconfirmed (see [`super::request`] and [`super::spill`]).

use super::fields::Field;
use super::metadata::AttachmentStatus;
use super::redact::{
    always_leaves, redact_case, redact_client, redact_deadline, redact_evidence, redact_hearing,
    redact_incident, Cx, Excluded, HeldBack, Out,
};
use super::reid::{Hit, NameOf, Names};
use super::rows::{Rows, RowsWriter};
use super::{ExportError, ExportOptions, Profile, Result, PUBLIC_RECIPIENT};
use crate::model::{
    AttachmentRef, Case, Client, Confidentiality, Deadline, EventTime, EvidenceNote, Hearing,
    Incident, Kind, Record, RecordStatus, Stored,
};
use crate::store::ListFilter;
use crate::Vault;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Incidents and evidence notes whose stored JSON adds up to less than
/// this are kept in memory between the choice and the writing (about
/// 17,000 incidents); beyond it they are read again for each pass.
pub const KEEP_BYTES: usize = 16 << 20;

/// One attachment file that leaves with the exported evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// SHA-256 of the bytes that leave (of the cleaned copy, if cleaned),
    /// lower-case hex.
    pub sha256: String,
    /// Their size.
    pub size: u64,
    /// The media type recorded at intake.
    pub media_type: String,
}

/// Incidents or evidence notes that leave: in memory, their stored rows
/// copied by the first reading ([`super::rows`]), or read again from the
/// vault.
enum Records<T: Record> {
    Kept(Vec<Out<T>>),
    Copied(Rows),
    Reread,
}

/// The removed names found so far, by where they were found, so that they
/// are listed in the same order whichever reading found them.
#[derive(Default)]
struct Hits {
    /// `None` until a complete reading of the incidents has scanned them.
    incidents: Option<Vec<Hit>>,
    clients_and_cases: Vec<Hit>,
    evidence: Option<Vec<Hit>>,
    calendar: Vec<Hit>,
}

/// What decides whether an incident leaves, beyond its client and period.
/// Kept apart from the [`Plan`], whose names (with their cache of texts
/// found clean) cannot be shared between threads, so that [`select`]'s
/// reading can decide on a second thread.
struct Rules {
    backup: bool,
    include_drafts: bool,
    /// Recipients whose consent each incident needs (lower-cased).
    consent_for: Vec<String>,
}

impl Rules {
    /// Why an incident stays home, or `Ok(health)`: it leaves, with health
    /// details if every recipient has the client's consent to them.
    fn fate(&self, profile: Profile, d: &impl Fated) -> std::result::Result<bool, HeldBack> {
        if self.backup {
            return Ok(true);
        }
        if d.confidentiality() == Confidentiality::Restricted {
            return Err(HeldBack::Restricted);
        }
        if profile == Profile::Public && d.confidentiality() == Confidentiality::Confidential {
            return Err(HeldBack::ConfidentialNotPublic);
        }
        if let Some(r) = self.consent_for.iter().find(|r| {
            !d.consents()
                .any(|(recipient, granted, _)| granted && norm(recipient) == **r)
        }) {
            return Err(HeldBack::NoConsent {
                recipient: r.clone(),
            });
        }
        if d.status() == RecordStatus::Draft && !self.include_drafts {
            return Err(HeldBack::Draft);
        }
        Ok(self.consent_for.iter().all(|r| {
            d.consents()
                .any(|(recipient, granted, health)| granted && health && norm(recipient) == *r)
        }))
    }
}

/// What a later reading needs to make the same choice as [`select`].
struct Plan {
    rules: Rules,
    without_attachments: bool,
    /// The incidents asked for (client and period).
    incident_filter: ListFilter,
    /// The client asked for, if any.
    client: Option<Uuid>,
    names: Names,
    /// Ids of the incidents that leave, sorted.
    incidents: Vec<Uuid>,
    cases: HashSet<Uuid>,
    clients: HashSet<Uuid>,
    /// Clients the export is about (all, or the one asked for).
    chosen_clients: HashSet<Uuid>,
    /// Outside the own backup: the attachments of each exported evidence
    /// note that leave, and whether any of them is a cleaned copy.
    attachments: HashMap<Uuid, (Vec<AttachmentRef>, bool)>,
}

impl Plan {
    fn incident_leaves(&self, id: Uuid) -> bool {
        self.incidents.binary_search(&id).is_ok()
    }

    /// Whether an evidence note leaves (the own backup: every note of the
    /// clients asked for; otherwise: notes of at least one incident that
    /// leaves).
    fn evidence_wanted(&self, d: &EvidenceNote) -> bool {
        let of_leaving_incident = d.incident_ids.iter().any(|id| self.incident_leaves(*id));
        if self.rules.backup {
            self.client.is_none()
                || of_leaving_incident
                || d.case_id.is_some_and(|id| self.cases.contains(&id))
                || d.client_id.is_some_and(|id| self.clients.contains(&id))
        } else {
            of_leaving_incident
        }
    }

    /// A leaving incident, redacted, its case link dropped if the case
    /// does not leave.
    fn incident_out(
        &self,
        cx: &Cx<'_>,
        raw: Stored<Incident>,
        health: bool,
        hits: &mut Vec<Hit>,
    ) -> Out<Incident> {
        let mut o = redact_incident(raw, cx, hits, health);
        if let Some(case) = o.record.data.case_id {
            if !self.cases.contains(&case) {
                o.record.data.case_id = None;
                o.removed.push(Field::IncidentCaseId.row().path);
            }
        }
        o
    }

    /// A leaving evidence note, its attachments as sorted by [`select`],
    /// redacted, its links to records that stay dropped.
    fn evidence_out(
        &self,
        cx: &Cx<'_>,
        mut raw: Stored<EvidenceNote>,
        numbered: &mut usize,
        hits: &mut Vec<Hit>,
    ) -> Out<EvidenceNote> {
        let d = &mut raw.data;
        let mut removed_attachments = false;
        if self.without_attachments && !d.attachments.is_empty() {
            d.attachments.clear();
            removed_attachments = true;
        }
        let mut cleaned = false;
        if !self.rules.backup {
            let (kept, any_cleaned) = self.attachments.get(&raw.id).cloned().unwrap_or_default();
            raw.data.attachments = kept;
            cleaned = any_cleaned;
        }
        let mut o = redact_evidence(raw, cx, hits, numbered, cleaned);
        if removed_attachments {
            o.removed.push("attachments");
        }
        let d = &mut o.record.data;
        // Only the incidents that leave are named: the id of one held back
        // would tell the recipient it exists. The list is shortened, or
        // removed when none is left (the own backup of one client).
        let linked = d.incident_ids.len();
        d.incident_ids.retain(|id| self.incident_leaves(*id));
        let path = Field::EvidenceIncidentIds.row().path;
        if d.incident_ids.is_empty() && linked > 0 {
            o.removed.push(path);
        } else if d.incident_ids.len() != linked && !o.replaced.contains(&path) {
            o.replaced.push(path);
        }
        if d.case_id.is_some_and(|id| !self.cases.contains(&id)) {
            d.case_id = None;
            o.removed.push(Field::EvidenceCaseId.row().path);
        }
        if d.client_id.is_some_and(|id| !self.clients.contains(&id)) {
            d.client_id = None;
            o.removed.push(Field::EvidenceClientId.row().path);
        }
        o
    }
}

/// What an incident's fate depends on ([`Plan::fate`]).
trait Fated {
    fn confidentiality(&self) -> Confidentiality;
    fn status(&self) -> RecordStatus;
    /// Each consent: to whom, granted, health details included.
    fn consents(&self) -> impl Iterator<Item = (&str, bool, bool)>;
}

impl Fated for Incident {
    fn confidentiality(&self) -> Confidentiality {
        self.confidentiality
    }

    fn status(&self) -> RecordStatus {
        self.status
    }

    fn consents(&self) -> impl Iterator<Item = (&str, bool, bool)> {
        self.consent
            .iter()
            .map(|c| (c.recipient.as_str(), c.granted, c.include_health))
    }
}

/// What [`select`] reads of an incident that it does not keep: the fields
/// its choice and the names it gathers depend on, read from the stored
/// JSON with [`Incident`]'s names and defaults; every other field is
/// skipped, not decoded. Past the memory budget, this is the whole of a
/// large export's first reading, and decoding whole records there (only
/// to drop them) was a large part of its time (docs/benchmarks.md,
/// section 2).
#[derive(Deserialize)]
struct IncidentFacts<'a> {
    client_id: Uuid,
    #[serde(default)]
    case_id: Option<Uuid>,
    occurred: EventTime,
    #[serde(default)]
    confidentiality: Confidentiality,
    #[serde(default, borrow)]
    consent: Vec<ConsentFacts<'a>>,
    #[serde(default)]
    status: RecordStatus,
    #[serde(default, borrow)]
    witnesses: Vec<WitnessName<'a>>,
}

#[derive(Deserialize)]
struct ConsentFacts<'a> {
    #[serde(borrow)]
    recipient: Cow<'a, str>,
    granted: bool,
    #[serde(default)]
    include_health: bool,
}

#[derive(Deserialize)]
struct WitnessName<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
}

impl Fated for IncidentFacts<'_> {
    fn confidentiality(&self) -> Confidentiality {
        self.confidentiality
    }

    fn status(&self) -> RecordStatus {
        self.status
    }

    fn consents(&self) -> impl Iterator<Item = (&str, bool, bool)> {
        self.consent
            .iter()
            .map(|c| (&*c.recipient, c.granted, c.include_health))
    }
}

/// Everything one export writes: the choice, made once by [`select`].
pub struct ExportSet<'v> {
    vault: &'v Vault,
    /// Profile applied.
    pub profile: Profile,
    /// Organisations it is for.
    pub recipients: Vec<String>,
    /// When the set was chosen.
    pub generated_at: DateTime<Utc>,
    /// The exporting vault.
    pub vault_id: String,
    /// Clients.
    pub clients: Vec<Out<Client>>,
    /// Cases.
    pub cases: Vec<Out<Case>>,
    /// Hearings (calendar exports).
    pub hearings: Vec<Out<Hearing>>,
    /// Deadlines (calendar exports).
    pub deadlines: Vec<Out<Deadline>>,
    /// What was held back.
    pub excluded: Vec<Excluded>,
    /// The period asked for, if any.
    pub from: Option<DateTime<FixedOffset>>,
    /// …until.
    pub to: Option<DateTime<FixedOffset>>,
    /// Exported attachment hash → stored original's hash, for copies
    /// whose metadata was stripped.
    pub stripped: HashMap<String, String>,
    /// Per attachment of an exported evidence note: stripped, as is, or
    /// held back and why (none in the lawyer's own full backup, which
    /// carries every original).
    pub attachments: Vec<AttachmentStatus>,
    /// The distinct files the exported evidence lists, in order.
    pub files: Vec<ExportedFile>,
    /// Incidents that leave.
    incident_count: usize,
    /// Evidence notes that leave.
    evidence_count: usize,
    /// The earliest and the latest moment of the incidents that leave.
    span: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    /// Client id → position in `clients`.
    client_at: HashMap<Uuid, usize>,
    plan: Plan,
    incidents: Records<Incident>,
    evidence: Records<EvidenceNote>,
    hits: RefCell<Hits>,
}

impl std::fmt::Debug for ExportSet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportSet")
            .field("profile", &self.profile)
            .field("recipients", &self.recipients)
            .field("incidents", &self.incident_count)
            .field("evidence", &self.evidence_count)
            .field("held_back", &self.excluded.len())
            .finish_non_exhaustive()
    }
}

impl<'v> ExportSet<'v> {
    /// The vault the records are read from.
    pub fn vault(&self) -> &'v Vault {
        self.vault
    }

    /// The exported client with this id.
    pub fn client(&self, id: Uuid) -> Option<&Stored<Client>> {
        self.client_at.get(&id).map(|&n| &self.clients[n].record)
    }

    /// The name an incident's client goes by in this export: the full
    /// name in the lawyer's own backup, the pseudonym otherwise.
    pub fn client_label(&self, id: Uuid) -> String {
        match self.client(id) {
            Some(c) if self.is_backup() && !c.data.full_name.is_empty() => {
                format!("{} ({})", c.data.full_name, c.data.pseudonym)
            }
            Some(c) => c.data.pseudonym.clone(),
            None => String::new(),
        }
    }

    /// Whether this is the lawyer's own backup (full profile, no recipient).
    pub fn is_backup(&self) -> bool {
        self.profile == Profile::Full && self.recipients.is_empty()
    }

    /// How many incidents leave.
    pub fn incident_count(&self) -> usize {
        self.incident_count
    }

    /// How many evidence notes leave.
    pub fn evidence_count(&self) -> usize {
        self.evidence_count
    }

    /// The earliest and the latest moment of the incidents that leave.
    pub fn incident_span(&self) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        self.span
    }

    /// Whether incident `id` leaves.
    pub fn has_incident(&self, id: Uuid) -> bool {
        self.plan.incident_leaves(id)
    }

    /// Whether the incidents and notes are kept in memory (a small
    /// export) rather than read again for each pass.
    pub fn in_memory(&self) -> bool {
        matches!(self.incidents, Records::Kept(_))
    }

    /// Hands each incident that leaves, redacted, oldest first, to `each`;
    /// stops at the first error. Read again from the copy of their rows
    /// unless kept.
    pub fn each_incident(&self, each: &mut dyn FnMut(&Out<Incident>) -> Result<()>) -> Result<()> {
        if let Records::Kept(v) = &self.incidents {
            for o in v {
                self.vault.check_cancel()?;
                each(o)?;
            }
            return Ok(());
        }
        let scan = self.hits.borrow().incidents.is_none();
        let none = Names::default();
        let cx = self.cx(if scan { &self.plan.names } else { &none });
        let mut found = vec![];
        let mut seen = 0usize;
        match &self.incidents {
            Records::Copied(rows) => rows.each::<Incident>(&mut |raw, health| {
                self.vault.check_cancel()?;
                seen += 1;
                each(&self.plan.incident_out(&cx, raw, health, &mut found))
            })?,
            _ => self.vault.for_each::<Incident, ExportError>(
                &self.plan.incident_filter,
                |raw, _| {
                    self.vault.check_cancel()?;
                    let Ok(health) = self.plan.rules.fate(self.profile, &raw.data) else {
                        return Ok(());
                    };
                    seen += 1;
                    each(&self.plan.incident_out(&cx, raw, health, &mut found))
                },
            )?,
        }
        self.check_count("incidents", seen, self.incident_count)?;
        if scan {
            self.hits.borrow_mut().incidents = Some(found);
        }
        Ok(())
    }

    /// Hands each evidence note that leaves, redacted, to `each`.
    pub fn each_evidence(
        &self,
        each: &mut dyn FnMut(&Out<EvidenceNote>) -> Result<()>,
    ) -> Result<()> {
        if let Records::Kept(v) = &self.evidence {
            for o in v {
                self.vault.check_cancel()?;
                each(o)?;
            }
            return Ok(());
        }
        if self.profile == Profile::Public {
            self.hits.borrow_mut().evidence = Some(vec![]);
            return Ok(());
        }
        let scan = self.hits.borrow().evidence.is_none();
        let none = Names::default();
        let cx = self.cx(if scan { &self.plan.names } else { &none });
        let mut found = vec![];
        let mut numbered = 0usize;
        let mut seen = 0usize;
        self.vault
            .for_each::<EvidenceNote, ExportError>(&evidence_filter(), |raw, _| {
                self.vault.check_cancel()?;
                if !self.plan.evidence_wanted(&raw.data) {
                    return Ok(());
                }
                seen += 1;
                each(&self.plan.evidence_out(&cx, raw, &mut numbered, &mut found))
            })?;
        self.check_count("evidence notes", seen, self.evidence_count)?;
        if scan {
            self.hits.borrow_mut().evidence = Some(found);
        }
        Ok(())
    }

    /// One incident that leaves, redacted; `None` if it does not leave.
    pub fn incident(&self, id: Uuid) -> Result<Option<Out<Incident>>> {
        if !self.plan.incident_leaves(id) {
            return Ok(None);
        }
        if let Records::Kept(v) = &self.incidents {
            return Ok(v.iter().find(|o| o.record.id == id).cloned());
        }
        let raw = self.vault.get::<Incident>(id)?;
        let Ok(health) = self.plan.rules.fate(self.profile, &raw.data) else {
            return Ok(None);
        };
        let none = Names::default();
        Ok(Some(self.plan.incident_out(
            &self.cx(&none),
            raw,
            health,
            &mut vec![],
        )))
    }

    /// Every removed name found in text that leaves, in the order of the
    /// records (incidents, clients, cases, evidence, hearings, deadlines).
    /// Reads the incidents or notes again if no complete reading has
    /// scanned them yet.
    pub fn hits(&self) -> Result<Vec<Hit>> {
        if self.hits.borrow().incidents.is_none() {
            self.each_incident(&mut |_| Ok(()))?;
        }
        if self.hits.borrow().evidence.is_none() {
            self.each_evidence(&mut |_| Ok(()))?;
        }
        let h = self.hits.borrow();
        let mut all = vec![];
        all.extend(h.incidents.iter().flatten().cloned());
        all.extend(h.clients_and_cases.iter().cloned());
        all.extend(h.evidence.iter().flatten().cloned());
        all.extend(h.calendar.iter().cloned());
        Ok(all)
    }

    fn cx<'n>(&self, names: &'n Names) -> Cx<'n> {
        Cx {
            profile: self.profile,
            backup: self.plan.rules.backup,
            names,
        }
    }

    /// A reading that finds another number of records than [`select`] did
    /// means the vault changed in between; nothing must be written then.
    fn check_count(&self, what: &str, seen: usize, chosen: usize) -> Result<()> {
        if seen == chosen {
            return Ok(());
        }
        Err(ExportError::Serialise {
            what: what.into(),
            reason: format!(
                "{chosen} were chosen but {seen} were read back: the vault changed while \
                 exporting; export again"
            ),
        })
    }
}

fn norm(name: &str) -> String {
    name.trim().to_lowercase()
}

fn evidence_filter() -> ListFilter {
    ListFilter {
        oldest_first: true,
        ..Default::default()
    }
}

/// Adds the names this export removes from one record, as the old
/// whole-vault gathering did: clients' names and contacts, witnesses,
/// custodians.
struct NameGathering {
    profile: Profile,
    backup: bool,
    names: Names,
}

impl NameGathering {
    fn gone(&self, f: Field) -> bool {
        !matches!(
            f.row().rule(self.profile, self.backup),
            super::fields::Rule::Leaves
        )
    }

    fn client(&mut self, c: &Client) {
        if self.gone(Field::ClientFullName) {
            self.names.add(NameOf::Client, &c.full_name);
        }
        if self.gone(Field::ClientContactValue) {
            // Phone numbers and addresses are not names.
            for v in c.contacts.iter().map(|c| &c.value) {
                if !v.contains('@') && !v.chars().any(|ch| ch.is_ascii_digit()) {
                    self.names.add(NameOf::Contact, v);
                }
            }
        }
    }

    fn witnesses<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        if self.gone(Field::IncidentWitnessName) {
            for name in names {
                self.names.add(NameOf::Witness, name);
            }
        }
    }

    fn evidence(&mut self, e: &EvidenceNote) {
        if self.gone(Field::EvidenceCustodyWho) {
            for c in &e.custody {
                self.names.add(NameOf::Custodian, &c.who);
            }
        }
    }
}

/// Records kept in memory while every kept record's stored JSON adds up
/// to no more than the budget; past it, none is kept.
struct Keep<T> {
    items: Option<Vec<T>>,
}

impl<T> Keep<T> {
    fn new() -> Self {
        Self {
            items: Some(vec![]),
        }
    }

    /// Whether records are still being kept.
    fn open(&self) -> bool {
        self.items.is_some()
    }

    /// Keeps `item` while the budget allows; the push that spends it
    /// returns every item kept so far and this one, in order, and keeps
    /// none from then on.
    fn push(&mut self, item: T, bytes: usize, used: &mut usize, budget: usize) -> Option<Vec<T>> {
        *used = used.saturating_add(bytes);
        let v = self.items.as_mut()?;
        v.push(item);
        if *used > budget {
            return self.items.take();
        }
        None
    }
}

/// Every record of one kind that `f` selects, oldest first.
fn all<T: Record>(vault: &Vault, f: ListFilter) -> Result<Vec<Stored<T>>> {
    let mut out = vec![];
    vault.for_each::<T, ExportError>(
        &ListFilter {
            oldest_first: true,
            ..f
        },
        |r, _| {
            out.push(r);
            Ok(())
        },
    )?;
    Ok(out)
}

/// Applies the profile, the filters and consent; returns what leaves.
pub fn select<'v>(vault: &'v Vault, opts: &ExportOptions) -> Result<ExportSet<'v>> {
    select_keeping(vault, opts, KEEP_BYTES)
}

/// [`select`] with another memory budget for incidents and notes (0: none
/// is kept, every writer reads them again), for tests of both ways.
#[doc(hidden)]
pub fn select_keeping<'v>(
    vault: &'v Vault,
    opts: &ExportOptions,
    keep_bytes: usize,
) -> Result<ExportSet<'v>> {
    let profile = opts.profile;
    let backup = profile == Profile::Full && opts.recipients.is_empty();
    let mut consent_for: Vec<String> = opts.recipients.iter().map(|r| norm(r)).collect();
    if consent_for.is_empty() {
        match profile {
            Profile::Full => {}
            Profile::Ngo => return Err(ExportError::RecipientRequired(profile)),
            Profile::Public => consent_for.push(PUBLIC_RECIPIENT.into()),
        }
    }
    let vault_id: String =
        vault
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
                r.get(0)
            })?;
    let mut plan = Plan {
        rules: Rules {
            backup,
            include_drafts: opts.include_drafts,
            consent_for,
        },
        without_attachments: opts.without_attachments,
        incident_filter: ListFilter {
            client_id: opts.client,
            from: opts.from,
            to: opts.to,
            oldest_first: true,
            ..Default::default()
        },
        client: opts.client,
        names: Names::default(),
        incidents: vec![],
        cases: HashSet::new(),
        clients: HashSet::new(),
        chosen_clients: HashSet::new(),
        attachments: HashMap::new(),
    };
    let mut gather = NameGathering {
        profile,
        backup,
        names: Names::default(),
    };
    let mut excluded = vec![];
    let mut kept_bytes = 0usize;

    // Clients: all of them name names; those asked for are the export's.
    let all_clients = all::<Client>(vault, ListFilter::default())?;
    for c in &all_clients {
        gather.client(&c.data);
    }
    let clients: Vec<Stored<Client>> = all_clients
        .into_iter()
        .filter(|c| opts.client.is_none_or(|id| id == c.id))
        .collect();
    plan.chosen_clients = clients.iter().map(|c| c.id).collect();

    // Incidents: one reading decides, gathers witnesses' names and keeps
    // the leaving ones while they fit; once they do not, it reads only
    // what it decides by (`IncidentFacts`).
    let case_leaves = always_leaves(Field::IncidentCaseId, profile, backup);
    let mut kept_incidents: Keep<(Stored<Incident>, bool)> = Keep::new();
    let mut used_clients = HashSet::new();
    let mut used_cases = HashSet::new();
    let mut span: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> = None;
    let mut leaving = vec![];
    // The leaving rows, copied for the writers' readings once the records
    // do not fit in memory.
    let mut rows = RowsWriter::new(vault.dir());
    let cancel = vault.cancel_handle();
    // Beside the reading: this is half of a large export's first reading.
    vault.for_each_raw_beside::<Incident, ExportError>(&plan.incident_filter, |raw| {
        cancel.check()?;
        let (id, fate, client_id, case_id, at, whole) = if kept_incidents.open() {
            let inc: Stored<Incident> = raw.decode()?;
            let d = &inc.data;
            gather.witnesses(d.witnesses.iter().map(|w| w.name.as_str()));
            let fate = plan.rules.fate(profile, d);
            let (client, case, at) = (d.client_id, d.case_id, d.occurred.at);
            (inc.id, fate, client, case, at, Some(inc))
        } else {
            let f: IncidentFacts<'_> = raw.parse()?;
            gather.witnesses(f.witnesses.iter().map(|w| &*w.name));
            let fate = plan.rules.fate(profile, &f);
            (raw.id()?, fate, f.client_id, f.case_id, f.occurred.at, None)
        };
        match fate {
            Err(reason) => excluded.push(Excluded {
                kind: Kind::Incident,
                id,
                reason,
            }),
            Ok(health) => {
                used_clients.insert(client_id);
                if case_leaves {
                    used_cases.extend(case_id);
                }
                // As `Iterator::min`/`max` would pick among equal moments.
                span = Some(match span {
                    None => (at, at),
                    Some((a, b)) => (if at < a { at } else { a }, if at >= b { at } else { b }),
                });
                leaving.push(id);
                // Rows are copied once the records no longer fit: those
                // kept until then are written to the copy from memory.
                match whole {
                    Some(inc) => {
                        let bytes = raw.data.len();
                        let dropped =
                            kept_incidents.push((inc, health), bytes, &mut kept_bytes, keep_bytes);
                        for (inc, health) in dropped.into_iter().flatten() {
                            rows.push_stored(&inc, health)?;
                        }
                    }
                    None => rows.push(raw, health)?,
                }
            }
        }
        Ok(())
    })?;
    let incident_count = leaving.len();
    leaving.sort_unstable();
    plan.incidents = leaving;

    // Clients: all in a backup, otherwise only those with an exported incident.
    let clients: Vec<Stored<Client>> = clients
        .into_iter()
        .filter(|c| backup || used_clients.contains(&c.id))
        .collect();
    plan.clients = clients.iter().map(|c| c.id).collect();

    // Cases: none in public reports; a case keeps only clients that leave
    // and leaves only if one does.
    let mut cases = vec![];
    if profile != Profile::Public {
        let none = Names::default();
        let cx = Cx {
            profile,
            backup,
            names: &none,
        };
        for c in all::<Case>(vault, ListFilter::default())? {
            let wanted = if backup {
                opts.client.is_none()
                    || c.data
                        .client_ids
                        .iter()
                        .any(|id| plan.chosen_clients.contains(id))
            } else {
                used_cases.contains(&c.id)
            };
            if !wanted {
                continue;
            }
            let o = redact_case(c.clone(), &cx, &mut vec![], &plan.clients);
            if !o.record.data.client_ids.is_empty() {
                cases.push(c);
            }
        }
    }
    plan.cases = cases.iter().map(|c| c.id).collect();

    // Evidence: none in public reports. One reading decides, sorts each
    // note's attachments, gathers custodians' names and keeps the notes.
    let mut kept_evidence: Keep<Stored<EvidenceNote>> = Keep::new();
    let mut stripped = HashMap::new();
    let mut statuses = vec![];
    let mut files: Vec<ExportedFile> = vec![];
    let mut seen_files = HashSet::new();
    let mut evidence_count = 0usize;
    let mut sorted_attachments = HashMap::new();
    if profile != Profile::Public {
        vault.for_each::<EvidenceNote, ExportError>(&evidence_filter(), |e, bytes| {
            vault.check_cancel()?;
            gather.evidence(&e.data);
            if !plan.evidence_wanted(&e.data) {
                if !backup {
                    excluded.push(Excluded {
                        kind: Kind::Evidence,
                        id: e.id,
                        reason: HeldBack::NotLinkedToIncident,
                    });
                }
                return Ok(());
            }
            evidence_count += 1;
            let leaving = if plan.without_attachments {
                vec![]
            } else if backup {
                e.data.attachments.clone()
            } else {
                // Each file leaves stripped, as is, or stays: see metadata.
                // The note keeps its stored list: a later reading takes
                // the sorted one from the plan.
                let sorted = super::metadata::sort_attachments(
                    vault,
                    e.id,
                    e.data.attachments.clone(),
                    &mut stripped,
                );
                statuses.extend(sorted.statuses);
                if sorted.held > 0 {
                    excluded.push(Excluded {
                        kind: Kind::Evidence,
                        id: e.id,
                        reason: HeldBack::AttachmentsKeepMetadata { count: sorted.held },
                    });
                }
                sorted_attachments.insert(e.id, (sorted.kept.clone(), sorted.stripped_any));
                sorted.kept
            };
            for a in leaving {
                let sha = a.sha256.to_ascii_lowercase();
                if seen_files.insert(sha.clone()) {
                    files.push(ExportedFile {
                        sha256: sha,
                        size: a.size,
                        media_type: a.media_type,
                    });
                }
            }
            // Past the budget, notes are read again from the vault.
            kept_evidence.push(e, bytes, &mut kept_bytes, keep_bytes);
            Ok(())
        })?;
    }
    plan.attachments = sorted_attachments;
    // Every name is known now: scan what is in memory.
    plan.names = gather.names;
    let cx = Cx {
        profile,
        backup,
        names: &plan.names,
    };
    let mut hits = Hits::default();
    let incidents = match kept_incidents.items {
        Some(v) => {
            let mut found = vec![];
            let out = v
                .into_iter()
                .map(|(raw, health)| plan.incident_out(&cx, raw, health, &mut found))
                .collect();
            hits.incidents = Some(found);
            Records::Kept(out)
        }
        None => Records::Copied(rows.finish()?),
    };
    let out_clients: Vec<Out<Client>> = clients
        .into_iter()
        .map(|c| redact_client(c, &cx, &mut hits.clients_and_cases))
        .collect();
    let out_cases: Vec<Out<Case>> = cases
        .into_iter()
        .map(|c| redact_case(c, &cx, &mut hits.clients_and_cases, &plan.clients))
        .collect();
    let evidence = match kept_evidence.items {
        Some(v) => {
            let mut found = vec![];
            let mut numbered = 0usize;
            let out = v
                .into_iter()
                .map(|raw| plan.evidence_out(&cx, raw, &mut numbered, &mut found))
                .collect();
            hits.evidence = Some(found);
            Records::Kept(out)
        }
        None if profile == Profile::Public => {
            hits.evidence = Some(vec![]);
            Records::Kept(vec![])
        }
        None => Records::Reread,
    };

    // Calendar items of exported cases.
    let in_range = |at: &DateTime<FixedOffset>| {
        opts.from.is_none_or(|f| *at >= f) && opts.to.is_none_or(|t| *at <= t)
    };
    let mut hearings = vec![];
    let mut deadlines = vec![];
    if !plan.cases.is_empty() {
        for h in all::<Hearing>(vault, ListFilter::default())? {
            if plan.cases.contains(&h.data.case_id) && in_range(&h.data.at) {
                hearings.push(redact_hearing(h, &cx, &mut hits.calendar));
            }
        }
        for d in all::<Deadline>(vault, ListFilter::default())? {
            if plan.cases.contains(&d.data.case_id) && in_range(&d.data.due) {
                deadlines.push(redact_deadline(d, &cx, &mut hits.calendar));
            }
        }
    }
    let client_at = out_clients
        .iter()
        .enumerate()
        .map(|(n, c)| (c.record.id, n))
        .collect();
    Ok(ExportSet {
        vault,
        profile,
        recipients: opts.recipients.clone(),
        generated_at: Utc::now(),
        vault_id,
        clients: out_clients,
        cases: out_cases,
        hearings,
        deadlines,
        excluded,
        from: opts.from,
        to: opts.to,
        stripped,
        attachments: statuses,
        files,
        incident_count,
        evidence_count,
        span,
        client_at,
        plan,
        incidents,
        evidence,
        hits: RefCell::new(hits),
    })
}
