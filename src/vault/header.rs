//! `vault.json`: the plaintext header of a vault, and its seal.
//!
//! It holds nothing secret: the format version, the vault and device ids,
//! the scrypt work factor, SHA-256 digests of the key files (so a damaged
//! key file is told apart from a wrong passphrase), a mirror of the change
//! counter kept inside the database, and the unlock back-off state.
//!
//! **The seal.** Everything except `unlock` and `mac` itself is covered by
//! `mac`: HMAC-SHA256, under a key derived from the database key, over a
//! canonical serialisation (keys sorted at every level, no whitespace) of
//! the header as a JSON value. The MAC is computed over the value, not
//! over a list of fields, so a field added later (by this code or anyone
//! else) is covered without anyone remembering to add it. The seal can
//! only be checked once the key is unwrapped, which is why nothing in the
//! header is trusted before that: the scrypt cost read from the key file
//! is capped at unwrap time (`keyfile`), and the header's `kdf_log_n` is
//! used only for re-wrapping, after the seal was checked.
//!
//! **The back-off counter is outside the seal.** It must be written after
//! a wrong passphrase, when there is no key to seal with. Two counters
//! live there: `failed_attempts` (consecutive failures, drives the wait)
//! and `failed_total`, which only ever grows. At each successful unlock the
//! sealed field `failed_unlocks_seen` is compared with `failed_total`:
//! the difference is the number of wrong passphrases typed since the last
//! unlock, and a `failed_total` below the sealed value means the counter
//! was lowered outside Vekil. Limit: someone with write access to the disk
//! can erase the failures made *since the last successful unlock* (by
//! putting back the `unlock` section as it was then); they cannot make the
//! count look lower than what the last unlock sealed, and they cannot
//! change any sealed field without the seal failing.

use super::error::{Result, VaultError};
use super::fsutil;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use std::path::Path;
use uuid::Uuid;

/// The `format` value of every vault header.
pub const FORMAT: &str = "vekil-vault";
/// The header layout this build writes: 2 is sealed (has `mac`).
pub const HEADER_VERSION: u32 = 2;
/// The unsealed layout written before headers were sealed. Read, and
/// sealed at the first unlock.
pub const LEGACY_HEADER_VERSION: u32 = 1;
/// Domain separation of the header MAC input.
const MAC_DOMAIN: &[u8] = b"vekil-header-v2\0";
/// Top-level fields the seal does not cover.
const UNSEALED: [&str; 2] = ["mac", "unlock"];

/// Failures allowed before waiting kicks in.
const FREE_ATTEMPTS: u32 = 3;
/// Longest enforced wait between attempts.
const MAX_BACKOFF_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Header {
    pub format: String,
    pub version: u32,
    pub vault_id: Uuid,
    pub device_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kdf_log_n: u8,
    pub key_files: KeyDigests,
    /// `unlock.failed_total` as of the last successful unlock (sealed).
    #[serde(default)]
    pub failed_unlocks_seen: u64,
    /// Mirror of the database's change counter as of the last close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change: Option<ChangeMark>,
    /// Not sealed: written before the key is known.
    #[serde(default)]
    pub unlock: UnlockState,
    /// Present while the vault is sealed for travel: the key files are gone
    /// and only custodians can release the key (see `travel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<super::travel::Sealed>,
    /// Opt-in: erase the vault after this many failed unlocks in a row
    /// (at least [`super::erase::MIN_WIPE_AFTER`]). Off when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wipe_after_failures: Option<u32>,
    /// The seal (hex), absent in legacy headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Fields this build does not know: kept, written back and sealed as
    /// they are, so a newer build's additions survive and stay covered.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KeyDigests {
    pub passphrase_sha256: String,
    pub recovery_sha256: String,
}

/// The change counter and when it last moved, as mirrored in the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChangeMark {
    pub counter: u64,
    /// RFC 3339, as the database recorded it.
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct UnlockState {
    pub failed_attempts: u32,
    pub last_failure: Option<DateTime<Utc>>,
    /// Every failure ever counted; never lowered by Vekil.
    #[serde(default)]
    pub failed_total: u64,
}

