//! The process lock that keeps two writers out of one vault.
//!
//! An OS advisory lock (`flock` on Unix) on `vault.lock` is held for as long
//! as the vault is open. The OS drops it when the process dies, so a crash
//! never leaves a vault locked for good.

use super::error::{Result, VaultError};
use std::fs::{File, OpenOptions};
use std::path::Path;

/// Held while a vault is open; releasing happens on drop.
#[derive(Debug)]
pub(crate) struct VaultLock {
    _file: File,
}

impl VaultLock {
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
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(VaultError::InUse(vault_dir.into())),
            Err(std::fs::TryLockError::Error(e)) => Err(VaultError::io(&path, e)),
        }
    }
}
