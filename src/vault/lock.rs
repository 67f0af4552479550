//! The process lock that keeps two writers out of one vault.
//!
//! An OS advisory lock (`flock` on Unix) on `vault.lock` is held for as long
//! as the vault is open. The OS drops it when the process dies, so a crash
//! never leaves a vault locked for good.
//!
//! A read-only open takes a shared lock instead, on the lock file opened
//! for reading, so readers do not exclude each other but a writer and a
//! reader do. In a folder that cannot be written and has no lock file (a
//! copy made without it), there is nothing to lock and nobody who could
//! write: the open goes ahead without a lock.

use super::error::{Result, VaultError};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Held while a vault is open; releasing happens on drop.
#[derive(Debug)]
pub(crate) struct VaultLock {
    file: Option<File>,
}

/// Releases the lock outright rather than only closing the file. An flock
/// belongs to the open file, which a program being started elsewhere in
/// the process (a fork not yet exec'd) shares until it runs its own code;
/// closing our descriptor alone left the vault "in use" for that long
/// (tests/store.rs, `a_closed_vault_opens_again_while_a_program_is_starting`).
impl Drop for VaultLock {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            // Nothing to do if it fails: closing the file releases it too.
            let _ = file.unlock();
        }
    }
}

impl VaultLock {
    /// The exclusive lock of a writer.
    pub(crate) fn acquire(vault_dir: &Path) -> Result<Self> {
        let path = vault_dir.join(super::LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| VaultError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(VaultError::InUse(vault_dir.into())),
            Err(std::fs::TryLockError::Error(e)) => Err(VaultError::io(&path, e)),
        }
    }

    /// The shared lock of a read-only reader (see the module doc).
    pub(crate) fn acquire_shared(vault_dir: &Path) -> Result<Self> {
        let path = vault_dir.join(super::LOCK_FILE);
        let Ok(file) = File::open(&path) else {
            return Ok(Self { file: None });
        };
        match file.try_lock_shared() {
            Ok(()) => Ok(Self { file: Some(file) }),
            Err(std::fs::TryLockError::WouldBlock) => Err(VaultError::InUse(vault_dir.into())),
            // A file system without locks (some sticks): reading is still safe.
            Err(std::fs::TryLockError::Error(_)) => Ok(Self { file: None }),
        }
    }
}