impl UnlockState {
    /// Seconds to wait before another attempt may be made, or 0.
    pub fn wait_secs(&self, now: DateTime<Utc>) -> u64 {
        let (Some(last), true) = (self.last_failure, self.failed_attempts >= FREE_ATTEMPTS) else {
            return 0;
        };
        let exp = (self.failed_attempts - FREE_ATTEMPTS).min(20);
        let delay = (1u64 << (exp + 1)).min(MAX_BACKOFF_SECS);
        let elapsed = (now - last).num_seconds().max(0) as u64;
        delay.saturating_sub(elapsed)
    }

    /// Counts one wrong passphrase or recovery code.
    pub fn record_failure(&mut self, now: DateTime<Utc>) {
        self.failed_attempts = self.failed_attempts.saturating_add(1);
        self.failed_total = self.failed_total.saturating_add(1);
        self.last_failure = Some(now);
    }

    /// After a successful unlock: the wait ends; the total is kept.
    pub fn reset_wait(&mut self) {
        self.failed_attempts = 0;
        self.last_failure = None;
    }
}

/// What checking the seal of a header as read from disk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seal {
    /// The MAC matches: every sealed field is as Vekil wrote it.
    Valid,
    /// No MAC and the legacy layout: written before headers were sealed
    /// (or made to look so; the caller tells these apart).
    Legacy,
    /// A MAC that does not match, or a sealed layout without one.
    Broken,
}

impl Header {
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = fsutil::read(path).map_err(|e| match e {
            VaultError::Corrupt { .. } => {
                VaultError::NotFound(path.parent().map(Path::to_path_buf).unwrap_or_default())
            }
            other => other,
        })?;
        let header: Header = serde_json::from_slice(&bytes)
            .map_err(|e| VaultError::corrupt(path, format!("not a valid vault header ({e})")))?;
        if header.format != FORMAT {
            return Err(VaultError::corrupt(path, "not a Vekil vault header"));
        }
        if header.version > HEADER_VERSION {
            return Err(VaultError::FromFuture {
                found: i64::from(header.version),
                supported: i64::from(HEADER_VERSION),
            });
        }
        Ok(header)
    }

    pub fn store(&self, path: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| VaultError::corrupt(path, format!("cannot encode header: {e}")))?;
        fsutil::write_atomic(path, &bytes)
    }

    /// The sealed part: the header as a JSON value without `mac` and
    /// `unlock`. Also what the database keeps as its copy of the header.
    pub fn sealed_value(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            for k in UNSEALED {
                o.remove(k);
            }
        }
        v
    }

    /// Sets the layout version to the sealed one and computes the MAC.
    pub fn seal(&mut self, key: &SecretBox<[u8; 32]>) {
        self.version = HEADER_VERSION;
        self.mac = Some(mac_hex(key, &self.sealed_value()));
    }

    /// Checks the MAC against the sealed part.
    pub fn check_seal(&self, key: &SecretBox<[u8; 32]>) -> Seal {
        match &self.mac {
            None if self.version == LEGACY_HEADER_VERSION => Seal::Legacy,
            None => Seal::Broken,
            Some(found) => {
                let Ok(found) = hex::decode(found) else {
                    return Seal::Broken;
                };
                let mut mac = hmac_for(key);
                mac.update(&canonical(&self.sealed_value()));
                if mac.verify_slice(&found).is_ok() {
                    Seal::Valid
                } else {
                    Seal::Broken
                }
            }
        }
    }

    /// Rebuilds a header from a sealed value (the database's copy) and the
    /// unsealed back-off state of the file on disk.
    pub fn from_sealed(sealed: &Value, unlock: UnlockState) -> Option<Self> {
        let mut h: Header = serde_json::from_value(sealed.clone()).ok()?;
        h.unlock = unlock;
        h.mac = None;
        Some(h)
    }
}

