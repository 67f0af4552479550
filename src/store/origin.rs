//! Where each record came from, so that one source cannot overwrite or
//! hijack another's records.
//!
//! An organisation imports bundles from several lawyers, and anyone can
//! encrypt a bundle to it (its age key is public). Record ids travel in
//! every export (JSON, CSV, calendar), so ids alone must never decide
//! which record a bundle may change. Every row of `records` therefore
//! carries an origin: made here, imported from one trusted signer's
//! bundles, or imported before origins were recorded. The store refuses a
//! merge ([`super::Writer::put_stored`]) that would replace a record of
//! another origin or link to one, whoever calls it.
//!
//! The origin is a column beside the record, not part of the record's
//! data: it is not exported, and it is not covered by the revision chain.

use crate::model::Kind;
use rusqlite::OptionalExtension;
use uuid::Uuid;

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Made in this vault (by hand, the CLI or the app).
    Local,
    /// Imported before Vekil recorded origins (schema 2 and older); no
    /// bundle may replace it until the organisation adopts it.
    Unknown,
    /// Imported from bundles signed by this minisign public key (its
    /// base64 line). The whole key, not the key id: a key id is chosen by
    /// whoever makes the key.
    Signer(String),
}

const LOCAL: &str = "local";
const UNKNOWN: &str = "unknown";
const SIGNER_PREFIX: &str = "signer:";

impl Origin {
    /// The value stored in `records.origin`.
    pub(crate) fn to_db(&self) -> String {
        match self {
            Self::Local => LOCAL.into(),
            Self::Unknown => UNKNOWN.into(),
            Self::Signer(key) => format!("{SIGNER_PREFIX}{key}"),
        }
    }

    /// Reads `records.origin`; anything unrecognised is [`Origin::Unknown`],
    /// which no bundle may replace.
    pub(crate) fn from_db(s: &str) -> Self {
        match s {
            LOCAL => Self::Local,
            _ => match s.strip_prefix(SIGNER_PREFIX) {
                Some(key) if !key.is_empty() => Self::Signer(key.to_owned()),
                _ => Self::Unknown,
            },
        }
    }

    /// Who this is, for messages: "this vault", a trusted signer's name,
    /// or the key id of a signer no longer trusted.
    pub(crate) fn describe(&self, conn: &rusqlite::Connection) -> String {
        match self {
            Self::Local => "this vault".into(),
            Self::Unknown => "a sender not recorded (it was imported before Vekil kept \
                              each record's sender)"
                .into(),
            Self::Signer(key) => {
                let name: Option<String> = conn
                    .query_row(
                        "SELECT name FROM signers WHERE public_key = ?1",
                        [key],
                        |r| r.get(0),
                    )
                    .optional()
                    .ok()
                    .flatten();
                match name {
                    Some(n) => format!("trusted signer {n:?}"),
                    None => {
                        let id = minisign::PublicKey::from_base64(key)
                            .map(|k| crate::export::signing::key_id(&k))
                            .unwrap_or_else(|_| "?".into());
                        format!("signing key {id}, no longer trusted")
                    }
                }
            }
        }
    }
}

/// A merge refused because it crosses origins.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// The id is taken by a record of another origin.
    #[error(
        "{kind} {id} already exists here and came from {owner}, so this bundle may not \
         replace it; ask its sender why it carries that id"
    )]
    Clash {
        /// Kind of the record.
        kind: Kind,
        /// Its id.
        id: Uuid,
        /// Where the stored record came from.
        origin: Origin,
        /// Who that is, in words.
        owner: String,
    },
    /// A link points at a record of another origin.
    #[error(
        "{kind} {id}: {field} points to {target_kind} {target_id}, which came from {owner}; \
         a bundle may link only to records from its own signer"
    )]
    ForeignLink {
        /// Kind of the linking record.
        kind: Kind,
        /// Its id.
        id: Uuid,
        /// The field holding the link.
        field: &'static str,
        /// Kind of the target.
        target_kind: Kind,
        /// The target's id.
        target_id: Uuid,
        /// Where the target came from.
        origin: Origin,
        /// Who that is, in words.
        owner: String,
    },
}

