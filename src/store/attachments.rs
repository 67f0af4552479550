//! Attachments: scans, photos and recordings, encrypted at intake.
//!
//! A file is streamed once: hashed (SHA-256 of the plaintext, recorded in
//! the evidence note) and age-encrypted to the vault's own X25519 key into
//! `attachments/`. The stored name is an HMAC of that hash under a key
//! derived from the database key, not the hash itself, so someone holding
//! the laptop cannot confirm that a known document is in the vault.
//! Identical files are stored once.

use super::media_type;
use crate::error::{Error, Result};
use crate::model::{AttachmentRef, EvidenceNote};
use crate::vault::{fsutil, Vault, VaultError, ATTACHMENTS_DIR};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Largest attachment accepted: 2 GiB.
pub const MAX_ATTACHMENT_BYTES: u64 = 2 << 30;

/// Why an attachment could not be stored or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttachmentError {
    /// Reading the source or writing the vault failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The encrypted file is missing.
    #[error("attachment file {0} is missing")]
    Missing(PathBuf),
    /// The encrypted file fails to decrypt or its hash differs.
    #[error("attachment file {path} is damaged or was altered: {reason}")]
    Damaged {
        /// The encrypted file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// Over [`MAX_ATTACHMENT_BYTES`].
    #[error("{0} is larger than 2 GiB; split it or keep it outside the vault")]
    TooLarge(PathBuf),
    /// The evidence note has no attachment with that hash.
    #[error("no attachment with SHA-256 {0} in this vault")]
    Unknown(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> AttachmentError + '_ {
    move |source| AttachmentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An attachment opened with [`Vault::open_attachment`]: plaintext on
/// demand, in memory only.
pub struct AttachmentReader {
    inner: age::stream::StreamReader<std::io::BufReader<std::fs::File>>,
    path: PathBuf,
}

impl AttachmentReader {
    /// The error to report when reading this attachment failed.
    pub fn damaged(&self, _e: std::io::Error) -> Error {
        AttachmentError::Damaged {
            path: self.path.clone(),
            reason: "the encrypted data is truncated or altered".into(),
        }
        .into()
    }
}

impl Read for AttachmentReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl std::io::Seek for AttachmentReader {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Reader that counts and hashes what passes through it, keeping the
/// first bytes (up to `head_limit`) for [`media_type::sniff`].
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
    head: zeroize::Zeroizing<Vec<u8>>,
    head_limit: usize,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        let room = self.head_limit.saturating_sub(self.head.len()).min(n);
        self.head.extend_from_slice(&buf[..room]);
        self.size += n as u64;
        if self.size > MAX_ATTACHMENT_BYTES {
            return Err(std::io::Error::other("too large"));
        }
        Ok(n)
    }
}

impl Vault {
    pub(crate) fn attachments_dir(&self) -> PathBuf {
        self.dir().join(ATTACHMENTS_DIR)
    }

    /// Where the encrypted copy of a file with this plaintext hash lives.
    pub(crate) fn attachment_path(&self, sha256: &str) -> PathBuf {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.name_key.expose_secret())
            .expect("HMAC takes keys of any length");
        mac.update(sha256.as_bytes());
        let name = hex::encode(mac.finalize().into_bytes());
        self.attachments_dir().join(format!("{name}.age"))
    }

    /// Encrypts everything `source` yields into the vault; returns the
    /// plaintext's SHA-256, its size and the media type sniffed from the
    /// first `sniff_bytes` of the content. `origin` names the source in
    /// errors.
    fn store_sniffed(
        &self,
        source: impl Read,
        origin: &Path,
        sniff_bytes: usize,
    ) -> Result<(String, u64, &'static str)> {
        self.ensure_writable()?;
        let dir = self.attachments_dir();
        fsutil::create_private_dir(&dir)?;
        let (tmp, sha, size, media) = self.encrypt_blob(&dir, source, origin, sniff_bytes)?;
        if let Err(e) = self.place_blob(&tmp, &sha) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok((sha, size, media))
    }

    /// Encrypts everything `source` yields, exactly as a stored attachment,
    /// into a new file in `dir` (a folder inside the vault); returns that
    /// file, the plaintext's SHA-256, its size and the media type sniffed
    /// from its first `sniff_bytes`. Nothing is left behind on failure.
    /// [`Vault::place_blob`] then moves it into the store.
    pub(crate) fn encrypt_blob(
        &self,
        dir: &Path,
        source: impl Read,
        origin: &Path,
        sniff_bytes: usize,
    ) -> Result<(PathBuf, String, u64, &'static str)> {
        self.ensure_writable()?;
        let tmp = dir.join(format!("incoming-{}.tmp", Uuid::new_v4()));
        let result = (|| {
            let out = fsutil::create_private_file(&tmp)?;
            let recipient = self.attachment_identity.to_public();
            let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
                .map_err(|e| VaultError::Crypto(e.to_string()))?;
            let mut w = enc
                .wrap_output(std::io::BufWriter::new(out))
                .map_err(io_err(&tmp))?;
            // Every 8 KiB read checks the lock's cancel flag.
            let mut src = Hashing {
                inner: self.cancel.reader(source),
                hasher: Sha256::new(),
                size: 0,
                head: zeroize::Zeroizing::new(Vec::with_capacity(sniff_bytes)),
                head_limit: sniff_bytes,
            };
            std::io::copy(&mut src, &mut w).map_err(|e| -> Error {
                if self.cancel.is_cancelled() {
                    crate::cancel::CancelError::Cancelled.into()
                } else if src.size > MAX_ATTACHMENT_BYTES {
                    AttachmentError::TooLarge(origin.to_path_buf()).into()
                } else {
                    AttachmentError::Io {
                        path: origin.to_path_buf(),
                        source: e,
                    }
                    .into()
                }
            })?;
            let buf = w.finish().map_err(io_err(&tmp))?;
            let file = buf.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
            file.sync_all().map_err(io_err(&tmp))?;
            let complete = (src.head.len() as u64) == src.size;
            let media = media_type::sniff(&src.head, complete);
            Ok::<_, Error>((hex::encode(src.hasher.finalize()), src.size, media))
        })();
        match result {
            Ok((sha, size, media)) => Ok((tmp, sha, size, media)),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Moves a file made by [`Vault::encrypt_blob`] (of plaintext `sha256`)
    /// into the attachment store, durably; if the store already holds
    /// that file, the new copy is deleted instead.
    pub(crate) fn place_blob(&self, encrypted: &Path, sha256: &str) -> Result<()> {
        let target = self.attachment_path(sha256);
        if target.exists() {
            std::fs::remove_file(encrypted).map_err(io_err(encrypted))?;
        } else {
            fsutil::create_private_dir(&self.attachments_dir())?;
            std::fs::rename(encrypted, &target).map_err(io_err(&target))?;
            fsutil::sync_parent(&target)?;
        }
        Ok(())
    }

    /// Attaches a file from disk to an evidence note, streaming it.
    pub fn attach_file(&self, evidence_id: Uuid, path: &Path) -> Result<AttachmentRef> {
        let meta = std::fs::metadata(path).map_err(io_err(path))?;
        if meta.len() > MAX_ATTACHMENT_BYTES {
            return Err(AttachmentError::TooLarge(path.into()).into());
        }
        let file = std::fs::File::open(path).map_err(io_err(path))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.attach_reader(evidence_id, &name, std::io::BufReader::new(file), path)
    }

    /// Attaches bytes already in memory (the desktop app's drop zone).
    pub fn attach(
        &self,
        evidence_id: Uuid,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<AttachmentRef> {
        self.attach_reader(evidence_id, file_name, bytes, Path::new(file_name))
    }

    fn attach_reader(
        &self,
        evidence_id: Uuid,
        file_name: &str,
        source: impl Read,
        origin: &Path,
    ) -> Result<AttachmentRef> {
        // Fail before the (possibly long) encryption if the note is gone.
        self.get::<EvidenceNote>(evidence_id)?;
        let (sha256, size, media) = self.store_sniffed(source, origin, media_type::SNIFF_BYTES)?;
        let att = AttachmentRef {
            sha256,
            file_name: file_name.to_owned(),
            size,
            media_type: media.to_owned(),
        };
        self.write(|w| {
            let note = w.get::<EvidenceNote>(evidence_id)?;
            let mut data = note.data.clone();
            if !data
                .attachments
                .iter()
                .any(|a| a.sha256 == att.sha256 && a.file_name == att.file_name)
            {
                data.attachments.push(att.clone());
            }
            // The one path that may add an attachment (edits may not).
            w.replace(evidence_id, note.revision, data)
        })?;
        Ok(att)
    }

    /// Opens an attachment for reading with seeks, decrypting only the
    /// parts read (an export checks a video's box tree without reading
    /// its media data). Each part read is authenticated by age, but the
    /// SHA-256 is not checked: whatever is exported of it is copied with
    /// [`Self::copy_attachment`], which checks it.
    pub fn open_attachment(&self, sha256: &str) -> Result<AttachmentReader> {
        let sha = sha256.to_ascii_lowercase();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AttachmentError::Unknown(sha256.into()).into());
        }
        let path = self.attachment_path(&sha);
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AttachmentError::Missing(path).into())
            }
            Err(e) => return Err(io_err(&path)(e).into()),
        };
        let damaged = |reason: &str| AttachmentError::Damaged {
            path: path.clone(),
            reason: reason.into(),
        };
        let dec = age::Decryptor::new_buffered(std::io::BufReader::new(file))
            .map_err(|_| damaged("not a readable encrypted file"))?;
        let inner = dec
            .decrypt(std::iter::once(
                &self.attachment_identity as &dyn age::Identity,
            ))
            .map_err(|_| damaged("cannot be decrypted with this vault's key"))?;
        Ok(AttachmentReader { inner, path })
    }

    /// Decrypts an attachment into memory and checks its hash. Nothing is
    /// written to disk: previews are built from these bytes.
    pub fn read_attachment(&self, sha256: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let mut out = zeroize::Zeroizing::new(Vec::new());
        self.copy_attachment(sha256, &mut *out)?;
        Ok(out)
    }

    /// Decrypts an attachment into `out`, checking its hash; an export
    /// streams through this without holding the file in memory.
    pub fn copy_attachment(&self, sha256: &str, out: &mut impl Write) -> Result<u64> {
        let sha = sha256.to_ascii_lowercase();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AttachmentError::Unknown(sha256.into()).into());
        }
        let path = self.attachment_path(&sha);
        let (got, total) = self.decrypt_to(&path, out)?;
        if got != sha {
            return Err(AttachmentError::Damaged {
                path,
                reason: "its contents do not match the recorded SHA-256".into(),
            }
            .into());
        }
        Ok(total)
    }

    /// The plaintext SHA-256 of an encrypted file of this vault (one the
    /// store or an import's staging area wrote).
    pub(crate) fn hash_encrypted(&self, path: &Path) -> Result<String> {
        Ok(self.decrypt_to(path, &mut std::io::sink())?.0)
    }

    /// Decrypts one of this vault's encrypted files into `out`; returns
    /// the plaintext's SHA-256 and size.
    fn decrypt_to(&self, path: &Path, out: &mut impl Write) -> Result<(String, u64)> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AttachmentError::Missing(path.into()).into())
            }
            Err(e) => return Err(io_err(path)(e).into()),
        };
        let damaged = |reason: &str| AttachmentError::Damaged {
            path: path.into(),
            reason: reason.into(),
        };
        let dec = age::Decryptor::new_buffered(std::io::BufReader::new(file))
            .map_err(|_| damaged("not a readable encrypted file"))?;
        let mut reader = dec
            .decrypt(std::iter::once(
                &self.attachment_identity as &dyn age::Identity,
            ))
            .map_err(|_| damaged("cannot be decrypted with this vault's key"))?;
        let mut hasher = Sha256::new();
        let mut buf = zeroize::Zeroizing::new(vec![0u8; 64 * 1024]);
        let mut total = 0u64;
        loop {
            // A lock stops an export or a preview between chunks.
            self.check_cancel()?;
            let n = reader
                .read(&mut buf)
                .map_err(|_| damaged("the encrypted data is truncated or altered"))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io_err(path))?;
            total += n as u64;
        }
        Ok((hex::encode(hasher.finalize()), total))
    }
}
