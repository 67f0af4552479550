//! Quick erase: make a vault unrecoverable at once, then remove its files.
//!
//! The database and the attachments are already ciphertext; what makes them
//! readable is the database key, which exists on disk only inside a few
//! small key files. So erase destroys those first (overwrite with random
//! bytes, fsync, unlink, fsync the folder) — a few kilobytes, done in
//! milliseconds — and only then removes the bulky files, which may take a
//! while for gigabytes of attachments but no longer matters: from the first
//! step on, nothing but a backup or a custodian's sealed share can bring the
//! data back.
//!
//! Erase needs no passphrase and works whether the vault is locked, open in
//! another window or sealed for travel. It removes only the files a vault
//! consists of, by name, and the folder only once it is empty, so pointing
//! it at the wrong folder cannot delete someone's documents.
//!
//! What it cannot do: reach copies made earlier (backups, a forensic image)
//! or blocks an SSD keeps after an overwrite (wear-levelling). That is why
//! the key files are small and full-disk encryption is recommended; see
//! docs/design/travel.md.

use super::error::{Result, VaultError};
use super::{
    ATTACHMENTS_DIR, DB_FILE, HEADER_FILE, LOCK_FILE, PASSPHRASE_KEY_FILE, RECOVERY_KEY_FILE,
};
use rand::RngCore;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Lowest limit for the opt-in wipe after failed unlocks: fewer would let
/// a child or a colleague typing a few wrong guesses destroy the data.
pub const MIN_WIPE_AFTER: u32 = 5;

/// Whether the failures recorded in `header` have reached its wipe limit.
pub(crate) fn wipe_is_due(header: &super::header::Header) -> bool {
    header
        .wipe_after_failures
        .is_some_and(|n| header.unlock.failed_attempts >= n.max(MIN_WIPE_AFTER))
}

impl super::Vault {
    /// Turns the wipe after `n` failed unlocks in a row on (`Some(n)`,
    /// n ≥ [`MIN_WIPE_AFTER`]) or off (`None`). The current passphrase is
    /// asked again, because this setting can destroy the data.
    pub fn set_wipe_after_failures(
        &self,
        current: &crate::secret::Passphrase,
        n: Option<u32>,
    ) -> Result<()> {
        if let Some(n) = n.filter(|n| *n < MIN_WIPE_AFTER) {
            return Err(VaultError::Invalid(crate::model::ValidationError::new(
                "wipe_after_failures",
                format!("must be at least {MIN_WIPE_AFTER} (it is {n}), so a few mistyped passphrases cannot erase the vault"),
            )));
        }
        self.ensure_writable()?;
        // Starts from the header as Vekil last sealed it, and seals the
        // change: the limit is covered by the header's MAC.
        let mut header = self.trusted_header()?;
        if !self.is_passphrase(current)? {
            return Err(VaultError::WrongPassphrase { failed_attempts: 0 });
        }
        header.wipe_after_failures = n;
        self.write_header(&mut header)
    }

    /// The wipe limit, if it is on.
    pub fn wipe_after_failures(&self) -> Result<Option<u32>> {
        Ok(super::header::Header::load(&self.dir.join(HEADER_FILE))?.wipe_after_failures)
    }
}

/// What an erase did, for the "erased" screen and the benchmark.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct EraseReport {
    /// Key files overwritten and removed.
    pub key_files_destroyed: u32,
    /// Milliseconds from the start until the last key file was gone.
    #[ts(type = "number")]
    pub keys_gone_ms: u64,
    /// Other files removed (database, attachments, header…).
    pub files_removed: u32,
    /// Milliseconds for the whole erase.
    #[ts(type = "number")]
    pub total_ms: u64,
    /// Whether the vault folder itself is gone (it stays only if it holds
    /// files that are not Vekil's).
    pub folder_removed: bool,
}