/// Names of the sealed fields (dotted for nested ones) whose values differ
/// between two sealed values, for telling the lawyer what was changed.
pub(crate) fn changed_fields(trusted: &Value, found: &Value) -> Vec<String> {
    fn walk(prefix: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(a), Some(b)) => walk(&name, a, b, out),
                        _ => out.push(name),
                    }
                }
            }
            _ if a != b => out.push(if prefix.is_empty() {
                "(the whole header)".to_owned()
            } else {
                prefix.to_owned()
            }),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", trusted, found, &mut out);
    out
}

fn hmac_for(key: &SecretBox<[u8; 32]>) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(MAC_DOMAIN);
    mac
}

fn mac_hex(key: &SecretBox<[u8; 32]>, sealed: &Value) -> String {
    let mut mac = hmac_for(key);
    mac.update(&canonical(sealed));
    hex::encode(mac.finalize().into_bytes())
}

/// Canonical JSON: object keys sorted at every level, no whitespace,
/// strings and numbers as serde_json writes them. Independent of whether
/// serde_json keeps insertion order (a feature another crate may enable).
pub(crate) fn canonical(v: &Value) -> Vec<u8> {
    fn write(v: &Value, out: &mut Vec<u8>) {
        match v {
            Value::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort();
                out.push(b'{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(&Value::String(k.clone()), out);
                    out.push(b':');
                    write(&o[k], out);
                }
                out.push(b'}');
            }
            Value::Array(a) => {
                out.push(b'[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write(x, out);
                }
                out.push(b']');
            }
            scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
        }
    }
    let mut out = Vec::new();
    write(v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Header {
        Header {
            format: FORMAT.into(),
            version: HEADER_VERSION,
            vault_id: Uuid::new_v4(),
            device_id: Uuid::new_v4(),
            created_at: Utc::now(),
            kdf_log_n: 19,
            key_files: KeyDigests {
                passphrase_sha256: "aa".repeat(32),
                recovery_sha256: "bb".repeat(32),
            },
            failed_unlocks_seen: 0,
            last_change: Some(ChangeMark {
                counter: 7,
                at: Some("2025-03-14T06:30:00.000Z".into()),
            }),
            unlock: UnlockState::default(),
            sealed: None,
            wipe_after_failures: Some(7),
            mac: None,
            extra: Map::new(),
        }
    }

    fn key(b: u8) -> SecretBox<[u8; 32]> {
        SecretBox::new(Box::new([b; 32]))
    }

    /// Writes and reads back through the file, as unlock does.
    fn round_trip(h: &Header) -> Header {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vault.json");
        h.store(&p).unwrap();
        Header::load(&p).unwrap()
    }

    fn edit_on_disk(h: &Header, f: impl FnOnce(&mut Value)) -> Header {
        let mut v = serde_json::to_value(h).unwrap();
        f(&mut v);
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn backoff_grows_and_expires() {
        let now = Utc::now();
        let mut s = UnlockState {
            failed_attempts: 2,
            last_failure: Some(now),
            failed_total: 2,
        };
        assert_eq!(s.wait_secs(now), 0);
        s.failed_attempts = 3;
        assert_eq!(s.wait_secs(now), 2);
        s.failed_attempts = 5;
        assert_eq!(s.wait_secs(now), 8);
        assert_eq!(s.wait_secs(now + chrono::Duration::seconds(8)), 0);
        s.failed_attempts = 60;
        assert_eq!(s.wait_secs(now), MAX_BACKOFF_SECS);
    }

    #[test]
    fn a_sealed_header_survives_the_file_and_the_backoff_counter() {
        let mut h = sample();
        h.seal(&key(1));
        let mut back = round_trip(&h);
        assert_eq!(back.check_seal(&key(1)), Seal::Valid);
        assert_eq!(
            back.check_seal(&key(2)),
            Seal::Broken,
            "another vault's key"
        );
        // The back-off is written without the key: the seal still holds.
        back.unlock.record_failure(Utc::now());
        let back = round_trip(&back);
        assert_eq!(back.check_seal(&key(1)), Seal::Valid);
    }

    #[test]
    fn every_sealed_field_is_covered_including_unknown_ones() {
        let mut h = sample();
        h.seal(&key(1));
        type Edit = fn(&mut Value);
        let edits: [(&str, Edit); 9] = [
            ("kdf lowered", |v| v["kdf_log_n"] = 1.into()),
            ("kdf raised", |v| v["kdf_log_n"] = 22.into()),
            ("version", |v| v["version"] = 1.into()),
            ("vault id", |v| {
                v["vault_id"] = Uuid::new_v4().to_string().into();
            }),
            ("key digest", |v| {
                v["key_files"]["recovery_sha256"] = "cc".repeat(32).into();
            }),
            ("counter", |v| v["last_change"]["counter"] = 3.into()),
            ("counter dropped", |v| {
                v.as_object_mut().unwrap().remove("last_change");
            }),
            ("failures seen", |v| v["failed_unlocks_seen"] = 9.into()),
            ("a field this build does not know", |v| {
                v["travel_mode"] = true.into();
            }),
        ];
        for (what, edit) in edits {
            let altered = round_trip(&edit_on_disk(&h, edit));
            assert_eq!(altered.check_seal(&key(1)), Seal::Broken, "{what}");
        }
        // Removing the MAC from a sealed layout is not "legacy".
        let stripped = round_trip(&edit_on_disk(&h, |v| {
            v.as_object_mut().unwrap().remove("mac");
        }));
        assert_eq!(stripped.check_seal(&key(1)), Seal::Broken);
    }

    #[test]
    fn fields_a_newer_build_adds_are_kept_and_sealed() {
        let mut h = sample();
        h.extra
            .insert("travel".into(), serde_json::json!({"sealed": true}));
        h.seal(&key(1));
        let back = round_trip(&h);
        assert_eq!(back.extra["travel"]["sealed"], true);
        assert_eq!(back.check_seal(&key(1)), Seal::Valid);
    }

    #[test]
    fn a_header_written_before_seals_reads_as_legacy() {
        // Exactly what the first release wrote (tests/fixtures/legacy-vault-v1).
        let text = r#"{
          "format": "vekil-vault", "version": 1,
          "vault_id": "fd279941-1b48-43dc-9637-5e520fe33db4",
          "device_id": "4a0501ef-64d9-47d8-ac1d-40f09901d722",
          "created_at": "2026-11-29T18:44:31.019383825Z", "kdf_log_n": 19,
          "key_files": {"passphrase_sha256": "55", "recovery_sha256": "9c"},
          "unlock": {"failed_attempts": 0, "last_failure": null}
        }"#;
        let h: Header = serde_json::from_str(text).unwrap();
        assert_eq!(h.check_seal(&key(1)), Seal::Legacy);
        assert_eq!(h.unlock.failed_total, 0);
    }

    #[test]
    fn changed_fields_name_what_differs() {
        let a = sample().sealed_value();
        let mut b = a.clone();
        b["kdf_log_n"] = 1.into();
        b["key_files"]["passphrase_sha256"] = "00".into();
        b["new"] = 1.into();
        assert_eq!(
            changed_fields(&a, &b),
            vec!["kdf_log_n", "key_files.passphrase_sha256", "new"]
        );
        assert!(changed_fields(&a, &a).is_empty());
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-zəıİşğ Ж\u{0307}\"\\\\]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-zə]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The canonical form is valid JSON of the same value, and does not
        /// depend on the order keys were inserted in.
        #[test]
        fn canonical_round_trips_and_ignores_key_order(v in json_value()) {
            let bytes = canonical(&v);
            let back: Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(&back, &v);
            fn reversed(v: &Value) -> Value {
                match v {
                    Value::Object(o) => Value::Object(
                        o.iter().rev().map(|(k, x)| (k.clone(), reversed(x))).collect(),
                    ),
                    Value::Array(a) => Value::Array(a.iter().map(reversed).collect()),
                    s => s.clone(),
                }
            }
            prop_assert_eq!(canonical(&reversed(&v)), bytes);
        }
    }
}
