//! Where an import keeps the attachments it has read until its records
//! are committed.
//!
//! Attachments stream out of the bundle in the same pass that checks the
//! signature and every hash, so they must be kept somewhere before the
//! records are merged; keeping them in the attachment store at once would
//! leave files behind whenever the import is then refused. They go to
//! `import-staging/` inside the vault instead, encrypted exactly like
//! stored attachments (never plaintext), and move into `attachments/` only
//! after the database commit. A refused import deletes the folder, so the
//! vault is left byte-for-byte as it was.
//!
//! A crash between the commit and the move leaves staged files that the
//! committed records refer to: the next import first moves those into the
//! store and deletes the rest.

use super::Result;
use crate::model::{EvidenceNote, Stored};
use crate::vault::fsutil;
use crate::Vault;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The staging folder's name inside the vault.
pub const STAGING_DIR: &str = "import-staging";

/// The attachments of one import, staged. Dropped without
/// [`Staging::commit`], the folder and everything in it is deleted.
pub(crate) struct Staging<'v> {
    vault: &'v Vault,
    dir: PathBuf,
    /// (plaintext SHA-256, staged encrypted file)
    files: Vec<(String, PathBuf)>,
}

impl<'v> Staging<'v> {
    /// Finishes or clears what an interrupted import left, then starts an
    /// empty staging area (the folder is made on the first attachment).
    pub(crate) fn open(vault: &'v Vault) -> Result<Self> {
        let dir = vault.dir().join(STAGING_DIR);
        recover(vault, &dir)?;
        Ok(Self {
            vault,
            dir,
            files: vec![],
        })
    }

    /// Encrypts one attachment from the bundle into the staging area.
    /// `sha256` is what the signed manifest says; the caller checks the
    /// bytes against it as they pass. An attachment the vault already
    /// holds is read (so it is still checked) but not stored again.
    pub(crate) fn stage(&mut self, sha256: &str, source: &mut dyn Read) -> Result<()> {
        if self.vault.attachment_path(sha256).exists() {
            return Ok(());
        }
        fsutil::create_private_dir(&self.dir).map_err(crate::Error::from)?;
        let (file, got, _, _) = self.vault.encrypt_blob(
            &self.dir,
            source,
            Path::new(&format!("attachments/{sha256}")),
            0,
        )?;
        self.files.push((got, file));
        Ok(())
    }

    /// After the records are committed: moves every staged file into the
    /// attachment store and removes the staging folder.
    pub(crate) fn commit(mut self) -> Result<()> {
        for (sha, file) in std::mem::take(&mut self.files) {
            self.vault.place_blob(&file, &sha)?;
        }
        Ok(())
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        // Committed or not, nothing is kept here: after a commit the files
        // have moved out; without one they must not stay.
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Deals with a staging folder left by an import that did not finish:
/// a staged file whose attachment a committed evidence note lists (the
/// crash came after the commit) moves into the store; everything else
/// (the crash came before) is deleted.
fn recover(vault: &Vault, dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let io = |e: std::io::Error| crate::Error::from(crate::vault::VaultError::io(dir, e));
    let mut staged: Vec<PathBuf> = vec![];
    for entry in std::fs::read_dir(dir).map_err(io)? {
        staged.push(entry.map_err(io)?.path());
    }
    if !staged.is_empty() {
        let notes: Vec<Stored<EvidenceNote>> = vault.list(&crate::store::ListFilter {
            limit: Some(u32::MAX),
            ..Default::default()
        })?;
        let wanted: HashSet<String> = notes
            .iter()
            .flat_map(|n| n.data.attachments.iter())
            .map(|a| a.sha256.to_ascii_lowercase())
            .filter(|sha| !vault.attachment_path(sha).exists())
            .collect();
        for file in staged {
            if let Some(sha) = staged_sha(vault, &file, &wanted) {
                vault.place_blob(&file, &sha)?;
            }
        }
    }
    std::fs::remove_dir_all(dir).map_err(io)?;
    Ok(())
}

/// Which wanted attachment a staged file holds, by decrypting and hashing
/// it (staged files carry no name that says).
fn staged_sha(vault: &Vault, file: &Path, wanted: &HashSet<String>) -> Option<String> {
    if wanted.is_empty() {
        return None;
    }
    let sha = vault.hash_encrypted(file).ok()?;
    wanted.contains(&sha).then_some(sha)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AttachmentRef, Client, EvidenceNote};
    use crate::vault::test_vault;

    fn sha(b: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b))
    }

    /// A crash after the commit and before the move: the next import's
    /// start moves the referenced file into the store and drops an
    /// unreferenced one, then removes the folder.
    #[test]
    fn an_interrupted_import_is_finished_by_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let v = test_vault(&tmp.path().join("v"));
        let kept = "Şikayət / Жалоба".as_bytes();
        let stray = b"never committed";
        {
            let mut s = Staging::open(&v).unwrap();
            s.stage(&sha(kept), &mut &kept[..]).unwrap();
            s.stage(&sha(stray), &mut &stray[..]).unwrap();
            // The records were committed, then the process died.
            let origin = crate::store::Origin::Signer("RWTtest".into());
            let stored = |data| crate::model::Stored {
                id: uuid::Uuid::new_v4(),
                revision: 1,
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                data,
            };
            let client = stored(Client::new("Rəşad Məmmədov", "C-001"));
            v.write(|w| w.put_stored(&client, &origin)).unwrap();
            let mut note = EvidenceNote::new("Şikayət");
            note.client_id = Some(client.id);
            note.attachments = vec![AttachmentRef {
                sha256: sha(kept),
                file_name: "şikayət.txt".into(),
                size: kept.len() as u64,
                media_type: "text/plain".into(),
            }];
            // As an import writes it: with its attachment already listed.
            let note = crate::model::Stored {
                id: uuid::Uuid::new_v4(),
                revision: 1,
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                data: note,
            };
            v.write(|w| w.put_stored(&note, &origin)).unwrap();
            s.files.clear();
            std::mem::forget(s);
        }
        let dir = v.dir().join(STAGING_DIR);
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        assert!(v.read_attachment(&sha(kept)).is_err(), "not moved yet");

        drop(Staging::open(&v).unwrap());
        assert!(!dir.exists(), "the staging folder is left");
        assert_eq!(&v.read_attachment(&sha(kept)).unwrap()[..], kept);
        assert!(v.read_attachment(&sha(stray)).is_err());
        assert_eq!(
            std::fs::read_dir(v.attachments_dir()).unwrap().count(),
            1,
            "the unreferenced file was kept"
        );
        assert!(v.verify().unwrap().is_ok());
    }

    /// Dropped without a commit, nothing staged survives.
    #[test]
    fn a_dropped_staging_area_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let v = test_vault(&tmp.path().join("v"));
        let mut s = Staging::open(&v).unwrap();
        let bytes = "Rədd cavabı".as_bytes();
        s.stage(&sha(bytes), &mut &bytes[..]).unwrap();
        let dir = v.dir().join(STAGING_DIR);
        let staged: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(staged.len(), 1);
        let raw = std::fs::read(staged[0].path()).unwrap();
        assert!(
            raw.starts_with(b"age-encryption.org/v1"),
            "staged in plaintext"
        );
        drop(s);
        assert!(!dir.exists());
        let stored = std::fs::read_dir(v.attachments_dir()).map_or(0, |d| d.count());
        assert_eq!(stored, 0);
    }
}
