//! Encrypted, signed bundles for NGOs (`docs/formats/bundle.md`).
//!
//! A bundle is one age-encrypted file (X25519 recipients, several allowed)
//! holding a tar archive, so that `age -d -i key.txt bundle.age | tar x`
//! opens it with stock tools. Inside, in this order:
//!
//! - `manifest.json`: SHA-256 and size of every other file, the report
//!   included, and for each attachment copy whose metadata was stripped
//!   the SHA-256 of the original as recorded at intake (`derived_from`),
//!   so the NGO can match the lawyer's original;
//! - `manifest.json.minisig`: minisign signature of the manifest with the
//!   vault's Ed25519 key;
//! - `log.json`, `incidents.csv`: the incident log and table;
//! - `report.pdf` + `report.pdf.minisig`: the PDF report (also signed on
//!   its own, so it can be checked alone), whose footer names the bundle;
//! - `attachments/<sha256>`: attachment files, named by their hash only,
//!   so no name chosen by a user ever becomes a path.
//!
//! The manifest comes first so that a reader can check the signature
//! before trusting anything else and reject unknown entries as they
//! stream past. Attachments are streamed from the vault into the archive
//! and never held whole in memory; the small generated files are built in
//! memory (zeroized afterwards) because plaintext must never touch disk.
//! The caller provides the output (`file::write_new` for a file).

use super::lang::Lang;
use super::signing::SigningKey;
use super::Profile;
use super::{io_err, Excluded, ExportError, ExportSet, Phase, Progress, Recipient, Result};
use crate::Vault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use zeroize::Zeroizing;

/// `format` of the manifest.
pub const MANIFEST_FORMAT: &str = "vekil-bundle-manifest";
/// The manifest version this build writes; it reads 1 and 2.
pub const MANIFEST_VERSION: u32 = 2;
/// Names of the fixed entries.
pub const MANIFEST: &str = "manifest.json";
/// Signature of the manifest.
pub const MANIFEST_SIG: &str = "manifest.json.minisig";
/// The JSON log.
pub const LOG: &str = "log.json";
/// The CSV table.
pub const CSV: &str = "incidents.csv";
/// The PDF report.
pub const REPORT: &str = "report.pdf";
/// Signature of the PDF report.
pub const REPORT_SIG: &str = "report.pdf.minisig";
/// Folder of attachments.
pub const ATTACHMENTS: &str = "attachments/";

/// One file listed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    /// Path inside the archive.
    pub path: String,
    /// SHA-256 of its bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// For an attachment copy whose metadata was stripped: the SHA-256 of
    /// the original file as recorded at intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
}

