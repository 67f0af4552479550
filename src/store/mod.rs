//! The record store: validated writes with history, and reads.
//!
//! Every write runs in one SQLite transaction that updates the record, its
//! full-text entry and the revision chain together, so a crash leaves all
//! three or none. Every record passes one intake on its way in
//! ([`intake`]: text in NFC; for incidents, the facility linked to the
//! register, see [`facilities`]). Writes go through [`Writer`], which an importer can use
//! to apply many records atomically; `Vault::insert` and friends are
//! one-record shorthands.

mod attachments;
#[cfg(feature = "bench-baseline")]
#[doc(hidden)]
pub mod bench_knobs;
mod beside;
mod canonical;
mod facilities;
mod intake;
mod linked;
mod local;
pub mod media_type;
mod origin;
pub(crate) mod revisions;
mod search_rows;
mod verify;

pub use attachments::{AttachmentError, AttachmentReader, MAX_ATTACHMENT_BYTES};
pub(crate) use facilities::{build_register, facility_index_key, RegisterBuilt};
pub use facilities::{name_key, FacilityKey, FacilityMerge, FacilityRegister, FacilitySuggestion};
pub use origin::{Origin, OriginError};
pub use revisions::Revision;
pub use verify::VerifyReport;

use crate::error::{Error, Result};
use crate::model::{sort_key, IndexFields, Kind, Record, Stored};
use crate::vault::{Vault, VaultError};
use chrono::{DateTime, FixedOffset, Utc};
use intake::{Encoded, StoredText};
use revisions::Op;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Filters for listing records of one kind. Unset fields do not filter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(export)]
pub struct ListFilter {
    /// Records of this client.
    pub client_id: Option<Uuid>,
    /// Records of this case.
    pub case_id: Option<Uuid>,
    /// Incidents at this facility: a register entry's id or id prefix,
    /// or a name, compared by `name_key` with every spelling of every
    /// entry, so any spelling of an entry finds all its incidents.
    pub facility: Option<String>,
    /// Type within the kind: incident type, hearing kind…
    pub subtype: Option<String>,
    /// draft/final for incidents, open/done for deadlines.
    pub status: Option<String>,
    /// From this moment (inclusive).
    #[ts(type = "string | null")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Until this moment (inclusive).
    #[ts(type = "string | null")]
    pub to: Option<DateTime<FixedOffset>>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    /// At most this many (default 500).
    pub limit: Option<u32>,
    /// Skip this many.
    pub offset: Option<u32>,
}

/// A `WHERE` clause built from optional filters, with numbered parameters.
pub(crate) struct SqlFilter {
    pub(crate) sql: String,
    pub(crate) args: Vec<Box<dyn rusqlite::ToSql>>,
}

impl SqlFilter {
    pub(crate) fn new(select: &str, first: impl rusqlite::ToSql + 'static) -> Self {
        Self {
            sql: select.to_owned(),
            args: vec![Box::new(first)],
        }
    }

