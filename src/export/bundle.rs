//! Encrypted, signed bundles for NGOs (`docs/formats/bundle.md`).
//!
//! A bundle is one age-encrypted file (X25519 recipients, several allowed)
//! holding a tar archive, so that `age -d -i key.txt bundle.age | tar x`
//! opens it with stock tools. Inside, in this order:
//!
//! - `manifest.json`: SHA-256 and size of every data file below;
//! - `manifest.json.minisig`: minisign signature of the manifest with the
//!   vault's Ed25519 key;
//! - `log.json`, `incidents.csv`: the incident log and table;
//! - `report.pdf` + `report.pdf.minisig`: the PDF report, whose footer
//!   prints the manifest's SHA-256 (so it cannot itself be listed in the
//!   manifest, and is signed on its own instead);
//! - `attachments/<sha256>`: attachment files, named by their hash only,
//!   so no name chosen by a user ever becomes a path.
//!
//! The manifest comes first so that a reader can check the signature
//! before trusting anything else and reject unknown entries as they
//! stream past. Attachments are streamed from the vault into the archive
//! and never held whole in memory; the small generated files are built in
//! memory (zeroized afterwards) because plaintext must never touch disk.
//! The output is written to a temporary file beside the target and renamed
//! only when complete.

use super::signing::SigningKey;
use super::{
    io_err, Excluded, ExportError, ExportSet, Phase, Profile, Progress, Recipient, Result,
};
use crate::Vault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// `format` of the manifest.
pub const MANIFEST_FORMAT: &str = "vekil-bundle-manifest";
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
}

/// The signed list of files.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
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
    /// Every data file except the PDF report (signed on its own).
    pub files: Vec<ManifestFile>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct BundleSummary {
    /// SHA-256 of `manifest.json`, as printed in the PDF footer.
    pub manifest_sha256: String,
    /// The manifest itself.
    pub manifest: Manifest,
    /// minisign key id.
    pub signing_key_id: String,
    /// Evidence whose attachments were left out, and why.
    pub skipped_attachments: Vec<Excluded>,
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

/// Writes a bundle for `recipients` to `out_path`, reporting each step to
/// `progress`: the log, the PDF (if any), every attachment, the final
/// encryption and rename, then [`Phase::Done`] with `done == total`.
pub fn write(
    vault: &Vault,
    set: &ExportSet,
    recipients: &[Recipient],
    with_pdf: bool,
    out_path: &Path,
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
    super::csv::write(set, &mut *csv)?;

    let mut files = vec![
        ManifestFile {
            path: LOG.into(),
            sha256: sha256_hex(&log),
            size: log.len() as u64,
        },
        ManifestFile {
            path: CSV.into(),
            sha256: sha256_hex(&csv),
            size: csv.len() as u64,
        },
    ];
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
        });
    }
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        version: 1,
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

    let pdf = if with_pdf {
        report(Phase::Pdf);
        let mut pdf = Zeroizing::new(Vec::new());
        super::pdf::write_log(set, Some(&manifest_sha), &mut *pdf)?;
        let sig = signer.sign(
            &pdf,
            &format!("vekil report manifest-sha256:{manifest_sha}"),
        )?;
        Some((pdf, sig))
    } else {
        None
    };

    // Write to a temporary file beside the target; rename when complete.
    let dir = out_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.partial-{}",
        out_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".into()),
        uuid::Uuid::new_v4()
    ));
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
        let enc = age::Encryptor::with_recipients(keys.iter().map(|k| k as &dyn age::Recipient))
            .map_err(|e| ExportError::Crypto(format!("age: {e}")))?;
        let stream = enc
            .wrap_output(std::io::BufWriter::new(file))
            .map_err(io_err(&tmp))?;
        let mut tar = tar::Builder::new(stream);
        let mtime = set.generated_at.timestamp().max(0) as u64;
        let put = |tar: &mut tar::Builder<_>, path: &str, bytes: &[u8]| -> Result<()> {
            tar.append(&header(path, bytes.len() as u64, mtime)?, bytes)
                .map_err(io_err(&tmp))
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
            report(Phase::Attachments);
            let path = format!("{ATTACHMENTS}{sha}");
            tar.append(&header(&path, *size, mtime)?, std::io::empty())
                .map_err(io_err(&tmp))?;
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
                    let clean = super::metadata::strip(&media, &bytes)
                        .map(Zeroizing::new)
                        .filter(|c| sha256_hex(c) == *sha)
                        .ok_or_else(|| {
                            ExportError::Crypto(format!(
                                "the cleaned copy of attachment {original} changed while exporting"
                            ))
                        })?;
                    w.write_all(&clean).map_err(io_err(&tmp))?;
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
                .map_err(io_err(&tmp))?;
        }
        report(Phase::Finishing);
        let stream = tar.into_inner().map_err(io_err(&tmp))?;
        let buf = stream.finish().map_err(io_err(&tmp))?;
        let file = buf.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
        file.sync_all().map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, out_path).map_err(io_err(out_path))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    progress(Progress {
        phase: Phase::Done,
        done: total,
        total,
    });
    Ok(BundleSummary {
        manifest_sha256: manifest_sha,
        manifest,
        signing_key_id: key_id,
        skipped_attachments: skipped,
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