impl OriginError {
    /// Where the record in the way came from.
    pub fn origin(&self) -> &Origin {
        match self {
            Self::Clash { origin, .. } | Self::ForeignLink { origin, .. } => origin,
        }
    }
}

/// The origin of one record, if it exists.
pub(crate) fn origin_of(
    conn: &rusqlite::Connection,
    kind: Kind,
    id: Uuid,
) -> rusqlite::Result<Option<Origin>> {
    Ok(conn
        .prepare_cached("SELECT origin FROM records WHERE kind = ?1 AND id = ?2")?
        .query_row(rusqlite::params![kind.as_str(), id.to_string()], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .map(|s| Origin::from_db(&s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::migrations::migrate_to;
    use rusqlite::Connection;

    #[test]
    fn origins_round_trip_and_strangers_are_unknown() {
        for o in [
            Origin::Local,
            Origin::Unknown,
            Origin::Signer("RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3".into()),
        ] {
            assert_eq!(Origin::from_db(&o.to_db()), o);
        }
        for odd in ["", "signer:", "Local", "trusted"] {
            assert_eq!(Origin::from_db(odd), Origin::Unknown, "{odd:?}");
        }
    }

    fn seed(conn: &Connection, id: &str) {
        conn.execute(
            "INSERT INTO records (kind, id, revision, created_at, updated_at, data)
             VALUES ('client', ?1, 1, 't', 't', '{}')",
            [id],
        )
        .unwrap();
    }

    fn origins(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT origin FROM records ORDER BY id")
            .unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// Migration 0003 on version-2 databases: a vault that never imported
    /// keeps its records as local; in one that trusted a signer on first
    /// use, every record becomes unknown (nothing tells them apart) and
    /// the unchecked pins are dropped, never turned into trusted signers.
    #[test]
    fn migration_0003_upgrades_version_2_databases() {
        let mut lawyer = Connection::open_in_memory().unwrap();
        migrate_to(&mut lawyer, 2).unwrap();
        seed(&lawyer, "a");
        seed(&lawyer, "b");
        lawyer
            .execute(
                "INSERT INTO meta (key, value) VALUES ('signing_secret_key', 'ab')",
                [],
            )
            .unwrap();
        migrate_to(&mut lawyer, 3).unwrap();
        assert_eq!(origins(&lawyer), ["local", "local"]);
        let signers: i64 = lawyer
            .query_row("SELECT count(*) FROM signers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(signers, 0);
        // Records added after the upgrade are local by default.
        seed(&lawyer, "c");
        assert_eq!(origins(&lawyer), ["local", "local", "local"]);

        let mut ngo = Connection::open_in_memory().unwrap();
        migrate_to(&mut ngo, 2).unwrap();
        seed(&ngo, "a");
        seed(&ngo, "b");
        ngo.execute(
            "INSERT INTO meta (key, value) VALUES ('trusted_signer:3f2a', 'RWQ…'),
                                                  ('trustedXsigner:keep', 'x')",
            [],
        )
        .unwrap();
        migrate_to(&mut ngo, 3).unwrap();
        assert_eq!(origins(&ngo), ["unknown", "unknown"]);
        let pins: Vec<String> = {
            let mut stmt = ngo.prepare("SELECT key FROM meta ORDER BY key").unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            rows.collect::<rusqlite::Result<_>>().unwrap()
        };
        assert_eq!(pins, ["trustedXsigner:keep"], "only the pins are dropped");
        let signers: i64 = ngo
            .query_row("SELECT count(*) FROM signers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(signers, 0, "a pin became a trusted signer");
        assert_eq!(
            origin_of(&ngo, Kind::Client, Uuid::nil()).unwrap(),
            None,
            "no such record"
        );
    }
}