/// Erases the vault in `dir`: key files first, then everything else.
///
/// Refuses a folder that is not (or no longer) a vault: it must hold a
/// vault header or a key file. Running it again on a half-erased vault
/// finishes the job.
pub fn erase(dir: &Path) -> Result<EraseReport> {
    let start = Instant::now();
    let keys = key_files(dir);
    if !dir.join(HEADER_FILE).is_file() && keys.is_empty() {
        return Err(VaultError::NotFound(dir.into()));
    }
    let mut key_files_destroyed = 0;
    for path in &keys {
        destroy(path)?;
        key_files_destroyed += 1;
    }
    sync_dir(dir)?;
    let travel = dir.join(super::travel::TRAVEL_DIR);
    if travel.is_dir() {
        sync_dir(&travel)?;
    }
    let keys_gone = start.elapsed();

    let mut files_removed = 0;
    let attachments = dir.join(ATTACHMENTS_DIR);
    if let Ok(entries) = fs::read_dir(&attachments) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_file() {
                remove(&p)?;
                files_removed += 1;
            }
        }
    }
    for name in [
        "vekil.db-wal",
        "vekil.db-shm",
        DB_FILE,
        HEADER_FILE,
        LOCK_FILE,
    ] {
        let p = dir.join(name);
        if p.is_file() {
            remove(&p)?;
            files_removed += 1;
        }
    }
    let _ = fs::remove_dir(&attachments);
    let _ = fs::remove_dir(&travel);
    let folder_removed = fs::remove_dir(dir).is_ok();
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = sync_dir(parent);
    }
    Ok(EraseReport {
        key_files_destroyed,
        keys_gone_ms: millis(keys_gone),
        files_removed,
        total_ms: millis(start.elapsed()),
        folder_removed,
    })
}

/// Every file that holds (a wrapping or a share of) the database key or
/// could: the two key files, temporary files left by an interrupted
/// rewrite of one, and the travel folder (sealed shares, one-time key).
pub(crate) fn key_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for name in [PASSPHRASE_KEY_FILE, RECOVERY_KEY_FILE] {
        let p = dir.join(name);
        if p.is_file() {
            out.push(p);
        }
    }
    for folder in [dir.to_path_buf(), dir.join(super::travel::TRAVEL_DIR)] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        let in_travel = folder != dir;
        for entry in entries.flatten() {
            let p = entry.path();
            let tmp = p.extension().is_some_and(|e| e == "tmp");
            if p.is_file() && (in_travel || tmp) && !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Overwrites a file with random bytes, flushes that to the disk, then
/// unlinks it. The caller fsyncs the folder once after a batch.
pub(crate) fn destroy(path: &Path) -> Result<()> {
    let io = |e| VaultError::io(path, e);
    let len = fs::metadata(path).map_err(io)?.len();
    let mut f = OpenOptions::new().write(true).open(path).map_err(io)?;
    let mut noise = vec![0u8; usize::try_from(len).unwrap_or(0).min(1 << 20)];
    let mut left = len;
    while left > 0 {
        let n = noise
            .len()
            .min(usize::try_from(left).unwrap_or(noise.len()));
        rand::rngs::OsRng.fill_bytes(&mut noise[..n]);
        f.write_all(&noise[..n]).map_err(io)?;
        left -= n as u64;
    }
    f.sync_all().map_err(io)?;
    drop(f);
    fs::remove_file(path).map_err(io)
}

fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(VaultError::io(path, e)),
        _ => Ok(()),
    }
}

/// Makes unlinks in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| VaultError::io(dir, e))?;
    Ok(())
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_that_is_not_a_vault_and_leaves_it_alone() {
        let t = tempfile::tempdir().unwrap();
        let doc = t.path().join("müraciət.txt");
        fs::write(&doc, "Ərizə").unwrap();
        assert!(matches!(erase(t.path()), Err(VaultError::NotFound(_))));
        assert_eq!(fs::read_to_string(&doc).unwrap(), "Ərizə");
    }

    #[test]
    fn keeps_foreign_files_and_therefore_the_folder() {
        let t = tempfile::tempdir().unwrap();
        fs::write(t.path().join(HEADER_FILE), "{}").unwrap();
        fs::write(t.path().join(PASSPHRASE_KEY_FILE), "age").unwrap();
        fs::write(t.path().join("notes.txt"), "not Vekil's").unwrap();
        let r = erase(t.path()).unwrap();
        assert_eq!(r.key_files_destroyed, 1);
        assert!(!r.folder_removed);
        assert!(t.path().join("notes.txt").is_file());
        assert!(!t.path().join(HEADER_FILE).exists());
    }
}
