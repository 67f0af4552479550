//! The NGO side: reading, verifying and merging bundles.
//!
//! A bundle comes from outside and may have been altered, truncated or
//! built to attack the reader, so nothing in it is trusted until checked:
//! it is decrypted as a stream, every tar entry's name, type and declared
//! size is checked against fixed limits *before* its bytes are read, the
//! manifest's minisign signature is checked first, and every later entry
//! must be listed in it with the same size and SHA-256. Nothing is ever
//! written from the archive to the file system by path; attachments go
//! into the vault's content-addressed store by hash.
//!
//! Who signed is decided only by keys the organisation trusts
//! ([`signers`], `vekil signer trust`), never by anything the bundle says
//! about itself: its `vault_id` and the key it names are informative.
//! Every imported record remembers that signer as its origin, and the
//! store refuses a merge that would replace or link to a record of
//! another origin, so one trusted lawyer cannot overwrite another's
//! records, nor an outsider anyone's.
//!
//! Import reads the file once: the walk that checks the signature and the
//! hashes also encrypts each attachment into a staging area
//! ([`staging`]); then the records are merged in one vault transaction
//! (all or nothing), and only after that commit do the staged files move
//! into the attachment store. A refused import leaves no file behind, and
//! a file that changes while it is read cannot mix two versions.
//! Re-importing the same bundle changes nothing; later revisions from the
//! same signer replace older ones.

mod log;
pub mod signers;
mod staging;

pub use log::{parse_log, ParsedLog};
pub use signers::TrustedSigner;
pub use staging::STAGING_DIR;

use crate::cancel::Cancel;
use crate::export::bundle::{
    Manifest, ManifestFile, ATTACHMENTS, CSV, LOG, MANIFEST, MANIFEST_FORMAT, MANIFEST_SIG,
    MANIFEST_VERSION, REPORT, REPORT_SIG,
};
use crate::export::spill::{Spill, Spilled};
use crate::model::{Kind, Record};
use crate::store::{Origin, OriginError, PutOutcome};
use crate::Vault;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use zeroize::Zeroizing;

