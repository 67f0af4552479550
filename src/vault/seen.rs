//! This computer's record of the vaults it has opened: for each, the
//! highest change counter seen and the history entry it had reached, so
//! that an older copy of a vault put in place of the newer one is noticed
//! at the next unlock on this computer.
//!
//! The record lives outside the vault, in the user's state directory
//! (`~/.local/state/vekil/seen-vaults.json` on Linux), because a record
//! inside the vault would be rolled back with it. It holds nothing
//! readable about the vault: each entry is filed under an HMAC of the
//! vault id and sealed with a MAC, both under keys derived from the vault's
//! database key, so only someone who can unlock the vault can write an
//! entry that verifies.
//!
//! Limits, stated plainly:
//! - Someone with write access to the user's home can delete an entry, or
//!   put back an older (genuine) copy of the record; Vekil then cannot tell
//!   that from a computer that never saw the newer vault. A changed entry
//!   is reported.
//! - A copy of the whole vault directory opened on a computer that never
//!   saw the newer one cannot be recognised as older: nothing on that
//!   computer knows better (docs/design/storage.md).
//! - Two Vekil processes updating the record at the same moment may lose
//!   one update; the record then stays lower, which can hide a rollback
//!   but never raises a false alarm.

use super::error::{Result, VaultError};
use super::fsutil;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uuid::Uuid;

const FORMAT: &str = "vekil-seen-vaults";
const FILE_NAME: &str = "seen-vaults.json";
const MAC_DOMAIN: &[u8] = b"vekil-seen-entry-v1\0";

/// Where this computer's record lives for the current user.
pub fn default_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "Vekil", "vekil")?;
    let dir = dirs
        .state_dir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dirs.data_local_dir().to_path_buf());
    Some(dir.join(FILE_NAME))
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RecordFile {
    format: String,
    version: u32,
    vaults: BTreeMap<String, Entry>,
}

/// What this computer last saw of one vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The vault's change counter.
    pub counter: u64,
    /// When that change was saved (RFC 3339), as the vault said.
    pub at: Option<String>,
    /// The newest history entry then, and its MAC.
    pub chain_seq: i64,
    pub chain_hash: String,
    mac: String,
}

/// What the record says about a vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// This computer never recorded the vault (or the entry was removed).
    Unknown,
    /// A genuine entry.
    Seen(Entry),
    /// An entry whose MAC fails: changed outside Vekil.
    Altered,
}

/// One vault's place in the record, with the keys to read and seal it.
pub(crate) struct SeenRecord {
    path: PathBuf,
    key: SecretBox<[u8; 32]>,
    slot: String,
}

impl SeenRecord {
    /// The record at `path`, for the vault `vault_id`, keyed by `key`
    /// (derived from the vault's database key).
    pub(crate) fn new(path: PathBuf, vault_id: Uuid, key: SecretBox<[u8; 32]>) -> Self {
        let mut m = mac(&key);
        m.update(b"slot\0");
        m.update(vault_id.as_bytes());
        let slot = hex::encode(m.finalize().into_bytes());
        Self { path, key, slot }
    }

    fn read_file(&self) -> RecordFile {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<RecordFile>(&b).ok())
            .filter(|f| f.format == FORMAT)
            .unwrap_or_default()
    }

    /// What the record holds for this vault.
    pub(crate) fn lookup(&self) -> Lookup {
        match self.read_file().vaults.remove(&self.slot) {
            None => Lookup::Unknown,
            Some(e) if e.mac == self.seal(&e) => Lookup::Seen(e),
            Some(_) => Lookup::Altered,
        }
    }

    /// Records the vault's state, keeping the other vaults' entries.
    pub(crate) fn store(
        &self,
        counter: u64,
        at: Option<String>,
        chain_seq: i64,
        chain_hash: String,
    ) -> Result<()> {
        let mut file = self.read_file();
        file.format = FORMAT.into();
        file.version = 1;
        let mut e = Entry {
            counter,
            at,
            chain_seq,
            chain_hash,
            mac: String::new(),
        };
        e.mac = self.seal(&e);
        file.vaults.insert(self.slot.clone(), e);
        if let Some(dir) = self.path.parent() {
            fsutil::create_private_dir(dir)?;
        }
        let bytes = serde_json::to_vec_pretty(&file)
            .map_err(|e| VaultError::corrupt(&self.path, format!("cannot encode: {e}")))?;
        fsutil::write_atomic(&self.path, &bytes)
    }

    fn seal(&self, e: &Entry) -> String {
        let mut m = mac(&self.key);
        m.update(self.slot.as_bytes());
        for part in [
            e.counter.to_string().as_str(),
            e.at.as_deref().unwrap_or("-"),
            e.chain_seq.to_string().as_str(),
            e.chain_hash.as_str(),
        ] {
            m.update(&[0x1f]);
            m.update(part.as_bytes());
        }
        hex::encode(m.finalize().into_bytes())
    }
}

fn mac(key: &SecretBox<[u8; 32]>) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    m.update(MAC_DOMAIN);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &Path, id: Uuid, k: u8) -> SeenRecord {
        SeenRecord::new(path.into(), id, SecretBox::new(Box::new([k; 32])))
    }

    #[test]
    fn entries_round_trip_and_stay_apart() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("state/seen.json");
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(record(&p, a, 1).lookup(), Lookup::Unknown);
        record(&p, a, 1)
            .store(5, Some("2025-03-14T06:30:00Z".into()), 5, "h5".into())
            .unwrap();
        record(&p, b, 2).store(9, None, 9, "h9".into()).unwrap();
        let Lookup::Seen(e) = record(&p, a, 1).lookup() else {
            panic!("entry lost")
        };
        assert_eq!((e.counter, e.chain_seq), (5, 5));
        // The file names no vault id.
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(!text.contains(&a.to_string()) && !text.contains(&b.to_string()));
    }

    #[test]
    fn a_changed_entry_is_reported() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("seen.json");
        let a = Uuid::new_v4();
        record(&p, a, 1).store(50, None, 50, "h".into()).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, text.replace("\"counter\": 50", "\"counter\": 3")).unwrap();
        assert_eq!(record(&p, a, 1).lookup(), Lookup::Altered);
        // Another vault's key cannot read it as genuine either.
        assert_eq!(record(&p, a, 2).lookup(), Lookup::Unknown);
    }
}