    /// Appends `AND cond`, where the one `?` in `cond` binds `v`.
    pub(crate) fn and(&mut self, cond: &str, v: impl rusqlite::ToSql + 'static) {
        self.args.push(Box::new(v));
        let n = format!("?{}", self.args.len());
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond.replace('?', &n));
    }

    /// Appends `AND cond`, where `cond` names its values `?A`, `?B`, …
    /// in the order of `values`.
    fn and_each(&mut self, cond: &str, values: &[String]) {
        let mut cond = cond.to_owned();
        for (v, mark) in values.iter().zip(["?A", "?B", "?C"]) {
            self.args.push(Box::new(v.clone()));
            cond = cond.replace(mark, &format!("?{}", self.args.len()));
        }
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond);
    }

    /// A period on the `at` column of one kind. Where the kind sorts by an
    /// [`crate::model::EventTime`] (`event_time`, its JSON path), a value
    /// known only to the day, month or year is compared by its first day
    /// against the day each bound falls on, as
    /// [`crate::dates::Period::contains`] does: it belongs to one period
    /// whatever offset it was recorded in. The index still narrows the
    /// scan to two days either side of the bounds.
    pub(crate) fn period(
        &mut self,
        event_time: Option<&str>,
        from: Option<DateTime<FixedOffset>>,
        to: Option<DateTime<FixedOffset>>,
    ) {
        let Some(path) = event_time else {
            self.common("", None, None, None, from, to);
            return;
        };
        let at = format!("json_extract(data, '{path}.at')");
        let first_day = format!(
            "(CASE json_extract(data, '{path}.precision') \
             WHEN 'day' THEN substr({at}, 1, 10) \
             WHEN 'month' THEN substr({at}, 1, 7) || '-01' \
             WHEN 'year' THEN substr({at}, 1, 4) || '-01-01' END)"
        );
        let day = |t: &DateTime<FixedOffset>| t.date_naive().format("%Y-%m-%d").to_string();
        let slack = chrono::Duration::days(2);
        if let Some(f) = from {
            self.and_each(
                &format!("at >= ?A AND COALESCE({first_day} >= ?B, at >= ?C)"),
                &[sort_key(&(f - slack)), day(&f), sort_key(&f)],
            );
        }
        if let Some(t) = to {
            self.and_each(
                &format!("at <= ?A AND COALESCE({first_day} <= ?B, at <= ?C)"),
                &[sort_key(&(t + slack)), day(&t), sort_key(&t)],
            );
        }
    }

    /// The filters lists and search share; `t` is the table alias prefix.
    /// `facility` holds the `facility` column values to accept
    /// ([`Vault::facility_filter_keys`]).
    pub(crate) fn common(
        &mut self,
        t: &str,
        case_id: Option<Uuid>,
        facility: Option<&[String]>,
        subtype: Option<&str>,
        from: Option<DateTime<FixedOffset>>,
        to: Option<DateTime<FixedOffset>>,
    ) {
        if let Some(c) = case_id {
            self.and(&format!("{t}case_id = ?"), c.to_string());
        }
        if let Some(keys) = facility {
            // COLLATE NOCASE, as the index is: keys are lower case anyway.
            self.and(
                &format!("{t}facility COLLATE NOCASE IN (SELECT value FROM json_each(?))"),
                serde_json::to_string(keys).unwrap_or_else(|_| "[]".into()),
            );
        }
        if let Some(v) = subtype {
            self.and(&format!("{t}subtype = ?"), v.to_owned());
        }
        if let Some(v) = from {
            self.and(&format!("{t}at >= ?"), sort_key(&v));
        }
        if let Some(v) = to {
            self.and(&format!("{t}at <= ?"), sort_key(&v));
        }
    }
}

/// What `put_stored` did with an incoming record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PutOutcome {
    /// It was new.
    Added,
    /// It replaced an older revision.
    Replaced,
    /// The same revision was already there, unchanged.
    Unchanged,
    /// A newer revision was already there; the incoming one was ignored.
    KeptNewer,
    /// The same revision number with different content: nothing changed, report it.
    Conflict,
}

/// Writes inside one transaction. Dropped without `commit`, nothing is kept.
pub struct Writer<'v> {
    tx: Transaction<'v>,
    chain: &'v revisions::Chain,
    /// The chain's head and the changes not yet counted in `meta`.
    tail: revisions::Tail,
    /// Search keys of the words this transaction has indexed so far.
    keys: std::cell::RefCell<crate::text::keys::KeyCache>,
    /// Facilities of imported incidents already put into the register,
    /// while the register has not changed since (see
    /// `Writer::register_imported`).
    registered: std::cell::RefCell<std::collections::HashSet<String>>,
    /// Full-text rows not yet written (see [`search_rows`]).
    search: std::cell::RefCell<search_rows::SearchRows>,
}

/// A stored row as a record; the error says what cannot be read. `data`
/// is its JSON, checked to be UTF-8 here.
pub(crate) fn decode<T: Record>(
    id: &str,
    revision: u32,
    created_at: &str,
    updated_at: &str,
    data: &[u8],
) -> std::result::Result<Stored<T>, String> {
    let parse_time = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| e.to_string())
    };
    Ok(Stored {
        id: Uuid::parse_str(id).map_err(|e| e.to_string())?,
        revision,
        created_at: parse_time(created_at)?,
        updated_at: parse_time(updated_at)?,
        // Checked whole, then read as text: one pass over the bytes is
        // cheaper than serde checking each string it reads.
        data: serde_json::from_str(std::str::from_utf8(data).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?,
    })
}

/// One stored record as read, not yet decoded, borrowed from the row.
pub(crate) struct RawRecord<'r> {
    kind: Kind,
    db_path: &'r std::path::Path,
    /// Its columns, as stored.
    pub(crate) id: &'r str,
    pub(crate) revision: u32,
    pub(crate) created_at: &'r str,
    pub(crate) updated_at: &'r str,
    /// Its stored JSON, as read: checked to be UTF-8 by what decodes it (a
    /// whole record, or the fields a partial view names), so that a
    /// partial view does not pay for checking the rest.
    pub(crate) data: &'r [u8],
}