/// Most entries a bundle may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Largest manifest or signature file.
pub const MAX_SMALL_FILE: u64 = 16 << 20;
/// Largest log, CSV or PDF.
pub const MAX_DOCUMENT: u64 = 512 << 20;
/// Largest attachment (as in the vault).
pub const MAX_ATTACHMENT: u64 = 2 << 30;
/// Largest total of all entries.
pub const MAX_TOTAL: u64 = 16 << 30;

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The identity file is not an age X25519 identity.
    #[error("{0} does not hold an age identity (AGE-SECRET-KEY-1…); make one with `vekil keygen`")]
    BadIdentity(PathBuf),
    /// A signer key is not a minisign public key.
    #[error("the signer key is not a minisign public key ({0}); give the line after `untrusted comment:` in the lawyer's .pub file, or that file")]
    BadSignerKey(String),
    /// A signer name is empty or too long.
    #[error("the signer name {0:?} must be 1 to 200 characters")]
    BadSignerName(String),
    /// The key is already trusted under another name.
    #[error(
        "this key is already trusted as {name:?}; use that name, or `vekil signer remove` it first"
    )]
    KeyAlreadyTrusted {
        /// The name it is trusted under.
        name: String,
    },
    /// The name is already used for another key.
    #[error("{name:?} is already trusted with another key ({key_id}); a lawyer's new key needs a new name, or `vekil signer remove` the old one first")]
    SignerNameTaken {
        /// The name.
        name: String,
        /// Key id of the key it has.
        key_id: String,
    },
    /// No trusted signer has that name.
    #[error("no trusted signer is named {0:?}; `vekil signer list` shows them")]
    UnknownSigner(String),
    /// The bundle's signature is valid but its key is not trusted.
    #[error("{}", untrusted_text(key_id, fingerprint, public_key, lookalike.as_deref()))]
    UntrustedSigner {
        /// Key id of the key that signed.
        key_id: String,
        /// Its fingerprint, to compare out of band.
        fingerprint: String,
        /// Its public key line.
        public_key: String,
        /// A trusted signer whose key has the same key id: the bundle's
        /// key copies it, so it is an impostor's.
        lookalike: Option<String>,
    },
    /// Records of the bundle clash with, or link to, records of another origin.
    #[error("the import was refused and nothing was changed: {}", origin_text(.0))]
    Refused(Vec<OriginError>),
    /// Not age-encrypted, or its header is damaged.
    #[error("{0} is not an encrypted Vekil bundle, or its header is damaged")]
    NotABundle(PathBuf),
    /// Encrypted to other keys.
    #[error("this bundle is not addressed to this key: it was encrypted for other recipients")]
    NotAddressed,
    /// The encrypted stream ended early or was altered.
    #[error("the bundle is truncated or was altered (decryption failed at {at}); ask for it to be sent again")]
    Damaged {
        /// Where reading stopped.
        at: String,
    },
    /// Structure of the archive is wrong.
    #[error("bad bundle: {0}")]
    Invalid(String),
    /// The manifest signature does not verify.
    #[error("the manifest signature does not verify: {0}")]
    BadSignature(String),
    /// Signed by another key than the one given to check it with.
    #[error("the bundle is signed by key {found}, not by the given key {expected}; it was re-signed by someone else or comes from another lawyer")]
    WrongSigner {
        /// Key id expected.
        expected: String,
        /// Key id found.
        found: String,
    },
    /// A file's hash or size differs from the manifest.
    #[error("{path} does not match the signed manifest: {what}")]
    Mismatch {
        /// File in the archive.
        path: String,
        /// What differs.
        what: String,
    },
    /// A limit was exceeded.
    #[error("the bundle exceeds a safety limit: {0}")]
    TooLarge(String),
    /// `log.json` is not a valid incident log.
    #[error("log.json: {0}")]
    Log(String),
    /// The log's temporary copy (encrypted, see
    /// [`crate::export::spill`]) could not be written or read back.
    #[error("the bundle's log could not be held while it is checked ({0}); check the free disk space and import again")]
    Spill(String),
    /// The vault refused the merge.
    #[error("the import was refused and nothing was changed: {0}")]
    Vault(#[from] Box<crate::Error>),
    /// The vault was locked while the import ran; no record was merged.
    #[error(transparent)]
    Cancelled(#[from] crate::cancel::CancelError),
}

impl From<crate::Error> for ImportError {
    fn from(e: crate::Error) -> Self {
        Self::Vault(Box::new(e))
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Vault(Box::new(e.into()))
    }
}

/// Result of import operations.
pub type Result<T> = std::result::Result<T, ImportError>;

fn untrusted_text(key_id: &str, fingerprint: &str, line: &str, lookalike: Option<&str>) -> String {
    match lookalike {
        None => format!(
            "this bundle is signed by key {key_id} (fingerprint {fingerprint}), which this vault \
             does not trust; compare that fingerprint with the one the lawyer's `vekil signing-key` \
             shows, in person or by phone, and only if they match run: \
             vekil signer trust NAME {line}"
        ),
        Some(name) => format!(
            "this bundle is signed by key {key_id} (fingerprint {fingerprint}), which copies the key \
             id of trusted signer {name:?} but is another key, so {name:?} did not sign it; trust it \
             only if {name:?} confirms that fingerprint by phone or in person: \
             vekil signer trust NAME {line}"
        ),
    }
}

fn origin_text(problems: &[OriginError]) -> String {
    const SHOWN: usize = 5;
    let mut parts: Vec<String> = problems.iter().take(SHOWN).map(|e| e.to_string()).collect();
    if problems.len() > SHOWN {
        parts.push(format!("and {} more", problems.len() - SHOWN));
    }
    let mut text = parts.join("; ");
    if problems.iter().any(|e| *e.origin() == Origin::Unknown) {
        text.push_str(
            "; records imported before Vekil kept each record's sender can be given to this \
             signer with `vekil import --adopt-unknown`, once you know they sent them",
        );
    }
    text
}

/// Reads an age identity file (`age-keygen` format: `#` comments, one
/// `AGE-SECRET-KEY-1…` line).
pub fn read_identity(path: &Path) -> Result<age::x25519::Identity> {
    let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
        path: path.into(),
        source,
    })?;
    if meta.len() > 64 * 1024 {
        return Err(ImportError::BadIdentity(path.into()));
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.into(),
            source,
        })?,
    );
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| age::x25519::Identity::from_str(l).ok())
        .ok_or_else(|| ImportError::BadIdentity(path.into()))
}

