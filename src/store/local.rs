//! Saving a record given with its id: the store's half of loading
//! (`crate::load`).
//!
//! [`Writer::insert`] makes a new id; a load keeps the one it was given,
//! so that loading twice adds nothing and a copy of a record is identical
//! to it. Unlike a bundle merge ([`Writer::put_stored`]), a load is the
//! vault's own user at work: the record is [`Origin::Local`], its links
//! may point at any record here (as `insert`'s may), and an update is an
//! ordinary edit, the next revision with its history row. A record of
//! another origin is never changed by a load.

use super::origin::{self, Origin};
use super::revisions::{self, Op};
use super::Writer;
use crate::error::Result;
use crate::load::{Incoming, LoadError, Loaded, Mode, Outcome};
use crate::model::{Kind, Record, ValidationError};
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use uuid::Uuid;

impl Writer<'_> {
    /// Saves `incoming` under its own id (a new one if it has none): added
    /// if the id is new; left alone if the vault holds the same content;
    /// with other content, refused ([`LoadError::Exists`]) unless `mode`
    /// is [`Mode::Upsert`], which saves it as the next revision (refused
    /// as [`LoadError::Stale`] if the copy says an older revision than
    /// the vault's). Never touches a record of another origin or kind.
    pub fn put_local<T: Record>(&mut self, incoming: Incoming<T>, mode: Mode) -> Result<Loaded> {
        let Incoming {
            id,
            revision,
            created_at,
            updated_at,
            data,
        } = incoming;
        // In NFC, as every save stores it (`super::intake`), so that a
        // copy of a stored record compares equal to it.
        let data = super::intake::encode(data)?.data;
        data.validate()?;
        if revision == Some(0) {
            return Err(ValidationError::new("revision", "counts from 1").into());
        }
        let id = id.unwrap_or_else(Uuid::new_v4);
        self.refuse_other_kind::<T>(id)?;
        let loaded = |revision, outcome| Loaded {
            kind: T::KIND,
            id,
            revision,
            outcome,
        };
        match origin::origin_of(&self.tx, T::KIND, id)? {
            None => {
                data.check_edit(None)?;
                let super::Encoded { data, text } = self.prepare(data, None)?;
                self.check_refs(&data)?;
                let now = Utc::now();
                let created_at = created_at.unwrap_or(now);
                let updated_at = updated_at.unwrap_or(now.max(created_at));
                if updated_at < created_at {
                    return Err(ValidationError::new("updated_at", "is before created_at").into());
                }
                let stored = crate::model::Stored {
                    id,
                    revision: revision.unwrap_or(1),
                    created_at,
                    updated_at,
                    data,
                };
                self.write_row(&stored, &text.json, false, &Origin::Local)?;
                revisions::append(
                    &self.tx,
                    self.chain,
                    &mut self.tail,
                    T::KIND,
                    id,
                    stored.revision,
                    Op::Create,
                    &text.created(),
                    Some(&revisions::sha256_hex(text.json.as_bytes())),
                )?;
                Ok(loaded(stored.revision, Outcome::Added))
            }
            Some(origin) => {
                let old = self.get::<T>(id)?;
                // Compared as stored (JSON), not with `==`: chrono's
                // equality ignores the UTC offset, which is data here. A
                // record of this vault is compared as it would be saved
                // (its facility linked to the register, so a copy without
                // the link is the same record); another's, as sent.
                let data = if origin == Origin::Local {
                    self.prepare(data, Some(id))?.data
                } else {
                    data
                };
                // The same stored text is the same JSON value.
                let new_text = super::intake::encode(data.clone())?.text.json;
                let old_text = super::intake::encode(old.data.clone())?.text.json;
                if new_text == old_text {
                    // Nothing to change, whoever's it is: a list that
                    // includes imported records loads back as no change.
                    return Ok(loaded(old.revision, Outcome::Unchanged));
                }
                if origin != Origin::Local {
                    return Err(LoadError::NotLocal {
                        kind: T::KIND,
                        id,
                        owner: origin.describe(&self.tx),
                    }
                    .into());
                }
                if mode == Mode::Add {
                    return Err(LoadError::Exists { kind: T::KIND, id }.into());
                }
                if let Some(given) = revision.filter(|r| *r < old.revision) {
                    return Err(LoadError::Stale {
                        kind: T::KIND,
                        id,
                        given,
                        current: old.revision,
                    }
                    .into());
                }
                let s = self.update(id, old.revision, data)?;
                Ok(loaded(s.revision, Outcome::Updated))
            }
        }
    }

    /// The record of kind `T` with `id`, if there is one (a loader reads a
    /// row over it).
    pub fn find<T: Record>(&self, id: Uuid) -> Result<Option<crate::model::Stored<T>>> {
        super::get_in::<T>(&self.tx, std::path::Path::new("vekil.db"), id)
    }

    /// Refuses an id that a record of another kind already has: links name
    /// their target's kind, but an id must say which record it is.
    fn refuse_other_kind<T: Record>(&self, id: Uuid) -> Result<()> {
        let other: Option<String> = self
            .tx
            .query_row(
                "SELECT kind FROM records
                 WHERE kind IN ('client', 'case', 'hearing', 'deadline', 'incident', 'evidence',
                                'facility')
                   AND kind <> ?1 AND id = ?2 LIMIT 1",
                params![T::KIND.as_str(), id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        match other.as_deref().and_then(Kind::parse) {
            Some(other) => Err(LoadError::OtherKind {
                kind: T::KIND,
                id,
                other,
            }
            .into()),
            None => Ok(()),
        }
    }
}
