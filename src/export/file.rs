//! Writing an export file as if it were a secret.
//!
//! A JSON log, CSV or PDF is plaintext case data the moment it is written,
//! so it is written the way key files are: into a new temporary file in
//! the target folder (created exclusively, owner-only, never through a
//! symbolic link), flushed to disk, then renamed into place, and the folder
//! synced. A crash leaves either nothing or the complete file, never a
//! torn one; a symlink planted at the destination is replaced, not written
//! through; and an existing file is never overwritten unless the caller
//! says so (checked atomically where the file system can).

use super::{ExportError, Result};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates `path` from what `fill` writes, atomically and owner-only.
/// Refuses an existing `path` unless `replace`.
pub fn write_new(
    path: &Path,
    replace: bool,
    fill: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| ExportError::NotAFile(path.to_path_buf()))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Err(ExportError::NotAFile(path.to_path_buf())),
        Ok(_) if !replace => return Err(ExportError::FileExists(path.to_path_buf())),
        _ => {}
    }
    let tmp = dir.join(format!(".{name}.partial-{}", uuid::Uuid::new_v4()));
    let result = (|| {
        let file = create_exclusive(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        fill(&mut w)?;
        let file = w.into_inner().map_err(|e| io(&tmp)(e.into_error()))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        rename(&tmp, path, replace)?;
        File::open(&dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&dir))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A new file, owner-only, that must not exist yet: `O_EXCL` also refuses
/// a symbolic link at that name, dangling or not.
fn create_exclusive(path: &Path) -> Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(io(path))
}

fn rename(from: &Path, to: &Path, replace: bool) -> Result<()> {
    if replace {
        return std::fs::rename(from, to).map_err(io(to));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::EXIST) => return Err(ExportError::FileExists(to.to_path_buf())),
            // File systems without RENAME_NOREPLACE (some FAT/network
            // drivers): fall back to checking first.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
            Err(e) => return Err(io(to)(e.into())),
        }
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(ExportError::FileExists(to.to_path_buf()));
    }
    std::fs::rename(from, to).map_err(io(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_owner_only_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("log.json");
        write_new(&p, false, |w| {
            w.write_all(b"{}").map_err(io(Path::new("x")))
        })
        .expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"{}");
        #[cfg(unix)]
        assert_eq!(
            std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn never_overwrites_unless_asked_and_never_writes_through_a_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("report.pdf");
        std::fs::write(&p, b"old").expect("old");
        let err = write_new(&p, false, |_| Ok(())).expect_err("exists");
        assert!(matches!(err, ExportError::FileExists(_)));
        assert_eq!(std::fs::read(&p).expect("read"), b"old");

        // A link planted at the destination is replaced, its target untouched.
        #[cfg(unix)]
        {
            let target = dir.path().join("victim");
            std::fs::write(&target, b"precious").expect("victim");
            let link = dir.path().join("out.csv");
            std::os::unix::fs::symlink(&target, &link).expect("symlink");
            assert!(matches!(
                write_new(&link, false, |_| Ok(())),
                Err(ExportError::FileExists(_))
            ));
            write_new(&link, true, |w| {
                w.write_all(b"new").map_err(io(Path::new("x")))
            })
            .expect("replace");
            assert_eq!(std::fs::read(&target).expect("victim"), b"precious");
            assert!(!std::fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink());
        }
    }

    #[test]
    fn a_failed_export_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("log.json");
        let err = write_new(&p, false, |w| {
            w.write_all(b"half").map_err(io(Path::new("x")))?;
            Err(ExportError::Pdf("layout failed".into()))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 0);
    }
}