/// Makes a new organisation identity; writes it to `out` (mode 0600,
/// refusing to overwrite) and returns the public key.
pub fn keygen(out: &Path) -> Result<String> {
    let id = age::x25519::Identity::generate();
    let public = id.to_public().to_string();
    let io = |source| ImportError::Io {
        path: out.into(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(out).map_err(io)?;
    use secrecy::ExposeSecret;
    let secret = id.to_string();
    let text = Zeroizing::new(format!(
        "# created: {}\n# public key: {public}\n{}\n",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        secret.expose_secret()
    ));
    f.write_all(text.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(public)
}

/// Which key must have signed a bundle.
#[derive(Debug, Clone, Copy)]
pub enum SignedBy<'a> {
    /// One of the signers this vault trusts (`vekil signer trust`).
    TrustedIn(&'a Vault),
    /// This key, given for one check (`vekil verify --signer`); nothing
    /// is trusted or remembered.
    Key(&'a minisign::PublicKey),
}

/// The key that signed a verified bundle.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    /// Its trusted signer's name (`None` when checked against a given key).
    pub name: Option<String>,
    /// minisign key id.
    pub key_id: String,
    /// Fingerprint, as `vekil signer list` shows it.
    pub fingerprint: String,
    /// The public key line.
    pub public_key: String,
}

/// A checked bundle.
#[derive(Debug)]
pub struct Verified {
    /// The signed manifest.
    pub manifest: Manifest,
    /// SHA-256 of manifest.json.
    pub manifest_sha256: String,
    /// Who signed it: always a key known in advance.
    pub signer: Signer,
    /// The incident log, checked against the manifest; in memory, or
    /// encrypted on disk when large (see [`crate::export::spill`]).
    log: Spilled,
    /// Number of attachments.
    pub attachments: usize,
    /// Whether a signed PDF report was present.
    pub has_report: bool,
}

/// What happened to each record.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Counts per kind and outcome.
    pub counts: BTreeMap<String, BTreeMap<String, usize>>,
    /// Records with the same revision but different content.
    pub conflicts: Vec<String>,
    /// Attachments in the bundle (each checked; stored unless the vault
    /// already had it).
    pub attachments: usize,
    /// The trusted signer's name.
    pub signer: String,
    /// Key id of the signer.
    pub signing_key_id: String,
    /// Records of unknown origin given to this signer (`adopt_unknown`).
    pub adopted: usize,
}

/// Choices for [`import`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Records imported before Vekil recorded origins, which this bundle
    /// replaces or links to, become this signer's. Only when the
    /// organisation knows this signer sent them.
    pub adopt_unknown: bool,
}

fn spill_error(e: crate::export::ExportError) -> ImportError {
    ImportError::Spill(e.to_string())
}

fn damaged(e: &std::io::Error, at: &str) -> ImportError {
    if e.kind() == std::io::ErrorKind::Other && e.to_string().contains("exceeds a safety limit") {
        return ImportError::TooLarge(e.to_string());
    }
    ImportError::Damaged { at: at.into() }
}

/// What kind of entry a path names.
#[derive(Debug, PartialEq, Eq)]
enum EntryName {
    Manifest,
    ManifestSig,
    Document(&'static str),
    ReportSig,
    Attachment,
}

/// Checks an archive path: only the fixed names and
/// `attachments/<64 hex>` are accepted, so `../`, absolute paths, links
/// and odd names are all refused before anything is read.
fn classify(path: &[u8]) -> Result<EntryName> {
    let shown = String::from_utf8_lossy(path).into_owned();
    let s = std::str::from_utf8(path)
        .map_err(|_| ImportError::Invalid(format!("entry name {shown:?} is not UTF-8")))?;
    Ok(match s {
        MANIFEST => EntryName::Manifest,
        MANIFEST_SIG => EntryName::ManifestSig,
        LOG => EntryName::Document(LOG),
        CSV => EntryName::Document(CSV),
        REPORT => EntryName::Document(REPORT),
        REPORT_SIG => EntryName::ReportSig,
        _ => match s.strip_prefix(ATTACHMENTS) {
            Some(h) if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
                EntryName::Attachment
            }
            _ => {
                return Err(ImportError::Invalid(format!(
                    "unexpected entry {shown:?} (only the files of docs/formats/bundle.md are allowed; \
                     names with `..` or `/` are refused)"
                )))
            }
        },
    })
}

fn open_stream(
    path: &Path,
    identity: &age::x25519::Identity,
    cancel: &Cancel,
) -> Result<impl Read> {
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        path: path.into(),
        source,
    })?;
    // Every read of the bundle checks the lock's cancel flag.
    let file = cancel.reader(file);
    let dec = age::Decryptor::new_buffered(std::io::BufReader::new(file))
        .map_err(|_| ImportError::NotABundle(path.into()))?;
    match dec.decrypt(std::iter::once(identity as &dyn age::Identity)) {
        Ok(r) => Ok(r),
        Err(age::DecryptError::NoMatchingKeys) => Err(ImportError::NotAddressed),
        Err(age::DecryptError::Io(_)) => Err(ImportError::Damaged {
            at: "the header".into(),
        }),
        Err(_) => Err(ImportError::NotABundle(path.into())),
    }
}

/// Reads at most `limit` bytes of an entry, hashing them.
fn read_small(entry: &mut impl Read, size: u64, at: &str) -> Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(size.min(1 << 20) as usize));
    entry
        .take(size)
        .read_to_end(&mut buf)
        .map_err(|e| damaged(&e, at))?;
    if buf.len() as u64 != size {
        return Err(ImportError::Damaged { at: at.into() });
    }
    Ok(buf)
}