impl<'r> RawRecord<'r> {
    /// The whole record.
    pub(crate) fn decode<T: Record>(&self) -> Result<Stored<T>> {
        decode::<T>(
            self.id,
            self.revision,
            self.created_at,
            self.updated_at,
            self.data,
        )
        .map_err(|why| corrupt(self.db_path, self.kind, why))
    }

    /// Its id.
    pub(crate) fn id(&self) -> Result<Uuid> {
        Uuid::parse_str(self.id).map_err(|e| corrupt(self.db_path, self.kind, e.to_string()))
    }

    /// The fields of its stored JSON that `D` names (`D` ignores the
    /// others), borrowing text where it can.
    pub(crate) fn parse<D: Deserialize<'r>>(&self) -> Result<D> {
        serde_json::from_slice(self.data)
            .map_err(|e| corrupt(self.db_path, self.kind, e.to_string()))
    }
}

/// A stored record that cannot be read: the vault is damaged.
fn corrupt(db_path: &std::path::Path, kind: Kind, why: String) -> Error {
    Error::Vault(VaultError::corrupt(
        db_path,
        format!("a {kind} cannot be read: {why}"),
    ))
}

pub(crate) fn get_in<T: Record>(
    conn: &rusqlite::Connection,
    db_path: &std::path::Path,
    id: Uuid,
) -> Result<Option<Stored<T>>> {
    let row = conn
        .prepare_cached(
            "SELECT id, revision, created_at, updated_at, data FROM records WHERE kind = ?1 AND id = ?2",
        )?
        .query_row(params![T::KIND.as_str(), id.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
        })
        .optional()?;
    row.map(|(i, rev, c, u, d): (String, u32, String, String, String)| {
        decode::<T>(&i, rev, &c, &u, d.as_bytes()).map_err(|why| {
            Error::Vault(VaultError::corrupt(
                db_path,
                format!("{} {id} cannot be read: {why}", T::KIND),
            ))
        })
    })
    .transpose()
}

