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

/// Removes an organisation; false if it was not there. It is no longer
/// ticked either: an organisation added later under the same name (with
/// another key) starts unticked.
pub fn remove(vault: &Vault, name: &str) -> Result<bool> {
    vault.ensure_writable().map_err(crate::Error::from)?;
    let removed = vault
        .conn
        .execute("DELETE FROM recipients WHERE name = ?1", [name.trim()])?
        > 0;
    if removed {
        store_chosen(vault, &chosen(vault)?)?;
    }
    Ok(removed)
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

/// Where the Export screen's ticked organisations are kept (`meta`, inside
/// the encrypted database), as a JSON array of names.
const CHOSEN_KEY: &str = "export_recipients_chosen";

/// The organisations ticked on the Export screen last time, by their
/// address-book spelling, leaving out any removed since. Kept per vault so
/// the choice survives a lock and a restart (the window keeps nothing).
pub fn chosen(vault: &Vault) -> Result<Vec<String>> {
    let stored: Option<String> = vault
        .conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [CHOSEN_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    // A value this code did not write is treated as no choice at all.
    let names: Vec<String> = stored
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default();
    let book = list(vault)?;
    // Stored as the address book spells them (see `set_chosen`).
    Ok(book
        .into_iter()
        .filter(|r| names.contains(&r.name))
        .map(|r| r.name)
        .collect())
}

/// Remembers which organisations are ticked on the Export screen. Every
/// name must be in the address book: an unknown one is refused and the
/// remembered choice is left as it was. Returns the names as stored.
pub fn set_chosen(vault: &Vault, names: &[String]) -> Result<Vec<String>> {
    let mut stored: Vec<String> = vec![];
    for n in names {
        let r = get(vault, n)?;
        if !stored.contains(&r.name) {
            stored.push(r.name);
        }
    }
    vault.ensure_writable().map_err(crate::Error::from)?;
    store_chosen(vault, &stored)?;
    Ok(stored)
}

fn store_chosen(vault: &Vault, names: &[String]) -> Result<()> {
    let json = serde_json::to_string(names).map_err(|e| ExportError::Serialise {
        what: "the chosen recipients".into(),
        reason: e.to_string(),
    })?;
    vault.conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [CHOSEN_KEY, json.as_str()],
    )?;
    Ok(())
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
    use crate::secret::Passphrase;
    use crate::vault::migrations::{migrate_to, SCHEMA_VERSION};
    use crate::vault::{Vault, VaultOptions};

    const NGO_KEY: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    const CUSTODIAN_KEY: &str = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";

    /// The Export screen's ticked organisations survive a lock (close and
    /// unlock), follow the address book, and bad input changes nothing.
    #[test]
    fn the_chosen_recipients_are_kept_in_the_vault() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("vault");
        let pass = Passphrase::new("correct horse battery staple".into());
        let (v, _) =
            Vault::create_with(&dir, &pass, &VaultOptions { kdf_log_n: 10 }).expect("vault");
        let ngo = "Azərbaycan Vəkillər Assosiasiyası";
        let ru = "Правозащитный центр «Мемориал»";
        super::add(&v, ngo, NGO_KEY).expect("ngo");
        super::add(&v, ru, CUSTODIAN_KEY).expect("ru");
        assert!(super::chosen(&v).expect("none yet").is_empty());
        assert_eq!(
            super::set_chosen(&v, &[format!("  {ngo} "), ngo.into()]).expect("set"),
            [ngo]
        );
        // An organisation not in the book is refused; the choice stays.
        let err = super::set_chosen(&v, &[ru.into(), "Unknown NGO".into()]).expect_err("unknown");
        assert!(
            matches!(err, super::ExportError::UnknownRecipient(_)),
            "{err}"
        );
        v.close().expect("close");

        let v = Vault::unlock(&dir, &pass).expect("unlock");
        assert_eq!(super::chosen(&v).expect("kept"), [ngo]);
        super::set_chosen(&v, &[ru.into(), ngo.into()]).expect("both");
        assert_eq!(super::chosen(&v).expect("book order"), [ngo, ru]);
        // A removed organisation is no longer ticked, even if re-added.
        assert!(super::remove(&v, ngo).expect("remove"));
        assert_eq!(super::chosen(&v).expect("after remove"), [ru]);
        super::add(&v, ngo, NGO_KEY).expect("re-add");
        assert_eq!(super::chosen(&v).expect("re-added unticked"), [ru]);
        super::set_chosen(&v, &[]).expect("none");
        assert!(super::chosen(&v).expect("cleared").is_empty());
    }

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