/// Receives each attachment's hash and a reader over its bytes.
type AttachmentSink<'a> = dyn FnMut(&str, &mut dyn Read) -> Result<()> + 'a;

/// Walks the archive, checking everything; calls `on_attachment` with each
/// verified attachment's reader (which hashes as it is read).
/// The log goes into a [`Spill`] in `spill_dir`: memory stays bounded,
/// and what reaches the disk is encrypted to a key that dies with the
/// process.
fn walk(
    path: &Path,
    identity: &age::x25519::Identity,
    signed_by: SignedBy<'_>,
    on_attachment: Option<&mut AttachmentSink<'_>>,
    cancel: &Cancel,
    spill_dir: &Path,
) -> Result<Verified> {
    let stream = open_stream(path, identity, cancel)?;
    // Decrypting the bundle is up to half of checking it (the rest is
    // hashing and the log's copy): a second thread does it meanwhile.
    crate::read_ahead::read_ahead(stream, |stream| {
        walk_archive(stream, signed_by, on_attachment, cancel, spill_dir)
    })
}

/// [`walk`], past the bundle's decryption.
fn walk_archive(
    stream: &mut dyn Read,
    signed_by: SignedBy<'_>,
    mut on_attachment: Option<&mut AttachmentSink<'_>>,
    cancel: &Cancel,
    spill_dir: &Path,
) -> Result<Verified> {
    let mut archive = tar::Archive::new(stream);
    let entries = archive
        .entries()
        .map_err(|e| damaged(&e, "the archive start"))?;
    let mut manifest: Option<(Manifest, String)> = None;
    let mut manifest_bytes: Option<Zeroizing<Vec<u8>>> = None;
    let mut expected: HashMap<String, ManifestFile> = HashMap::new();
    let mut signer: Option<(Signer, minisign::PublicKey)> = None;
    let mut log = None;
    let mut report: Option<Zeroizing<Vec<u8>>> = None;
    let mut report_sig: Option<String> = None;
    let mut attachments = 0usize;
    let mut total = 0u64;
    for (index, entry) in entries.enumerate() {
        cancel.check()?;
        if index >= MAX_ENTRIES {
            return Err(ImportError::TooLarge(format!(
                "more than {MAX_ENTRIES} entries"
            )));
        }
        let mut entry = entry.map_err(|e| damaged(&e, &format!("entry {}", index + 1)))?;
        let name_bytes = entry.path_bytes().into_owned();
        let name = classify(&name_bytes)?;
        let shown = String::from_utf8_lossy(&name_bytes).into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(ImportError::Invalid(format!(
                "{shown} is not a regular file (links and folders are refused)"
            )));
        }
        let size = entry
            .header()
            .size()
            .map_err(|_| ImportError::Invalid(format!("{shown} has an unreadable size")))?;
        total = total.saturating_add(size);
        if total > MAX_TOTAL {
            return Err(ImportError::TooLarge(format!(
                "the entries add up to more than {} GiB",
                MAX_TOTAL >> 30
            )));
        }
        let limit = match name {
            EntryName::Manifest | EntryName::ManifestSig | EntryName::ReportSig => MAX_SMALL_FILE,
            EntryName::Document(_) => MAX_DOCUMENT,
            EntryName::Attachment => MAX_ATTACHMENT,
        };
        if size > limit {
            return Err(ImportError::TooLarge(format!(
                "{shown} declares {size} bytes; the limit is {limit}"
            )));
        }
        // The manifest and its signature come first.
        match (&name, index) {
            (EntryName::Manifest, 0) => {
                // Kept raw: nothing in it is trusted before the signature.
                manifest_bytes = Some(read_small(&mut entry, size, &shown)?);
                continue;
            }
            (EntryName::ManifestSig, 1) => {
                let sig = read_small(&mut entry, size, &shown)?;
                let sig = String::from_utf8_lossy(&sig).into_owned();
                let bytes = manifest_bytes
                    .as_deref()
                    .map(|b| b.as_slice())
                    .unwrap_or_default();
                let (key, who) = check_signature(bytes, &sig, signed_by)?;
                let m: Manifest = serde_json::from_slice(bytes).map_err(|e| {
                    ImportError::Invalid(format!("manifest.json is not a valid manifest: {e}"))
                })?;
                if m.format != MANIFEST_FORMAT || !(1..=MANIFEST_VERSION).contains(&m.version) {
                    return Err(ImportError::Invalid(format!(
                        "manifest.json is {} version {}, this build reads {MANIFEST_FORMAT} versions 1 to {MANIFEST_VERSION}",
                        m.format, m.version
                    )));
                }
                if m.signing_public_key != crate::export::signing::public_key_line(&key) {
                    return Err(ImportError::BadSignature(
                        "manifest.json names a different signing key than the one that signed it"
                            .into(),
                    ));
                }
                for f in &m.files {
                    classify(f.path.as_bytes())?;
                    if expected.insert(f.path.clone(), f.clone()).is_some() {
                        return Err(ImportError::Invalid(format!(
                            "manifest.json lists {} twice",
                            f.path
                        )));
                    }
                }
                let sha = hex::encode(Sha256::digest(bytes));
                manifest = Some((m, sha));
                signer = Some((who, key));
                continue;
            }
            (EntryName::Manifest | EntryName::ManifestSig, _) => {
                return Err(ImportError::Invalid(format!(
                    "{shown} appears out of place or twice"
                )))
            }
            _ if index < 2 => {
                return Err(ImportError::Invalid(
                    "the bundle does not start with manifest.json and its signature".into(),
                ))
            }
            _ => {}
        }
        match name {
            EntryName::Document(REPORT) => {
                if report.is_some() {
                    return Err(ImportError::Invalid("report.pdf appears twice".into()));
                }
                let pdf = read_small(&mut entry, size, &shown)?;
                // Version 2 lists the report in the signed manifest too.
                let listed = expected.remove(REPORT);
                let version = manifest.as_ref().map_or(1, |(m, _)| m.version);
                match listed {
                    Some(want) => {
                        let got = hex::encode(Sha256::digest(&*pdf));
                        if want.size != size || got != want.sha256 {
                            return Err(ImportError::Mismatch {
                                path: shown,
                                what: format!(
                                    "SHA-256 is {got}, the manifest says {}",
                                    want.sha256
                                ),
                            });
                        }
                    }
                    None if version >= 2 => {
                        return Err(ImportError::Invalid(
                            "report.pdf is in the archive but not in the signed manifest".into(),
                        ))
                    }
                    None => {}
                }
                report = Some(pdf);
            }
            EntryName::ReportSig => {
                if report_sig.is_some() {
                    return Err(ImportError::Invalid(
                        "report.pdf.minisig appears twice".into(),
                    ));
                }
                let s = read_small(&mut entry, size, &shown)?;
                report_sig = Some(String::from_utf8_lossy(&s).into_owned());
            }
            _ => {
                let want = expected.remove(&shown).ok_or_else(|| {
                    ImportError::Invalid(format!(
                        "{shown} is in the archive but not in the signed manifest (added, or listed twice)"
                    ))
                })?;
                if want.size != size {
                    return Err(ImportError::Mismatch {
                        path: shown,
                        what: format!("{size} bytes, the manifest says {}", want.size),
                    });
                }
                let mut hashing = HashingReader {
                    inner: (&mut entry).take(size),
                    hasher: Sha256::new(),
                    read: 0,
                };
                if matches!(name, EntryName::Document(LOG)) {
                    // Checked against the manifest by `hashing`: the copy
                    // needs no hash of its own.
                    let mut spill = Spill::unhashed(spill_dir, crate::export::spill::MEMORY_BYTES);
                    let mut buf = Zeroizing::new(vec![0u8; 1 << 16]);
                    loop {
                        let n = hashing.read(&mut buf).map_err(|e| damaged(&e, &shown))?;
                        if n == 0 {
                            break;
                        }
                        spill
                            .write_all(&buf[..n])
                            .map_err(|e| ImportError::Spill(e.to_string()))?;
                    }
                    log = Some(spill.finish().map_err(spill_error)?);
                } else if let (EntryName::Attachment, Some(cb)) = (&name, on_attachment.as_mut()) {
                    cb(&want.sha256, &mut hashing)?;
                    std::io::copy(&mut hashing, &mut std::io::sink())
                        .map_err(|e| damaged(&e, &shown))?;
                } else {
                    std::io::copy(&mut hashing, &mut std::io::sink())
                        .map_err(|e| damaged(&e, &shown))?;
                }
                if hashing.read != size {
                    return Err(ImportError::Damaged { at: shown });
                }
                let got = hex::encode(hashing.hasher.finalize());
                if got != want.sha256 {
                    return Err(ImportError::Mismatch {
                        path: shown,
                        what: format!("SHA-256 is {got}, the manifest says {}", want.sha256),
                    });
                }
                if name == EntryName::Attachment {
                    attachments += 1;
                }
            }
        }
    }
    // Read the rest so the encryption's end-of-stream tag is checked.
    let mut rest = archive.into_inner().take(64 * 1024 * 1024);
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|_| ImportError::Damaged {
        at: "the end of the archive".into(),
    })?;
    let (manifest, manifest_sha256) =
        manifest.ok_or_else(|| ImportError::Invalid("manifest.json is missing".into()))?;
    let Some((signer, key)) = signer else {
        return Err(ImportError::Invalid(
            "manifest.json.minisig is missing: the bundle is not signed".into(),
        ));
    };
    if let Some(missing) = expected.keys().min() {
        return Err(ImportError::Invalid(format!(
            "{missing} is listed in the signed manifest but missing from the archive"
        )));
    }
    let has_report = match (&report, &report_sig) {
        (None, None) => false,
        (Some(pdf), Some(sig)) => {
            crate::export::signing::verify(&key, pdf, sig).map_err(|e| ImportError::Mismatch {
                path: REPORT.into(),
                what: format!("its signature does not verify ({e})"),
            })?;
            true
        }
        _ => {
            return Err(ImportError::Invalid(
                "report.pdf and report.pdf.minisig must come together".into(),
            ))
        }
    };
    let log = log.ok_or_else(|| ImportError::Invalid("log.json is missing".into()))?;
    Ok(Verified {
        manifest,
        manifest_sha256,
        signer,
        log,
        attachments,
        has_report,
    })
}

