//! Durable file writes and owner-only permissions.
//!
//! Key files and the header are replaced by write-to-temp, fsync, rename,
//! fsync-directory, so a power cut leaves either the old or the new file,
//! never a torn one. The temporary file sits in the vault directory and
//! holds the same (already encrypted or non-secret) bytes as the target.

use super::error::{Result, VaultError};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Creates a directory readable only by its owner.
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path).map_err(|e| VaultError::io(path, e))
}

/// Opens a new file for writing with owner-only permissions.
pub(crate) fn create_private_file(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| VaultError::io(path, e))
}

/// Replaces `path` with `bytes` atomically and durably.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = create_private_file(&tmp)?;
    f.write_all(bytes).map_err(|e| VaultError::io(&tmp, e))?;
    f.sync_all().map_err(|e| VaultError::io(&tmp, e))?;
    drop(f);
    fs::rename(&tmp, path).map_err(|e| VaultError::io(path, e))?;
    sync_parent(path)
}

/// Makes a rename or create in the parent directory durable.
pub(crate) fn sync_parent(path: &Path) -> Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| VaultError::io(dir, e))?;
    }
    Ok(())
}

/// Reads a whole file, naming it in the error.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            VaultError::corrupt(path, "the file is missing")
        } else {
            VaultError::io(path, e)
        }
    })
}