impl<'v> Writer<'v> {
    fn check_refs<T: Record>(&self, data: &T) -> Result<()> {
        for r in data.references() {
            let exists: bool = self
                .tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM records WHERE kind = ?1 AND id = ?2)",
                )?
                .query_row(params![r.kind.as_str(), r.id.to_string()], |row| row.get(0))?;
            if !exists {
                return Err(missing_target(&r));
            }
        }
        Ok(())
    }

    /// Every link of a merged record must point at a record of the same
    /// origin: a bundle cannot attach its records to another source's.
    fn check_refs_from<T: Record>(&self, s: &Stored<T>, from: &Origin) -> Result<()> {
        for r in s.data.references() {
            match origin::origin_of(&self.tx, r.kind, r.id)? {
                None => return Err(missing_target(&r)),
                Some(o) if o == *from => {}
                Some(o) => {
                    return Err(OriginError::ForeignLink {
                        kind: T::KIND,
                        id: s.id,
                        field: r.field,
                        target_kind: r.kind,
                        target_id: r.id,
                        owner: o.describe(&self.tx),
                        origin: o,
                    }
                    .into())
                }
            }
        }
        Ok(())
    }

    /// Where a record came from, if it exists.
    pub fn origin_of(&self, kind: Kind, id: Uuid) -> Result<Option<Origin>> {
        Ok(origin::origin_of(&self.tx, kind, id)?)
    }

    /// Gives a record of [`Origin::Unknown`] (imported before origins were
    /// recorded) to `to`, when the organisation has said whose it is.
    /// Records of any other origin are left alone; returns whether it
    /// changed.
    pub fn adopt(&mut self, kind: Kind, id: Uuid, to: &Origin) -> Result<bool> {
        Ok(self.tx.execute(
            "UPDATE records SET origin = ?3 WHERE kind = ?1 AND id = ?2 AND origin = ?4",
            params![
                kind.as_str(),
                id.to_string(),
                to.to_db(),
                Origin::Unknown.to_db()
            ],
        )? > 0)
    }

    /// `origin` is set on insert only; a replaced record keeps its own.
    fn write_row<T: Record>(
        &self,
        s: &Stored<T>,
        json: &str,
        replace: bool,
        origin: &Origin,
    ) -> Result<()> {
        let IndexFields {
            client_id,
            case_id,
            at,
            facility,
            subtype,
            status,
            names,
        } = s.data.index();
        let (kind, id) = (T::KIND.as_str(), s.id.to_string());
        let (created, updated) = (s.created_at.to_rfc3339(), s.updated_at.to_rfc3339());
        let client_id = client_id.map(|u| u.to_string());
        let case_id = case_id.map(|u| u.to_string());
        let at = at.as_ref().map(sort_key);
        let origin = origin.to_db();
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![
            &kind,
            &id,
            &s.revision,
            &created,
            &updated,
            &client_id,
            &case_id,
            &at,
            &facility,
            &subtype,
            &status,
            &json,
        ];
        // Statements every save runs are cached: preparing them anew was a
        // measurable part of a save (docs/benchmarks.md). No `RETURNING`:
        // SQLite runs it as a trigger, which gives every such statement its
        // own statement journal and a temporary table, each allocated and,
        // with SQLCipher's memory security, wiped on free: that was a fifth
        // of an import's time. `seq` is the rowid, known without it.
        let seq: i64 = if replace {
            let seq = self
                .tx
                .prepare_cached("SELECT seq FROM records WHERE kind = ?1 AND id = ?2")?
                .query_row(params![kind, id], |r| r.get(0))?;
            args.push(&seq);
            self.tx
                .prepare_cached(
                    "UPDATE records SET revision = ?3, created_at = ?4, updated_at = ?5, client_id = ?6,
                        case_id = ?7, at = ?8, facility = ?9, subtype = ?10, status = ?11, data = ?12
                 WHERE seq = ?13",
                )?
                .execute(args.as_slice())?;
            seq
        } else {
            args.push(&origin);
            self.tx
                .prepare_cached(
                    "INSERT INTO records (kind, id, revision, created_at, updated_at, client_id, case_id,
                                      at, facility, subtype, status, data, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )?
                .execute(args.as_slice())?;
            self.tx.last_insert_rowid()
        };
        if T::KIND == Kind::Facility {
            self.write_names(&id, &names)?;
        }
        if bench_skip(|k| k.fts) {
            return Ok(());
        }
        let entry =
            crate::search::IndexEntry::of(&s.data, &mut self.keys.borrow_mut()).map_err(|e| {
                Error::Invalid(crate::model::ValidationError::new(
                    "",
                    format!("cannot index: {e}"),
                ))
            })?;
        self.search
            .borrow_mut()
            .queue(&self.tx, seq, replace, Some(entry))?;
        Ok(())
    }

    /// The intake every local save passes: the facility a record names is
    /// linked to the register (`saving`: the record being replaced, which
    /// the link must not rewrite under its caller), its text is put in
    /// NFC, and it is validated. Returns it with its stored JSON.
    fn prepare<T: Record>(&mut self, mut data: T, saving: Option<Uuid>) -> Result<Encoded<T>> {
        if bench_skip(|k| k.checks) {
            return intake::encode(data);
        }
        if let Some(f) = data.facility_mut() {
            self.link_facility(f, saving)?;
        }
        let e = intake::encode(data)?;
        e.data.validate()?;
        Ok(e)
    }

    /// Saves a new record.
    pub fn insert<T: Record>(&mut self, data: T) -> Result<Stored<T>> {
        data.check_edit(None)?;
        let e = self.prepare(data, None)?;
        if !bench_skip(|k| k.checks) {
            self.check_refs(&e.data)?;
        }
        let Encoded { data, text } = e;
        let now = Utc::now();
        let stored = Stored {
            id: Uuid::new_v4(),
            revision: 1,
            created_at: now,
            updated_at: now,
            data,
        };
        self.write_row(&stored, &text.json, false, &Origin::Local)?;
        if bench_skip(|k| k.revision) {
            return Ok(stored);
        }
        revisions::append(
            &self.tx,
            self.chain,
            &mut self.tail,
            T::KIND,
            stored.id,
            1,
            Op::Create,
            &text.created(),
            Some(&revisions::sha256_hex(text.json.as_bytes())),
        )?;
        Ok(stored)
    }

    /// Replaces a record, if nobody saved it since `expected_revision`.
    /// Parts that only the core writes (an evidence note's attachments)
    /// are checked against the stored record: see `Record::check_edit`.
    pub fn update<T: Record>(
        &mut self,
        id: Uuid,
        expected_revision: u32,
        data: T,
    ) -> Result<Stored<T>> {
        let old = self.get::<T>(id)?;
        data.check_edit(Some(&old.data))?;
        let stored = self.replace(id, expected_revision, data)?;
        if T::KIND == Kind::Facility {
            self.refresh_linked(id, None)?;
        }
        Ok(stored)
    }

    /// [`Self::update`] without the edit check, for the core's own writes
    /// (attaching a file).
    pub(crate) fn replace<T: Record>(
        &mut self,
        id: Uuid,
        expected_revision: u32,
        data: T,
    ) -> Result<Stored<T>> {
        let old = self.get::<T>(id)?;
        if old.revision != expected_revision {
            return Err(Error::Conflict {
                kind: T::KIND,
                id,
                current: old.revision,
            });
        }
        let e = self.prepare(data, Some(id))?;
        self.check_refs(&e.data)?;
        let old_value = serde_json::to_value(&old.data).unwrap_or(Value::Null);
        let changes = revisions::diff(Some(&old_value), Some(&intake::value_of(&e.data)?));
        if changes.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(old);
        }
        let Encoded {
            data,
            text: StoredText { json, .. },
        } = e;
        let stored = Stored {
            id,
            revision: old.revision + 1,
            created_at: old.created_at,
            updated_at: Utc::now(),
            data,
        };
        self.write_row(&stored, &json, true, &Origin::Local)?;
        revisions::append(
            &self.tx,
            self.chain,
            &mut self.tail,
            T::KIND,
            id,
            stored.revision,
            Op::Update,
            &changes.to_string(),
            Some(&revisions::sha256_hex(json.as_bytes())),
        )?;
        Ok(stored)
    }

    /// Deletes a record nothing else refers to. The revision keeps its
    /// last content, so the history still shows what was removed.
    pub fn delete<T: Record>(&mut self, id: Uuid) -> Result<()> {
        let old = self.get::<T>(id)?;
        let id_text = id.to_string();
        let count: i64 = self.tx.query_row(
            "SELECT count(*) FROM records
             WHERE (client_id = ?1 OR case_id = ?1 OR data LIKE '%' || ?1 || '%') AND id <> ?1",
            [&id_text],
            |r| r.get(0),
        )?;
        if count > 0 {
            return Err(Error::InUse {
                kind: T::KIND,
                id,
                count: count as u64,
            });
        }
        let seq: i64 = self.tx.query_row(
            "DELETE FROM records WHERE kind = ?1 AND id = ?2 RETURNING seq",
            params![T::KIND.as_str(), id_text],
            |r| r.get(0),
        )?;
        if T::KIND == Kind::Facility {
            self.write_names(&id_text, &[])?;
        }
        self.search.borrow_mut().queue(&self.tx, seq, true, None)?;
        let old_value = serde_json::to_value(&old.data).unwrap_or(Value::Null);
        revisions::append(
            &self.tx,
            self.chain,
            &mut self.tail,
            T::KIND,
            id,
            old.revision + 1,
            Op::Delete,
            &revisions::diff(Some(&old_value), None).to_string(),
            None,
        )?;
        Ok(())
    }

    /// Merges a record from an export: added if new, replacing an older
    /// revision, otherwise left alone. The id, revision and timestamps of
    /// the incoming record are kept, so exporting again updates, never
    /// duplicates.
    ///
    /// `origin` is who sent it. A stored record of another origin is never
    /// touched ([`OriginError::Clash`]), and every link must point at a
    /// record of the same origin ([`OriginError::ForeignLink`]): record ids
    /// are visible in every export, so an id alone proves nothing. Both
    /// are checked before anything is written.
    ///
    /// A record already stored from the same origin with the same revision
    /// and the same content (its stored JSON, whose SHA-256 is the
    /// revision's snapshot) is `Unchanged` after one read: re-importing a
    /// bundle is then a read-only pass that costs a lookup per record. Its
    /// links were checked when it was stored, and a record's origin and
    /// links cannot change since without a new revision.
    pub fn put_stored<T: Record>(
        &mut self,
        incoming: &Stored<T>,
        origin: &Origin,
    ) -> Result<PutOutcome> {
        self.put_stored_owned(incoming.clone(), origin)
    }

    /// [`Self::put_stored`] of a record the caller no longer needs (an
    /// import's, read from the log), which is then not copied.
    pub(crate) fn put_stored_owned<T: Record>(
        &mut self,
        incoming: Stored<T>,
        origin: &Origin,
    ) -> Result<PutOutcome> {
        // Stored as sent (no register link: it names the sender's), in NFC,
        // so that sending the same records again compares equal.
        // A register link in a bundle names an entry of the sender's
        // register (exports never carry one): it is not kept.
        let Stored {
            id,
            revision,
            created_at,
            updated_at,
            data: mut sent,
        } = incoming;
        if let Some(f) = sent.facility_mut() {
            f.id = None;
        }
        let Encoded { data, text } = intake::encode(sent)?;
        let json = &text.json;
        let mut incoming = Stored {
            id,
            revision,
            created_at,
            updated_at,
            data,
        };
        // One read says whether the id is taken, whose it is, and whether
        // it holds this very revision (a new record, most of an import,
        // needs no other).
        let here: Option<(String, u32, bool)> = self
            .tx
            .prepare_cached(
                "SELECT origin, revision, data = ?3 FROM records WHERE kind = ?1 AND id = ?2",
            )?
            .query_row(
                params![T::KIND.as_str(), incoming.id.to_string(), json],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((stored_origin, revision, same_data)) = &here {
            if *stored_origin == origin.to_db() && *revision == incoming.revision && *same_data {
                return Ok(PutOutcome::Unchanged);
            }
        }
        // Checked once it is known to change something: a record this
        // vault holds as sent was checked when it was stored (an
        // unchanged re-import validated every record again, a twentieth
        // of its time).
        incoming.data.validate()?;
        if let Some((stored_origin, _, _)) = &here {
            let theirs = Origin::from_db(stored_origin);
            if theirs != *origin {
                return Err(OriginError::Clash {
                    kind: T::KIND,
                    id: incoming.id,
                    owner: theirs.describe(&self.tx),
                    origin: theirs,
                }
                .into());
            }
        }
        self.check_refs_from(&incoming, origin)?;
        let existing: Option<Stored<T>> = match here {
            Some(_) => get_in(&self.tx, std::path::Path::new(""), incoming.id)?,
            None => None,
        };
        let snapshot = revisions::sha256_hex(json.as_bytes());
        let (outcome, op, changes) = match &existing {
            None => (PutOutcome::Added, Op::Create, text.created()),
            Some(old) if old.revision > incoming.revision => return Ok(PutOutcome::KeptNewer),
            Some(old) if old.revision == incoming.revision => {
                return Ok(if old.data == incoming.data {
                    PutOutcome::Unchanged
                } else {
                    PutOutcome::Conflict
                })
            }
            Some(old) => {
                let old_value = serde_json::to_value(&old.data).unwrap_or(Value::Null);
                let new_value = intake::value_of(&incoming.data)?;
                (
                    PutOutcome::Replaced,
                    Op::Update,
                    revisions::diff(Some(&old_value), Some(&new_value)).to_string(),
                )
            }
        };
        self.write_row(&incoming, json, existing.is_some(), origin)?;
        revisions::append(
            &self.tx,
            self.chain,
            &mut self.tail,
            T::KIND,
            incoming.id,
            incoming.revision,
            op,
            &changes,
            Some(&snapshot),
        )?;
        // The record is written: its facility is a scratch copy now.
        if let Some(f) = incoming.data.facility_mut() {
            self.register_imported(f)?;
        }
        Ok(outcome)
    }

    /// Reads a record inside this transaction.
    pub fn get<T: Record>(&self, id: Uuid) -> Result<Stored<T>> {
        get_in::<T>(&self.tx, std::path::Path::new("vekil.db"), id)?.ok_or(Error::NotFound {
            kind: T::KIND,
            id: id.to_string(),
        })
    }

    /// Keeps everything written: the full-text rows still pending, and
    /// the chain's head and the change counter brought up to date in
    /// `meta`.
    pub fn commit(mut self) -> Result<()> {
        self.search.borrow_mut().write(&self.tx)?;
        self.tail.flush(&self.tx, self.chain)?;
        self.tx.commit().map_err(Error::from)
    }
}

