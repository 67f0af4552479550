//! The recipient address book: organisations a lawyer sends bundles to.
//!
//! Each entry pairs a name (the one used in incident consent) with an age
//! X25519 public key. The fingerprint is a short digest of the key for
//! comparing over the phone or in person, since a swapped key would send
//! a client's records to the wrong people.

use super::{ExportError, Result};
use crate::Vault;
use rusqlite::OptionalExtension;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::str::FromStr;
use ts_rs::TS;

/// One organisation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Recipient {
    /// Organisation name (as used in consent).
    pub name: String,
    /// age X25519 public key, `age1…`.
    pub age_public_key: String,
    /// For out-of-band comparison.
    pub fingerprint: String,
    /// When added.
    pub added_at: String,
}

/// SHA-256 of the key text, first 10 bytes, in groups of four hex digits.
pub fn fingerprint(age_public_key: &str) -> String {
    let d = Sha256::digest(age_public_key.trim().as_bytes());
    hex::encode_upper(&d[..10])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses an `age1…` key, naming the recipient in the error.
pub fn parse_key(name: &str, key: &str) -> Result<age::x25519::Recipient> {
    age::x25519::Recipient::from_str(key.trim()).map_err(|e| ExportError::BadRecipient {
        name: name.into(),
        reason: format!("not an age X25519 public key (age1…): {e}"),
    })
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Recipient> {
    let key: String = r.get(1)?;
    Ok(Recipient {
        name: r.get(0)?,
        fingerprint: fingerprint(&key),
        age_public_key: key,
        added_at: r.get(2)?,
    })
}

/// Adds or replaces an organisation.
pub fn add(vault: &Vault, name: &str, key: &str) -> Result<Recipient> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ExportError::BadRecipient {
            name: name.into(),
            reason: "the name must be 1 to 200 characters".into(),
        });
    }
    let parsed = parse_key(name, key)?;
    vault.ensure_writable().map_err(crate::Error::from)?;
    let key = parsed.to_string();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    vault.conn.execute(
        "INSERT INTO recipients (name, age_public_key, added_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET age_public_key = excluded.age_public_key",
        [name, key.as_str(), now.as_str()],
    )?;
    get(vault, name)
}

/// Removes an organisation; false if it was not there.
pub fn remove(vault: &Vault, name: &str) -> Result<bool> {
    vault.ensure_writable().map_err(crate::Error::from)?;
    Ok(vault
        .conn
        .execute("DELETE FROM recipients WHERE name = ?1", [name.trim()])?
        > 0)
}

/// One organisation by name (case-insensitive).
pub fn get(vault: &Vault, name: &str) -> Result<Recipient> {
    vault
        .conn
        .query_row(
            "SELECT name, age_public_key, added_at FROM recipients WHERE name = ?1",
            [name.trim()],
            row,
        )
        .optional()?
        .ok_or_else(|| ExportError::UnknownRecipient(name.into()))
}

/// Every organisation, by name.
pub fn list(vault: &Vault) -> Result<Vec<Recipient>> {
    let mut stmt = vault
        .conn
        .prepare("SELECT name, age_public_key, added_at FROM recipients ORDER BY name")?;
    let rows = stmt.query_map([], row)?;
    let mut out = vec![];
    for r in rows {
        out.push(r?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::vault::migrations::{migrate_to, SCHEMA_VERSION};

    /// Migration 0002 on a database seeded at version 1: data kept, the
    /// address book usable.
    #[test]
    fn migration_0002_upgrades_a_version_1_database() {
        let mut conn = rusqlite::Connection::open_in_memory().expect("db");
        migrate_to(&mut conn, 1).expect("to 1");
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('vault_id', 'seeded')",
            [],
        )
        .expect("seed");
        migrate_to(&mut conn, SCHEMA_VERSION).expect("upgrade");
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(v, SCHEMA_VERSION);
        const { assert!(SCHEMA_VERSION >= 2) };
        let id: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'vault_id'", [], |r| {
                r.get(0)
            })
            .expect("kept");
        assert_eq!(id, "seeded");
        conn.execute(
            "INSERT INTO recipients (name, age_public_key, added_at) VALUES ('Org', 'age1x', 'now')",
            [],
        )
        .expect("recipients table");
        // Names are unique case-insensitively.
        assert!(conn
            .execute(
                "INSERT INTO recipients (name, age_public_key, added_at) VALUES ('ORG', 'age1y', 'now')",
                [],
            )
            .is_err());
        // Running again is a no-op.
        migrate_to(&mut conn, SCHEMA_VERSION).expect("idempotent");
    }
}
