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

/// One organisation.
#[derive(Debug, Clone, Serialize)]
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