/// Checks the manifest's signature against the keys `signed_by` allows
/// and returns the one that made it. When none did, the key the manifest
/// names is used only to tell a broken signature from a valid one by a key
/// that is not trusted, so the refusal can say which key that is.
fn check_signature(
    manifest: &[u8],
    sig: &str,
    signed_by: SignedBy<'_>,
) -> Result<(minisign::PublicKey, Signer)> {
    use crate::export::signing::{key_id, public_key_line, verify};
    let sig_box = minisign::SignatureBox::from_string(sig).map_err(|e| {
        ImportError::BadSignature(format!(
            "manifest.json.minisig is not a minisign signature ({e})"
        ))
    })?;
    let sig_key_id = {
        let mut a = [0u8; 8];
        let n = sig_box.keynum().len().min(8);
        a[..n].copy_from_slice(&sig_box.keynum()[..n]);
        format!("{:016X}", u64::from_le_bytes(a))
    };
    let candidates: Vec<(Option<String>, minisign::PublicKey)> = match signed_by {
        SignedBy::Key(k) => vec![(None, k.clone())],
        SignedBy::TrustedIn(v) => signers::with_key_id(v, &sig_key_id)?
            .into_iter()
            .map(|(name, k)| (Some(name), k))
            .collect(),
    };
    for (name, k) in &candidates {
        if verify(k, manifest, sig).is_ok() {
            let who = Signer {
                name: name.clone(),
                key_id: key_id(k),
                fingerprint: signers::fingerprint(k),
                public_key: public_key_line(k),
            };
            return Ok((k.clone(), who));
        }
    }
    let loose: Value = serde_json::from_slice(manifest).map_err(|_| {
        ImportError::BadSignature("manifest.json is not JSON, so its signer is unknown".into())
    })?;
    let line = loose
        .get("signing_public_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let named = minisign::PublicKey::from_base64(line)
        .map_err(|e| ImportError::BadSignature(format!("the manifest's key: {e}")))?;
    verify(&named, manifest, sig).map_err(ImportError::BadSignature)?;
    match signed_by {
        SignedBy::Key(k) => Err(ImportError::WrongSigner {
            expected: format!("{} (fingerprint {})", key_id(k), signers::fingerprint(k)),
            found: format!(
                "{} (fingerprint {})",
                key_id(&named),
                signers::fingerprint(&named)
            ),
        }),
        SignedBy::TrustedIn(_) => Err(ImportError::UntrustedSigner {
            key_id: key_id(&named),
            fingerprint: signers::fingerprint(&named),
            public_key: public_key_line(&named),
            lookalike: candidates.into_iter().find_map(|(name, _)| name),
        }),
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// Decrypts and checks a bundle without importing it: signed by a key
/// `signed_by` allows, every file as the signed manifest lists it, the
/// log valid.
pub fn verify(
    path: &Path,
    identity: &age::x25519::Identity,
    signed_by: SignedBy<'_>,
) -> Result<Verified> {
    let mut v = walk(
        path,
        identity,
        signed_by,
        None,
        &Cancel::new(),
        &std::env::temp_dir(),
    )?;
    // The log must parse, too.
    log::read_log(
        v.log.reader().map_err(spill_error)?,
        &mut |_| true,
        &mut |_| Ok(()),
    )?;
    Ok(v)
}

fn tally(report: &mut ImportReport, kind: Kind, id: uuid::Uuid, o: PutOutcome) {
    let name = match o {
        PutOutcome::Added => "added",
        PutOutcome::Replaced => "replaced",
        PutOutcome::Unchanged => "unchanged",
        PutOutcome::KeptNewer => "kept_newer",
        PutOutcome::Conflict => "conflict",
    };
    if o == PutOutcome::Conflict {
        report.conflicts.push(format!(
            "{kind} {id}: same revision with different content; kept this vault's version"
        ));
    }
    *report
        .counts
        .entry(kind.to_string())
        .or_default()
        .entry(name.into())
        .or_default() += 1;
}

/// Verifies a bundle signed by a trusted signer and merges it into
/// `vault` atomically, reading the file once.
///
/// Each record keeps its signer as its origin. A record already here from
/// another origin (another signer, this vault, or unknown) is never
/// replaced, and no record may link to one: the whole import is refused,
/// listing each such record. Attachments are staged while the bundle is
/// checked and join the attachment store only after the records commit.
pub fn import(
    vault: &Vault,
    path: &Path,
    identity: &age::x25519::Identity,
    options: &ImportOptions,
) -> Result<ImportReport> {
    import_with(vault, path, identity, options, &mut |_| {})
}

/// Records merged between two calls of [`import_with`]'s `progress`.
pub const PROGRESS_EVERY: usize = 1_000;

/// [`import`], calling `progress` with the number of records merged so
/// far, every [`PROGRESS_EVERY`] records (the log is read as a stream, so
/// its total is not known in advance).
pub fn import_with(
    vault: &Vault,
    path: &Path,
    identity: &age::x25519::Identity,
    options: &ImportOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportReport> {
    let cancel = vault.cancel_handle();
    // Whatever read noticed a lock first, the error says the import stopped.
    let stopped = |e: ImportError| match cancel.check() {
        Err(c) => ImportError::Cancelled(c),
        Ok(()) => e,
    };
    let mut staging = staging::Staging::open(vault)?;
    let mut verified = {
        let mut stage = |sha: &str, r: &mut dyn Read| staging.stage(sha, r);
        walk(
            path,
            identity,
            SignedBy::TrustedIn(vault),
            Some(&mut stage),
            &cancel,
            vault.dir(),
        )
        .map_err(stopped)?
    };
    let key = minisign::PublicKey::from_base64(&verified.signer.public_key)
        .map_err(|e| ImportError::BadSignature(e.to_string()))?;
    let origin = signers::origin(&key);
    let mut report = ImportReport {
        signer: verified.signer.name.clone().unwrap_or_default(),
        signing_key_id: verified.signer.key_id.clone(),
        attachments: verified.attachments,
        ..Default::default()
    };
    // Adopting needs every id the log names before the first merge: a
    // reading of its own, which also checks the whole log before the
    // transaction starts.
    let named = if options.adopt_unknown {
        let mut named = Named::new();
        log::read_log(
            verified.log.reader().map_err(spill_error)?,
            &mut |_| true,
            &mut |r| {
                cancel.check()?;
                r.name_into(&mut named);
                Ok(())
            },
        )
        .map_err(stopped)?;
        Some(named)
    } else {
        None
    };
    let mut refused: Vec<OriginError> = vec![];
    // Why the merge stopped, when it was not the vault's own error.
    let mut stop: Option<ImportError> = None;
    cancel.check()?;
    // One transaction, records merged as they are read: a bad record, a
    // broken link or a lock rolls the whole merge back.
    let merged = vault.write(|w| {
        if let Some(named) = &named {
            report.adopted = adopt_unknown(w, named, &origin)?;
        }
        let mut m = Merge {
            origin: &origin,
            cancel: &cancel,
            present: HashSet::new(),
            report: &mut report,
            refused: &mut refused,
            merged: 0,
            progress,
        };
        // Records are merged in the log's order, each array once those its
        // records link to are in (clients, cases, incidents, evidence). A
        // log written that way (every log since issue 14) is read once; one
        // with its fields sorted by name (older logs) is read three times.
        let mut done = [false; 4];
        let mut exists: Option<[bool; 4]> = None;
        loop {
            let mut now = [false; 4];
            let mut take = |n: usize| {
                let ready = (0..n).all(|j| done[j] || now[j] || exists.is_some_and(|e| !e[j]));
                now[n] = !done[n] && ready;
                now[n]
            };
            // The log's copy is decrypted on a second thread meanwhile.
            let read = verified
                .log
                .read_ahead(|reader| Ok(log::read_log(reader, &mut take, &mut |r| m.merge(w, r))));
            let read = match read {
                Ok(read) => read,
                Err(e) => {
                    stop = Some(spill_error(e));
                    return Err(rolled_back());
                }
            };
            let checked = read.and_then(|head| {
                // Informative only (who signed is settled above), but the
                // two must agree.
                if head.vault_id != verified.manifest.vault_id {
                    return Err(ImportError::Invalid(
                        "log.json and manifest.json name different source vaults".into(),
                    ));
                }
                Ok(head.arrays)
            });
            let arrays = match checked {
                Ok(a) => a,
                Err(e) => {
                    stop = Some(e);
                    return Err(rolled_back());
                }
            };
            for (d, n) in done.iter_mut().zip(now) {
                *d |= n;
            }
            exists = Some(arrays);
            if done.iter().zip(arrays).all(|(d, e)| *d || !e) {
                break;
            }
        }
        match refused.first() {
            // Rolls the transaction back; reported in full below.
            Some(first) => Err(first.clone().into()),
            None => Ok(()),
        }
    });
    if let Some(e) = stop {
        return Err(stopped(e));
    }
    if !refused.is_empty() {
        return Err(ImportError::Refused(refused));
    }
    merged.map_err(|e| stopped(e.into()))?;
    staging.commit()?;
    Ok(report)
}

/// The error a merge returns to roll its transaction back when the real
/// reason is kept aside (it is never shown).
fn rolled_back() -> crate::Error {
    rusqlite::Error::InvalidQuery.into()
}

type Named = HashSet<(Kind, uuid::Uuid)>;

impl log::LogRecord {
    fn kind_id(&self) -> (Kind, uuid::Uuid) {
        match self {
            Self::Client(r) => (Kind::Client, r.id),
            Self::Case(r) => (Kind::Case, r.id),
            Self::Incident(r) => (Kind::Incident, r.id),
            Self::Evidence(r) => (Kind::Evidence, r.id),
        }
    }

    fn references(&self) -> Vec<crate::model::Reference> {
        match self {
            Self::Client(r) => r.data.references(),
            Self::Case(r) => r.data.references(),
            Self::Incident(r) => r.data.references(),
            Self::Evidence(r) => r.data.references(),
        }
    }

    /// Adds this record's id and the ids it links to.
    fn name_into(&self, named: &mut Named) {
        named.insert(self.kind_id());
        named.extend(self.references().into_iter().map(|x| (x.kind, x.id)));
    }
}

/// What every record of one import is merged with.
struct Merge<'a> {
    origin: &'a Origin,
    cancel: &'a Cancel,
    /// Every record of the log read so far: links to them resolve.
    present: Named,
    report: &'a mut ImportReport,
    /// Records refused for crossing origins: collected (nothing of theirs
    /// is written) so that all are reported.
    refused: &'a mut Vec<OriginError>,
    /// Records merged so far, and who hears of them.
    merged: usize,
    progress: &'a mut dyn FnMut(usize),
}

impl Merge<'_> {
    /// Puts one record with the origin, once its links resolve (to a
    /// record read before it, or one already in this vault). A lock stops
    /// it between records.
    fn merge(&mut self, w: &mut crate::store::Writer<'_>, r: log::LogRecord) -> Result<()> {
        self.cancel.check()?;
        let (kind, id) = r.kind_id();
        for link in r.references() {
            // A register link names the sender's register; it is not kept
            // (`Writer::put_stored`), so it need not resolve.
            if link.kind == crate::model::Kind::Facility
                || self.present.contains(&(link.kind, link.id))
            {
                continue;
            }
            if w.origin_of(link.kind, link.id)?.is_none() {
                return Err(ImportError::Log(format!(
                    "{kind} {id}: {} points to {} {}, which is neither in the bundle nor in this vault",
                    link.field, link.kind, link.id
                )));
            }
        }
        self.present.insert((kind, id));
        let put = match r {
            log::LogRecord::Client(r) => w.put_stored_owned(r, self.origin),
            log::LogRecord::Case(r) => w.put_stored_owned(r, self.origin),
            log::LogRecord::Incident(r) => w.put_stored_owned(r, self.origin),
            log::LogRecord::Evidence(r) => w.put_stored_owned(r, self.origin),
        };
        match put {
            Ok(o) => tally(self.report, kind, id, o),
            Err(crate::Error::Origin(e)) => self.refused.push(e),
            Err(e) => return Err(e.into()),
        }
        self.merged += 1;
        if self.merged.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)(self.merged);
        }
        Ok(())
    }
}

/// Gives this signer the records of unknown origin that the log carries
/// or links to.
fn adopt_unknown(
    w: &mut crate::store::Writer<'_>,
    named: &Named,
    origin: &Origin,
) -> crate::Result<usize> {
    let mut n = 0;
    for &(kind, id) in named {
        if w.adopt(kind, id, origin)? {
            n += 1;
        }
    }
    Ok(n)
}