/// A record as the store would save it: in NFC, its stored JSON, and the
/// history's entry for it as a new record. For tests that hold the stored
/// form to serde_json's own (`tests/canonical_json.rs`).
#[doc(hidden)]
pub fn stored_form<T: Record>(data: T) -> Result<(T, String, String)> {
    let Encoded { data, text } = intake::encode(data)?;
    let created = text.created();
    Ok((data, text.json, created))
}

/// Whether the benchmark turned off a part of the write path (never in
/// the app or the CLI: the knobs exist only with `bench-baseline`).
#[inline]
fn bench_skip(_part: impl Fn(&BenchParts) -> bool) -> bool {
    #[cfg(feature = "bench-baseline")]
    {
        _part(&bench_knobs::get())
    }
    #[cfg(not(feature = "bench-baseline"))]
    {
        false
    }
}

/// The parts of the write path the benchmark can turn off, to measure
/// what each costs.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BenchParts {
    /// The full-text index row.
    pub(crate) fts: bool,
    /// The revision row, its MAC and the counters in `meta`.
    pub(crate) revision: bool,
    /// Validation, reference checks and the facility link.
    pub(crate) checks: bool,
}

fn missing_target(r: &crate::model::Reference) -> Error {
    Error::Invalid(crate::model::ValidationError::new(
        r.field,
        format!("no {} with id {} in this vault", r.kind, r.id),
    ))
}

