//! Records given as data (JSON, JSON Lines, the incident CSV) and how they
//! enter the vault: what goes in comes out unchanged, ids are kept, and
//! loading the same input twice adds nothing.
//!
//! A lawyer moving years of notes into Vekil, or an NGO editing its
//! incident table in a spreadsheet, loads the same file more than once and
//! resends a stream after a crash. So a record's `id` decides what it is:
//! a new id is added with that id (and its `revision` and timestamps, so a
//! copy of a record is identical to it); an id already here with the same
//! content is left alone; with other content it is refused, unless the
//! load says `upsert`, which makes it the next revision, history kept.
//! Only records made in this vault can be loaded over: an imported record
//! belongs to the lawyer who signed it (`store::Origin`).
//!
//! A file is loaded all or nothing, in one transaction, in the order its
//! links need (clients, cases, then what refers to them), so references
//! inside one file resolve whatever their order. Two records with one id
//! in the same input are refused before anything is written.
//!
//! Parsing lives in [`json`] and [`csv`]; the CLI only reads files and
//! prints. Dates are read by the model's serde (RFC 3339), the same way
//! `list --json` writes them.

pub mod csv;
pub mod json;

use crate::model::{
    Case, Client, Deadline, EvidenceNote, FacilityEntry, Hearing, Incident, Kind, Record,
};
use crate::store::Writer;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A record as a loader was given it: the data, and whatever part of the
/// envelope (`id`, `revision`, timestamps) came with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming<T> {
    /// The id to keep; a new one is made when absent.
    pub id: Option<Uuid>,
    /// For a new record, its revision (default 1). For an update, the
    /// revision the copy was based on: an older one than the vault's is
    /// refused, because the vault's copy changed since.
    pub revision: Option<u32>,
    /// When first saved (a new record only; default now).
    pub created_at: Option<DateTime<Utc>>,
    /// When last saved (a new record only; default now).
    pub updated_at: Option<DateTime<Utc>>,
    /// The record.
    pub data: T,
}

impl<T> Incoming<T> {
    /// A record with no envelope: a new id, revision 1, saved now.
    pub fn new(data: T) -> Self {
        Self {
            id: None,
            revision: None,
            created_at: None,
            updated_at: None,
            data,
        }
    }
}

/// What a load may do with an id that is already in the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Add new records; an existing id must hold the same content.
    Add,
    /// Add new records and update existing ones (revision + 1).
    Upsert,
}

/// What happened to one loaded record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It was new.
    Added,
    /// It replaced the vault's copy as the next revision.
    Updated,
    /// The vault already held exactly this.
    Unchanged,
}

/// One loaded record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loaded {
    /// Its kind.
    pub kind: Kind,
    /// Its id (given or made).
    pub id: Uuid,
    /// Its revision now.
    pub revision: u32,
    /// What happened.
    pub outcome: Outcome,
}

/// A loaded record of any kind.
// Held only while one input is loaded, once per record: boxing the large
// variant would save little and cost an allocation per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AnyIncoming {
    /// A client.
    Client(Incoming<Client>),
    /// A case.
    Case(Incoming<Case>),
    /// A hearing.
    Hearing(Incoming<Hearing>),
    /// A deadline.
    Deadline(Incoming<Deadline>),
    /// An incident.
    Incident(Incoming<Incident>),
    /// An evidence note.
    Evidence(Incoming<EvidenceNote>),
    /// A facility register entry.
    Facility(Incoming<FacilityEntry>),
}

/// Record kinds a loader can take.
pub trait Loadable: Record {
    /// Wraps a record of this kind.
    fn any(incoming: Incoming<Self>) -> AnyIncoming;
}

macro_rules! loadable {
    ($($t:ty => $v:ident),*) => {
        $(impl Loadable for $t {
            fn any(incoming: Incoming<Self>) -> AnyIncoming {
                AnyIncoming::$v(incoming)
            }
        })*

        impl AnyIncoming {
            /// The record's kind.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Self::$v(_) => <$t as Record>::KIND,)*
                }
            }

            /// The id it was given, if any.
            pub fn id(&self) -> Option<Uuid> {
                match self {
                    $(Self::$v(i) => i.id,)*
                }
            }

            fn put(self, w: &mut Writer<'_>, mode: Mode) -> crate::Result<Loaded> {
                match self {
                    $(Self::$v(i) => w.put_local(i, mode),)*
                }
            }
        }
    };
}

loadable!(
    Client => Client,
    Case => Case,
    Hearing => Hearing,
    Deadline => Deadline,
    Incident => Incident,
    EvidenceNote => Evidence,
    FacilityEntry => Facility
);

/// The order links need: a record is saved after the ones it can refer to.
fn rank(kind: Kind) -> u8 {
    match kind {
        // Incidents link to register entries by id (`facility.id`).
        Kind::Client | Kind::Facility => 0,
        Kind::Case => 1,
        Kind::Hearing | Kind::Deadline | Kind::Incident => 2,
        Kind::Evidence => 3,
    }
}

