//! Read-write or read-only: deciding, and opening the database to match.
//!
//! A vault on a write-protected stick, or a copy the user may not change,
//! must still open for reading: list, show, search, timeline, export.
//! Writability is asked of the OS with `access(W_OK)` on the folder and
//! the database (through rustix, without `unsafe`), which answers for the
//! real user and for read-only mounts (`EROFS`) alike, before anything is
//! opened; a caller can also ask for read-only outright.
//!
//! A read-only database cannot use the usual WAL set-up: WAL needs the
//! `-shm` file, which SQLite cannot create in a folder it cannot write.
//! A vault that was closed cleanly has no `-wal` file; it is opened with
//! SQLite's `immutable=1` URI parameter, which reads the file as it is
//! with no locking and no journal files. A vault with a non-empty `-wal`
//! (not closed cleanly) holds saves that exist only in that file, so
//! `immutable` would silently miss them: it is opened as an ordinary
//! read-only WAL database instead, which works when the `-shm` file is
//! there too, and otherwise fails with a sentence saying to copy the
//! folder somewhere writable. Every read-only connection also sets
//! `query_only`, so no statement can write, whatever the code path.
//!
//! Limit: `immutable` assumes nobody changes the file while it is open.
//! On a stick that is true; in a folder another user can write, that user
//! could change the vault under a read-only reader, which then may read
//! an inconsistent page (reported as damage, never silently accepted:
//! every page is still authenticated by SQLCipher).

use super::error::{Result, VaultError};
use super::report::ReadOnlyReason;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// How the vault is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    ReadWrite,
    ReadOnly(ReadOnlyReason),
}

impl Access {
    pub(crate) fn is_read_only(&self) -> bool {
        matches!(self, Self::ReadOnly(_))
    }

    pub(crate) fn reason(&self) -> Option<&ReadOnlyReason> {
        match self {
            Self::ReadOnly(r) => Some(r),
            Self::ReadWrite => None,
        }
    }
}

/// Read-only if asked, or if the folder or the database cannot be written.
pub(crate) fn decide(dir: &Path, db: &Path, requested: bool) -> Access {
    if requested {
        return Access::ReadOnly(ReadOnlyReason::Requested);
    }
    let writable = |p: &Path| rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok();
    if !writable(dir) || (db.exists() && !writable(db)) {
        return Access::ReadOnly(ReadOnlyReason::FolderNotWritable);
    }
    Access::ReadWrite
}

/// Opens the database file as `access` allows (see the module doc).
pub(crate) fn open(db: &Path, access: &Access, fresh: bool) -> Result<Connection> {
    let no_mutex = OpenFlags::SQLITE_OPEN_NO_MUTEX;
    match access {
        Access::ReadWrite => {
            let flags =
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | no_mutex;
            Ok(Connection::open_with_flags(db, flags)?)
        }
        Access::ReadOnly(_) if fresh => Err(VaultError::corrupt(
            db,
            "a new vault cannot be created read-only",
        )),
        Access::ReadOnly(_) => {
            if !db.exists() {
                return Err(VaultError::corrupt(db, "the database file is missing"));
            }
            let wal = db.with_extension("db-wal");
            let unclean = std::fs::metadata(&wal)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | no_mutex;
            let conn = if unclean {
                Connection::open_with_flags(db, flags - OpenFlags::SQLITE_OPEN_URI)
                    .map_err(|_| VaultError::UncleanReadOnly(db.to_path_buf()))?
            } else {
                Connection::open_with_flags(immutable_uri(db), flags)?
            };
            conn.execute_batch("PRAGMA query_only = ON;")?;
            Ok(conn)
        }
    }
}

/// `file:<path>?immutable=1`, the path percent-encoded except for the
/// characters a URI path keeps as they are.
fn immutable_uri(db: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut uri = String::from("file:");
    for &b in db.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uri_escapes_what_sqlite_would_misread() {
        let p = Path::new("/media/İş qovluğu/100%?#/vekil.db");
        assert_eq!(
            immutable_uri(p),
            "file:/media/%C4%B0%C5%9F%20qovlu%C4%9Fu/100%25%3F%23/vekil.db?immutable=1"
        );
    }

    #[test]
    fn asking_for_read_only_is_honoured_on_a_writable_folder() {
        let t = tempfile::tempdir().unwrap();
        let db = t.path().join("vekil.db");
        assert_eq!(decide(t.path(), &db, false), Access::ReadWrite);
        assert_eq!(
            decide(t.path(), &db, true),
            Access::ReadOnly(ReadOnlyReason::Requested)
        );
    }
}