impl Vault {
    /// Runs `f` in one transaction; commits if it returns `Ok`.
    pub fn write<R>(&self, f: impl FnOnce(&mut Writer<'_>) -> Result<R>) -> Result<R> {
        self.ensure_writable()?;
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(|e| self.db_error(e))?;
        let mut w = Writer {
            tx,
            chain: &self.chain,
            tail: Default::default(),
            keys: Default::default(),
            registered: Default::default(),
            search: Default::default(),
        };
        let out = self.name_damage(f(&mut w))?;
        self.name_damage(w.commit())?;
        Ok(out)
    }

    /// Saves a new record.
    pub fn insert<T: Record>(&self, data: T) -> Result<Stored<T>> {
        self.write(|w| w.insert(data))
    }

    /// Saves a changed record; `expected_revision` guards against
    /// overwriting a change made in between.
    pub fn update<T: Record>(
        &self,
        id: Uuid,
        expected_revision: u32,
        data: T,
    ) -> Result<Stored<T>> {
        self.write(|w| w.update(id, expected_revision, data))
    }

    /// Deletes a record that nothing refers to.
    pub fn delete<T: Record>(&self, id: Uuid) -> Result<()> {
        self.write(|w| w.delete::<T>(id))
    }

    /// Reads one record.
    pub fn get<T: Record>(&self, id: Uuid) -> Result<Stored<T>> {
        self.name_damage(get_in::<T>(&self.conn, &self.db_path(), id))?
            .ok_or(Error::NotFound {
                kind: T::KIND,
                id: id.to_string(),
            })
    }

    /// Finds the one record whose id starts with `prefix` (at least 4
    /// characters), so the CLI can take short ids as git does.
    pub fn resolve<T: Record>(&self, prefix: &str) -> Result<Uuid> {
        let p = prefix.trim().to_ascii_lowercase();
        if let Ok(id) = Uuid::parse_str(&p) {
            return Ok(id);
        }
        if p.len() < 4 || !p.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(Error::NotFound {
                kind: T::KIND,
                id: prefix.into(),
            });
        }
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM records WHERE kind = ?1 AND id LIKE ?2 || '%' LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map(params![T::KIND.as_str(), p], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match ids.as_slice() {
            [one] => Uuid::parse_str(one).map_err(|_| Error::NotFound {
                kind: T::KIND,
                id: prefix.into(),
            }),
            [] => Err(Error::NotFound {
                kind: T::KIND,
                id: prefix.into(),
            }),
            _ => Err(Error::Ambiguous {
                kind: T::KIND,
                prefix: prefix.into(),
            }),
        }
    }

    /// The query [`Self::list`] and [`Self::for_each`] run: records of one
    /// kind that `f` selects, in its order, `LIMIT`ed only when `f` says.
    fn list_query<T: Record>(
        &self,
        f: &ListFilter,
        default_limit: Option<u32>,
    ) -> Result<SqlFilter> {
        let mut q = SqlFilter::new(
            "SELECT id, revision, created_at, updated_at, data FROM records WHERE kind = ?1",
            T::KIND.as_str(),
        );
        if let Some(c) = f.client_id {
            if T::KIND == Kind::Case {
                q.and(
                    "EXISTS (SELECT 1 FROM json_each(data, '$.client_ids') WHERE value = ?)",
                    c.to_string(),
                );
            } else {
                q.and("client_id = ?", c.to_string());
            }
        }
        let facility = match &f.facility {
            Some(text) => Some(self.facility_filter_keys(text)?),
            None => None,
        };
        q.common(
            "",
            f.case_id,
            facility.as_deref(),
            f.subtype.as_deref(),
            None,
            None,
        );
        q.period(T::EVENT_TIME, f.from, f.to);
        if let Some(v) = &f.status {
            q.and("status = ?", v.clone());
        }
        // Both orders walk an index (seq is the rowid, the tail of every
        // index) instead of sorting: SQLite puts NULL dates first when
        // ascending and last when descending, which is what a timeline
        // and a list want.
        q.sql.push_str(if f.oldest_first {
            " ORDER BY at ASC, seq ASC"
        } else {
            " ORDER BY at DESC, seq DESC"
        });
        if let Some(limit) = f.limit.or(default_limit) {
            q.sql
                .push_str(&format!(" LIMIT {limit} OFFSET {}", f.offset.unwrap_or(0)));
        } else if let Some(offset) = f.offset {
            q.sql.push_str(&format!(" LIMIT -1 OFFSET {offset}"));
        }
        Ok(q)
    }

    /// Lists records of one kind, newest first unless asked otherwise.
    pub fn list<T: Record>(&self, f: &ListFilter) -> Result<Vec<Stored<T>>> {
        let mut out = Vec::new();
        self.each_in(T::KIND, self.list_query::<T>(f, Some(500))?, |r| {
            out.push(r.decode()?);
            Ok::<_, Error>(())
        })?;
        Ok(out)
    }

    /// Hands every record of one kind that `f` selects (all of them unless
    /// `f` sets a limit), in its order, to `each`, one at a time, with the
    /// length of its stored JSON: for exports, which must not hold a large
    /// vault's records in memory. One statement reads them all, so the
    /// vault must not be written to until it returns.
    pub(crate) fn for_each<T: Record, E: From<Error>>(
        &self,
        f: &ListFilter,
        mut each: impl FnMut(Stored<T>, usize) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.for_each_raw::<T, E>(f, |raw| each(raw.decode()?, raw.data.len()))
    }

    /// [`Self::for_each`] without decoding: each record as read, for a
    /// reader that needs a few of its fields ([`RawRecord::parse`]) and
    /// would waste a full decoding on the rest, or that decodes only some
    /// records ([`RawRecord::decode`]).
    pub(crate) fn for_each_raw<T: Record, E: From<Error>>(
        &self,
        f: &ListFilter,
        each: impl FnMut(&RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.each_in::<E>(
            T::KIND,
            self.list_query::<T>(f, None).map_err(E::from)?,
            each,
        )
    }

    fn each_in<E: From<Error>>(
        &self,
        kind: Kind,
        q: SqlFilter,
        mut each: impl FnMut(&RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let db = |e: rusqlite::Error| E::from(Error::from(self.db_error(e)));
        let db_path = self.db_path();
        let SqlFilter { sql, args } = q;
        let mut stmt = self.conn.prepare_cached(&sql).map_err(db)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(args.iter()))
            .map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            // Read in place: nothing is copied before it is decoded.
            let text = |n: usize| -> std::result::Result<&str, E> {
                match row.get_ref(n).map_err(db)? {
                    rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t)
                        .map_err(|e| E::from(corrupt(&db_path, kind, e.to_string()))),
                    _ => Err(E::from(corrupt(
                        &db_path,
                        kind,
                        format!("its column {n} is not text"),
                    ))),
                }
            };
            let raw = RawRecord {
                kind,
                db_path: &db_path,
                id: text(0)?,
                revision: row.get(1).map_err(db)?,
                created_at: text(2)?,
                updated_at: text(3)?,
                data: match row.get_ref(4).map_err(db)? {
                    rusqlite::types::ValueRef::Text(t) => t,
                    _ => {
                        return Err(E::from(corrupt(
                            &db_path,
                            kind,
                            "its data is not text".into(),
                        )))
                    }
                },
            };
            each(&raw)?;
        }
        Ok(())
    }

