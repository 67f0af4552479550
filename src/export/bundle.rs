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
//! stream past; it lists each file's size and SHA-256, so every file must
//! exist before the archive starts. The log and the table are written in
//! one reading of the records, the report in its own two (see
//! [`super::pdf`]), each into a [`Spill`] that hashes it and keeps it in
//! memory, or encrypted on disk once it is large (plaintext never touches
//! the disk), and the archive then copies them in. Attachments are
//! streamed from the vault into the archive. Nothing is held whole in
//! memory, whatever the size of the export. The caller provides the
//! output (`file::write_new` for a file).

use super::lang::Lang;
use super::reid::Hit;
use super::signing::SigningKey;
use super::spill::{Spill, Spilled};
use super::Profile;
use super::{io_err, Excluded, ExportError, ExportSet, Meter, Phase, Progress, Recipient, Result};
use crate::Vault;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write;

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
    write_checked(
        vault,
        set,
        recipients,
        with_pdf,
        lang,
        path,
        replace,
        progress,
        &mut |_| Ok(()),
    )
}

/// [`write_to`], first handing `confirm` every removed name found in the
/// text that leaves (known once the files are made, before the archive
/// is started), which may refuse them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_checked(
    vault: &Vault,
    set: &ExportSet,
    recipients: &[Recipient],
    with_pdf: bool,
    lang: Lang,
    path: &std::path::Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
    confirm: &mut dyn FnMut(&[Hit]) -> Result<()>,
) -> Result<BundleSummary> {
    let mut summary = None;
    let cancel = vault.cancel_handle();
    let mut meter = Meter::new(progress, 0);
    let written = (|| {
        let mut b = Builder::make(vault, set, recipients, with_pdf, lang, &mut meter)?;
        confirm(&set.hits()?)?;
        super::file::write_new(path, replace, |w| {
            let mut w = cancel.writer(w);
            summary = Some(b.archive(&mut w, &mut meter)?);
            vault.check_cancel()?;
            Ok(())
        })
    })();
    if written.is_err() {
        // Stopped by a lock: say so, whichever read or write noticed first.
        vault.check_cancel()?;
    }
    written?;
    let summary =
        summary.ok_or_else(|| ExportError::Crypto("the bundle was not written".into()))?;
    meter.done();
    Ok(summary)
}

/// Writes a bundle for `recipients` into `out`, reporting each step to
/// `progress`: each record of the log, each incident laid out in the PDF
/// (if any), every attachment and the final encryption. The caller
/// reports [`Phase::Done`] once `out` is in place.
pub fn write(
    vault: &Vault,
    set: &ExportSet,
    recipients: &[Recipient],
    with_pdf: bool,
    lang: Lang,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(Progress),
) -> Result<BundleSummary> {
    let mut meter = Meter::new(progress, 0);
    Builder::make(vault, set, recipients, with_pdf, lang, &mut meter)?.archive(out, &mut meter)
}

/// A bundle whose files are made and hashed, ready to be archived.
struct Builder<'a, 'v> {
    vault: &'a Vault,
    set: &'a ExportSet<'v>,
    keys: Vec<age::x25519::Recipient>,
    signer: SigningKey,
    key_id: String,
    bundle_id: String,
    recipients: Vec<String>,
    log: Spilled,
    csv: Spilled,
    report: Option<(Spilled, String)>,
    total: u64,
}

impl<'a, 'v> Builder<'a, 'v> {
    /// Makes the log, the table and the report (each hashed as it is
    /// written), signing the report.
    fn make(
        vault: &'a Vault,
        set: &'a ExportSet<'v>,
        recipients: &[Recipient],
        with_pdf: bool,
        lang: Lang,
        meter: &mut Meter<'_>,
    ) -> Result<Self> {
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

        // Steps: each record of the log (the table's rows come with its
        // incidents), each incident laid out in the PDF (four times), each
        // attachment, the finish.
        let records =
            (set.clients.len() + set.cases.len() + set.incident_count() + set.evidence_count())
                as u64;
        let pdf_steps = if with_pdf {
            4 * set.incident_count() as u64
        } else {
            0
        };
        let total = records + pdf_steps + set.files.len() as u64 + 1;
        meter.start(total, Phase::Log);

        let mut log = Spill::new(vault.dir());
        let mut csv_spill = Spill::new(vault.dir());
        let mut table = super::csv::Table::new(&mut csv_spill, lang)?;
        super::json::write_with(
            set,
            Some(&key_id),
            &mut log,
            &mut || meter.step(),
            Some(&mut |o| table.row(set, o)),
        )?;
        table.finish()?;
        let (log, csv) = (log.finish()?, csv_spill.finish()?);

        let report = if with_pdf {
            vault.check_cancel()?;
            meter.phase(Phase::Pdf);
            let mut pdf = Spill::new(vault.dir());
            super::pdf::write_log_with(set, lang, Some(&bundle_id), &mut pdf, &mut || {
                meter.step()
            })?;
            let mut pdf = pdf.finish()?;
            let sig =
                signer.sign_reader(pdf.reader()?, &format!("vekil report bundle:{bundle_id}"))?;
            Some((pdf, sig))
        } else {
            None
        };
        Ok(Self {
            vault,
            set,
            keys,
            signer,
            key_id,
            bundle_id,
            recipients: recipients.iter().map(|r| r.name.clone()).collect(),
            log,
            csv,
            report,
            total,
        })
    }