/// One record of an input, with where it was in it ("record 3",
/// "incidents[2]", "row 14") for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Where it was.
    pub at: String,
    /// The record.
    pub record: AnyIncoming,
}

/// Why a load was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Two records of one input carry the same id.
    #[error("{first} and {second} both have the id {id}; give each record its own id")]
    DuplicateId {
        /// The id.
        id: Uuid,
        /// Where the first was.
        first: String,
        /// Where the second was.
        second: String,
    },
    /// The id is taken by a record with other content, and the load does
    /// not update.
    #[error(
        "{kind} {id} is already in this vault with other content; load with --upsert to update it"
    )]
    Exists {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Uuid,
    },
    /// The copy loaded is older than the vault's.
    #[error("{kind} {id} is at revision {current} in this vault, but the copy loaded says revision {given}: it changed since that copy was made; take a new copy and make the change again, or leave `revision` out to overwrite")]
    Stale {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Uuid,
        /// The revision the copy says.
        given: u32,
        /// The vault's revision.
        current: u32,
    },
    /// The record came from elsewhere (an imported bundle).
    #[error("{kind} {id} came from {owner}, so a load may not change it; only records made in this vault can be loaded over")]
    NotLocal {
        /// Kind.
        kind: Kind,
        /// Id.
        id: Uuid,
        /// Where it came from, in words.
        owner: String,
    },
    /// The id belongs to a record of another kind.
    #[error("the id {id} of this {kind} is already the id of a {other} in this vault; give the {kind} its own id")]
    OtherKind {
        /// Kind loaded.
        kind: Kind,
        /// Id.
        id: Uuid,
        /// Kind of the record that has it.
        other: Kind,
    },
    /// One record of the input was refused.
    #[error("{at}: {source}")]
    Record {
        /// Where it was.
        at: String,
        /// Why.
        source: Box<crate::Error>,
    },
}

impl LoadError {
    /// `e`, said of the record at `at`.
    pub fn at(at: impl Into<String>, e: impl Into<crate::Error>) -> crate::Error {
        Self::Record {
            at: at.into(),
            source: Box::new(e.into()),
        }
        .into()
    }
}

/// Loads `items` inside the caller's transaction: duplicates refused
/// first, then every record in the order links need. Returns what
/// happened to each, in the input's order. On error the caller must not
/// commit (`Vault::write` does not).
pub fn apply(w: &mut Writer<'_>, items: Vec<Item>, mode: Mode) -> crate::Result<Vec<Loaded>> {
    let mut seen: HashMap<Uuid, &str> = HashMap::new();
    for item in &items {
        if let Some(id) = item.record.id() {
            if let Some(first) = seen.insert(id, &item.at) {
                return Err(LoadError::DuplicateId {
                    id,
                    first: first.to_owned(),
                    second: item.at.clone(),
                }
                .into());
            }
        }
    }
    let mut order: Vec<(usize, Item)> = items.into_iter().enumerate().collect();
    order.sort_by_key(|(_, item)| rank(item.record.kind()));
    let mut out: Vec<(usize, Loaded)> = Vec::with_capacity(order.len());
    for (n, item) in order {
        let Item { at, record } = item;
        let loaded = record.put(w, mode).map_err(|e| LoadError::at(at, e))?;
        out.push((n, loaded));
    }
    out.sort_by_key(|(n, _)| *n);
    Ok(out.into_iter().map(|(_, l)| l).collect())
}

impl crate::vault::Vault {
    /// Loads `items` in one transaction, all or nothing ([`apply`]): the
    /// one path the CLI (`add --json`, `load`, `incident add --csv`) and
    /// the desktop app take.
    pub fn load(&self, items: Vec<Item>, mode: Mode) -> crate::Result<Vec<Loaded>> {
        self.write(|w| apply(w, items, mode))
    }
}

impl crate::vault::Vault {
    /// Loads the incident table `bytes` (CSV, `docs/formats/incidents-csv.md`)
    /// in one transaction, all or nothing, each row read over the vault's
    /// copy of its incident.
    pub fn load_incident_csv(&self, bytes: &[u8], mode: Mode) -> crate::Result<Vec<Loaded>> {
        self.write(|w| {
            let items = csv::incidents(w, bytes)?;
            apply(w, items, mode)
        })
    }
}

/// How many of each outcome, for a one-line summary.
pub fn tally(loaded: &[Loaded]) -> (usize, usize, usize) {
    loaded
        .iter()
        .fold((0, 0, 0), |(a, u, s), l| match l.outcome {
            Outcome::Added => (a + 1, u, s),
            Outcome::Updated => (a, u + 1, s),
            Outcome::Unchanged => (a, u, s + 1),
        })
}