    /// How many records of a kind the vault holds.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM records WHERE kind = ?1",
                [kind.as_str()],
                |r| r.get(0),
            )
            .map_err(|e| self.db_error(e))?;
        Ok(n as u64)
    }

    /// How many records of a kind belong to one client (not for cases,
    /// which list their clients inside the record).
    pub fn count_of_client(&self, kind: Kind, client_id: Uuid) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM records WHERE kind = ?1 AND client_id = ?2",
                [kind.as_str(), &client_id.to_string()],
                |r| r.get(0),
            )
            .map_err(|e| self.db_error(e))?;
        Ok(n as u64)
    }

    /// The history of one record, oldest first.
    pub fn history(&self, kind: Kind, id: Uuid) -> Result<Vec<Revision>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {} FROM revisions WHERE kind = ?1 AND record_id = ?2 ORDER BY seq",
            revisions::SELECT_COLUMNS
        ))?;
        let rows = stmt.query_map(params![kind.as_str(), id.to_string()], revisions::read_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps an unsaved form (as JSON text) encrypted in the vault, so an
    /// auto-lock never loses what the lawyer was typing.
    pub fn put_draft(&self, name: &str, body: &str) -> Result<()> {
        self.ensure_writable()?;
        if body.len() > 4 * crate::model::LONG_MAX {
            return Err(Error::Invalid(crate::model::ValidationError::new(
                "draft",
                "is too large",
            )));
        }
        self.conn.execute(
            "INSERT INTO drafts (name, body, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
            params![name, body, Utc::now().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Returns and forgets a kept draft (a read-only vault only returns it).
    pub fn take_draft(&self, name: &str) -> Result<Option<String>> {
        if self.read_only().is_some() {
            return Ok(self
                .conn
                .query_row("SELECT body FROM drafts WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?);
        }
        Ok(self
            .conn
            .query_row(
                "DELETE FROM drafts WHERE name = ?1 RETURNING body",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }
}