/// The signed list of files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// 1 or 2 ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// Version 2: a random id naming this bundle, printed in the report's
    /// footer so a printed report can be matched to its bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_id: Option<String>,
    /// When the bundle was made (RFC 3339, UTC).
    pub created_at: String,
    /// The exporting vault, as its signer states it: informative only,
    /// never what decides whom a bundle is from.
    pub vault_id: String,
    /// minisign key id of the signer.
    pub signing_key_id: String,
    /// The signer's minisign public key (base64 line). Lets a reader check
    /// integrity; who signed is only proven against a key known in advance
    /// (a signer the organisation trusted, or `verify --signer`).
    pub signing_public_key: String,
    /// Profile applied.
    pub profile: Profile,
    /// Organisations the bundle is encrypted to, by name.
    pub recipients: Vec<String>,
    /// Every file of the bundle but the manifest and its signature
    /// (version 1 did not list the report, which was signed on its own).
    pub files: Vec<ManifestFile>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct BundleSummary {
    /// SHA-256 of `manifest.json`.
    pub manifest_sha256: String,
    /// The manifest itself.
    pub manifest: Manifest,
    /// minisign key id.
    pub signing_key_id: String,
    /// Evidence whose attachments were left out, and why.
    pub skipped_attachments: Vec<Excluded>,
    /// Progress steps the export took (the `total` of its reports).
    pub steps: u64,
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn header(path: &str, size: u64, mtime: u64) -> Result<tar::Header> {
    let mut h = tar::Header::new_ustar();
    h.set_path(path)
        .map_err(|e| ExportError::Crypto(format!("tar path {path}: {e}")))?;
    h.set_size(size);
    h.set_mode(0o600);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    Ok(h)
}

/// Writes a bundle to the file `path` (see [`write`]) the way every export
/// file is written ([`super::file::write_new`]): owner-only, atomically,
/// never over an existing file unless `replace`; then reports
/// [`Phase::Done`] with `done == total`.
#[allow(clippy::too_many_arguments)]
pub fn write_to(
    vault: &Vault,
    set: &ExportSet,
    recipients: &[Recipient],
    with_pdf: bool,
    lang: Lang,
    path: &std::path::Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<BundleSummary> {
    let mut summary = None;
    let cancel = vault.cancel_handle();
    let written = super::file::write_new(path, replace, |w| {
        let mut w = cancel.writer(w);
        summary = Some(write(
            vault, set, recipients, with_pdf, lang, &mut w, progress,
        )?);
        vault.check_cancel()?;
        Ok(())
    });
    if written.is_err() {
        // Stopped by a lock: say so, whichever read or write noticed first.
        vault.check_cancel()?;
    }
    written?;
    let summary =
        summary.ok_or_else(|| ExportError::Crypto("the bundle was not written".into()))?;
    progress(Progress {
        phase: Phase::Done,
        done: summary.steps,
        total: summary.steps,
    });
    Ok(summary)
}

/// Writes a bundle for `recipients` into `out`, reporting each step to
/// `progress`: the log, the PDF (if any), every attachment and the final
/// encryption. The caller reports [`Phase::Done`] once `out` is in place.
pub fn write(
    vault: &Vault,
    set: &ExportSet,
    recipients: &[Recipient],
    with_pdf: bool,
    lang: Lang,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Progress),
) -> Result<BundleSummary> {
    if recipients.is_empty() {
        return Err(ExportError::RecipientRequired(set.profile));
    }
    let keys = recipients
        .iter()
        .map(|r| super::recipients::parse_key(&r.name, &r.age_public_key))
        .collect::<Result<Vec<_>>>()?;
    let signer = SigningKey::load_or_create(vault)?;
    let key_id = signer.key_id();
    let bundle_id = uuid::Uuid::new_v4().to_string();

    let mut attachments = vec![];
    let mut seen = std::collections::HashSet::new();
    for e in &set.evidence {
        for a in &e.record.data.attachments {
            let sha = a.sha256.to_ascii_lowercase();
            if seen.insert(sha.clone()) {
                attachments.push((sha, a.size));
            }
        }
    }
    // Steps: the log, the PDF, each attachment, the finish.
    let total = 2 + u64::from(with_pdf) + attachments.len() as u64;
    let mut step = 0u64;
    let mut report = |phase: Phase| {
        progress(Progress {
            phase,
            done: step,
            total,
        });
        step += 1;
    };

    report(Phase::Log);
    let mut log = Zeroizing::new(Vec::new());
    super::json::write(set, Some(&key_id), &mut *log)?;
    let mut csv = Zeroizing::new(Vec::new());
    super::csv::write(set, lang, &mut *csv)?;
    let listed = |path: &str, bytes: &[u8]| ManifestFile {
        path: path.into(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        derived_from: None,
    };
    let mut files = vec![listed(LOG, &log), listed(CSV, &csv)];

    let pdf = if with_pdf {
        vault.check_cancel()?;
        report(Phase::Pdf);
        let mut pdf = Zeroizing::new(Vec::new());
        super::pdf::write_log(set, lang, Some(&bundle_id), &mut *pdf)?;
        files.push(listed(REPORT, &pdf));
        let sig = signer.sign(&pdf, &format!("vekil report bundle:{bundle_id}"))?;
        Some((pdf, sig))
    } else {
        None
    };
    let skipped: Vec<Excluded> = set
        .excluded
        .iter()
        .filter(|e| e.reason.is_attachments())
        .cloned()
        .collect();
    for (sha, size) in &attachments {
        files.push(ManifestFile {
            path: format!("{ATTACHMENTS}{sha}"),
            sha256: sha.clone(),
            size: *size,
            derived_from: set.stripped.get(sha).cloned(),
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        version: MANIFEST_VERSION,
        bundle_id: Some(bundle_id.clone()),
        created_at: set
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        vault_id: set.vault_id.clone(),
        signing_key_id: key_id.clone(),
        signing_public_key: super::signing::public_key_line(&signer.public),
        profile: set.profile,
        recipients: recipients.iter().map(|r| r.name.clone()).collect(),
        files,
    };
    let manifest_bytes =
        serde_json::to_vec_pretty(&manifest).map_err(|e| ExportError::Serialise {
            what: "the manifest".into(),
            reason: e.to_string(),
        })?;
    let manifest_sha = sha256_hex(&manifest_bytes);
    let comment = format!(
        "vekil bundle manifest vault:{} created:{}",
        set.vault_id, manifest.created_at
    );
    let manifest_sig = signer.sign(&manifest_bytes, &comment)?;

    let here = "the bundle";
    let enc = age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
        .map_err(|e| ExportError::Crypto(format!("age: {e}")))?;
    let stream = enc.wrap_output(out).map_err(io_err(here))?;
    let mut tar = tar::Builder::new(stream);
    let mtime = set.generated_at.timestamp().max(0) as u64;
    let put = |tar: &mut tar::Builder<_>, path: &str, bytes: &[u8]| -> Result<()> {
        tar.append(&header(path, bytes.len() as u64, mtime)?, bytes)
            .map_err(io_err(here))
    };
    put(&mut tar, MANIFEST, &manifest_bytes)?;
    put(&mut tar, MANIFEST_SIG, manifest_sig.as_bytes())?;
    put(&mut tar, LOG, &log)?;
    put(&mut tar, CSV, &csv)?;
    if let Some((pdf, sig)) = &pdf {
        put(&mut tar, REPORT, pdf)?;
        put(&mut tar, REPORT_SIG, sig.as_bytes())?;
    }
    for (sha, size) in &attachments {
        vault.check_cancel()?;
        report(Phase::Attachments);
        let path = format!("{ATTACHMENTS}{sha}");
        tar.append(&header(&path, *size, mtime)?, std::io::empty())
            .map_err(io_err(here))?;
        let mut w = Exact {
            inner: tar.get_mut(),
            left: *size,
        };
        let written = match set.stripped.get(sha) {
            // A cleaned copy: rebuilt from the original, hash re-checked.
            Some(original) => {
                let bytes = vault.read_attachment(original)?;
                let media = set
                    .evidence
                    .iter()
                    .flat_map(|e| e.record.data.attachments.iter())
                    .find(|a| a.sha256 == *sha)
                    .map(|a| a.media_type.clone())
                    .unwrap_or_default();
                let clean = match super::metadata::clean(&media, &bytes) {
                    super::metadata::Cleaned::Stripped(c) => Some(c),
                    _ => None,
                }
                .filter(|c| sha256_hex(c) == *sha)
                .ok_or_else(|| {
                    ExportError::Crypto(format!(
                        "the cleaned copy of attachment {original} changed while exporting"
                    ))
                })?;
                w.write_all(&clean).map_err(io_err(here))?;
                clean.len() as u64
            }
            None => vault.copy_attachment(sha, &mut w)?,
        };
        if written != *size {
            return Err(ExportError::Crypto(format!(
                "attachment {sha} is {written} bytes, but its record says {size}"
            )));
        }
        let pad = (512 - size % 512) % 512;
        tar.get_mut()
            .write_all(&vec![0u8; pad as usize])
            .map_err(io_err(here))?;
    }
    vault.check_cancel()?;
    report(Phase::Finishing);
    let stream = tar.into_inner().map_err(io_err(here))?;
    stream.finish().map_err(io_err(here))?;
    Ok(BundleSummary {
        manifest_sha256: manifest_sha,
        manifest,
        signing_key_id: key_id,
        skipped_attachments: skipped,
        steps: total,
    })
}

/// Refuses to write more than the declared size, so a record whose size is
/// wrong cannot corrupt the archive.
struct Exact<'a, W: Write> {
    inner: &'a mut W,
    left: u64,
}

impl<W: Write> Write for Exact<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(std::io::Error::other(
                "attachment is larger than its recorded size",
            ));
        }
        let n = self.inner.write(buf)?;
        self.left -= n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