    /// Writes the encrypted archive: the signed manifest, then every file.
    fn archive(&mut self, out: &mut dyn Write, meter: &mut Meter<'_>) -> Result<BundleSummary> {
        let (vault, set) = (self.vault, self.set);
        let listed = |path: &str, s: &Spilled| ManifestFile {
            path: path.into(),
            sha256: s.sha256.clone(),
            size: s.len,
            derived_from: None,
        };
        let mut files = vec![listed(LOG, &self.log), listed(CSV, &self.csv)];
        if let Some((pdf, _)) = &self.report {
            files.push(listed(REPORT, pdf));
        }
        let skipped: Vec<Excluded> = set
            .excluded
            .iter()
            .filter(|e| e.reason.is_attachments())
            .cloned()
            .collect();
        for f in &set.files {
            files.push(ManifestFile {
                path: format!("{ATTACHMENTS}{}", f.sha256),
                sha256: f.sha256.clone(),
                size: f.size,
                derived_from: set.stripped.get(&f.sha256).cloned(),
            });
        }
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            version: MANIFEST_VERSION,
            bundle_id: Some(self.bundle_id.clone()),
            created_at: set
                .generated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            vault_id: set.vault_id.clone(),
            signing_key_id: self.key_id.clone(),
            signing_public_key: super::signing::public_key_line(&self.signer.public),
            profile: set.profile,
            recipients: self.recipients.clone(),
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
        let manifest_sig = self.signer.sign(&manifest_bytes, &comment)?;

        let here = "the bundle";
        let enc =
            age::Encryptor::with_recipients(self.keys.iter().map(|k| k as &dyn age::Recipient))
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
        put_spilled(vault, &mut tar, LOG, &mut self.log, mtime)?;
        put_spilled(vault, &mut tar, CSV, &mut self.csv, mtime)?;
        if let Some((pdf, sig)) = &mut self.report {
            put_spilled(vault, &mut tar, REPORT, pdf, mtime)?;
            put(&mut tar, REPORT_SIG, sig.as_bytes())?;
        }
        meter.phase(Phase::Attachments);
        for f in &set.files {
            vault.check_cancel()?;
            let (sha, size) = (&f.sha256, f.size);
            let path = format!("{ATTACHMENTS}{sha}");
            tar.append(&header(&path, size, mtime)?, std::io::empty())
                .map_err(io_err(here))?;
            let mut w = Exact {
                inner: tar.get_mut(),
                left: size,
            };
            let written = match set.stripped.get(sha) {
                // A cleaned copy: rebuilt from the original, hash re-checked.
                Some(original) => {
                    let bytes = vault.read_attachment(original)?;
                    let clean = match super::metadata::clean(&f.media_type, &bytes) {
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
            if written != size {
                return Err(ExportError::Crypto(format!(
                    "attachment {sha} is {written} bytes, but its record says {size}"
                )));
            }
            let pad = (512 - size % 512) % 512;
            tar.get_mut()
                .write_all(&vec![0u8; pad as usize])
                .map_err(io_err(here))?;
            meter.step();
        }
        vault.check_cancel()?;
        meter.phase(Phase::Finishing);
        let stream = tar.into_inner().map_err(io_err(here))?;
        stream.finish().map_err(io_err(here))?;
        meter.step();
        Ok(BundleSummary {
            manifest_sha256: manifest_sha,
            manifest,
            signing_key_id: self.key_id.clone(),
            skipped_attachments: skipped,
            steps: self.total,
        })
    }
}

/// Copies a made file into the archive as entry `path`.
fn put_spilled<W: Write>(
    vault: &Vault,
    tar: &mut tar::Builder<W>,
    path: &str,
    s: &mut Spilled,
    mtime: u64,
) -> Result<()> {
    let here = "the bundle";
    vault.check_cancel()?;
    tar.append(&header(path, s.len, mtime)?, std::io::empty())
        .map_err(io_err(here))?;
    s.copy_to(&mut Exact {
        inner: tar.get_mut(),
        left: s.len,
    })?;
    let pad = (512 - s.len % 512) % 512;
    tar.get_mut()
        .write_all(&vec![0u8; pad as usize])
        .map_err(io_err(here))
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
