//! Writing a backup: check the secret, take a read snapshot of the
//! database, stream every table and every evidence file through age into
//! a new file that appears only when complete.

use super::format::{
    self, AttachmentCount, ChainHead, ChunkHead, End, Exact, LastChangeMark, Manifest, SealedTo,
    Unreadable,
};
use super::{BackupError, Phase, Progress, Reporter, Result, Seal};
use crate::store::revisions;
use crate::vault::keyfile::{self, Unwrap};
use crate::vault::{Vault, RECOVERY_KEY_FILE};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use ts_rs::TS;
use zeroize::Zeroizing;

/// What a finished backup holds.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BackupSummary {
    /// What it is sealed to.
    pub sealed_to: SealedTo,
    /// Size of the backup file.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Records (every kind).
    #[ts(type = "number")]
    pub records: u64,
    /// History entries.
    #[ts(type = "number")]
    pub revisions: u64,
    /// Evidence files carried whole.
    #[ts(type = "number")]
    pub attachments: u64,
    /// Their size.
    #[ts(type = "number")]
    pub attachment_bytes: u64,
    /// Evidence files the vault could not give whole (missing or
    /// damaged); `verify-vault` reports the same ones.
    pub unreadable: Vec<Unreadable>,
}

/// One evidence file to carry.
struct Wanted {
    sha256: String,
    file_name: String,
}

/// Writes a backup of `vault` to `out`, a new file (an existing one is
/// never replaced), sealed as `seal` says. See the module doc.
pub fn write(
    vault: &Vault,
    seal: &Seal,
    out: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupSummary> {
    let mut report = Reporter::new(progress);
    report.start(Phase::Sealing, 1);
    vault.check_cancel()?;
    if out.file_name().is_none() || out.is_dir() {
        return Err(BackupError::NotAFile(out.into()));
    }
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(BackupError::OutputExists(out.into()));
    }
    let header = vault.trusted_header()?;
    let (sealed_to, recipients) = recipients_for(vault, &header, seal)?;
    vault.check_cancel()?;

    // One read transaction: every table is read from the same snapshot.
    let tx = vault.conn.unchecked_transaction()?;
    let tables = tables(&tx)?;
    let wanted = wanted_attachments(&tx)?;
    let change = revisions::change_state(&tx)?;
    let (head_seq, head_hash) = revisions::head(&tx)?;
    let now = chrono::Utc::now();
    let manifest = Manifest {
        format: format::FORMAT.into(),
        version: format::VERSION,
        note: format::NOTE.into(),
        vault_id: header.vault_id,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        made_by: format!("vekil {}", env!("CARGO_PKG_VERSION")),
        schema_version: tx.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        sealed_to,
        last_change: LastChangeMark {
            counter: change.counter,
            at: change.at,
            device_name: change.device_name,
        },
        chain_head: ChainHead {
            seq: head_seq,
            hash: head_hash,
        },
        tables: tables.iter().map(|t| (t.name.clone(), t.rows)).collect(),
        attachments: AttachmentCount {
            files: wanted.0.len() as u64,
            bytes: wanted.1,
        },
    };
    let sealed_header = serde_json::to_vec_pretty(&header.sealed_value())
        .map_err(|e| BackupError::Vault(crate::vault::VaultError::Crypto(e.to_string())))?;

    let mut failure: Option<BackupError> = None;
    let mut end: Option<End> = None;
    let written = crate::export::file::write_new(out, false, |w| {
        let body = Body {
            vault,
            conn: &tx,
            mtime: u64::try_from(now.timestamp()).unwrap_or(0),
        };
        match body.fill(
            w,
            &recipients,
            &manifest,
            &sealed_header,
            &tables,
            &wanted.0,
            &mut report,
        ) {
            Ok(e) => {
                end = Some(e);
                Ok(())
            }
            Err(e) => {
                failure = Some(e);
                Err(crate::export::ExportError::Crypto("backup stopped".into()))
            }
        }
    });
    drop(tx);
    if let Some(e) = failure {
        return Err(e);
    }
    written.map_err(|e| match e {
        crate::export::ExportError::FileExists(p) => BackupError::OutputExists(p),
        crate::export::ExportError::NotAFile(p) => BackupError::NotAFile(p),
        crate::export::ExportError::Io { path, source } => BackupError::Write { path, source },
        crate::export::ExportError::Cancelled(c) => BackupError::Cancelled(c),
        other => BackupError::Write {
            path: out.into(),
            source: std::io::Error::other(other.to_string()),
        },
    })?;
    let end = end.unwrap_or_else(|| End {
        format: format::FORMAT.into(),
        tables: BTreeMap::new(),
        attachments: AttachmentCount::default(),
        unreadable: Vec::new(),
    });
    report.start(Phase::Done, 1);
    report.add(1);
    Ok(BackupSummary {
        sealed_to,
        bytes: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
        records: end.tables.get("records").copied().unwrap_or(0),
        revisions: end.tables.get("revisions").copied().unwrap_or(0),
        attachments: end.attachments.files,
        attachment_bytes: end.attachments.bytes,
        unreadable: end.unreadable,
    })
}

/// The age recipients `seal` stands for, after checking its secret
/// against the vault's own key file.
fn recipients_for(
    vault: &Vault,
    header: &crate::vault::header::Header,
    seal: &Seal,
) -> Result<(SealedTo, Vec<Box<dyn age::Recipient + Send>>)> {
    // Without scrypt when the passphrase opened this vault in this
    // process (`Vault::is_passphrase`): a backup sealed to age keys then
    // derives no key at all, and its memory stays that of the streaming.
    let check_passphrase = |p: &crate::secret::Passphrase| -> Result<()> {
        if vault.is_passphrase(p)? {
            Ok(())
        } else {
            Err(BackupError::WrongPassphrase)
        }
    };
    match seal {
        Seal::Passphrase(p) => {
            check_passphrase(p)?;
            let mut r = age::scrypt::Recipient::new(p.to_secret_string());
            r.set_work_factor(keyfile::rewrap_factor(header.kdf_log_n, vault.kdf_floor));
            Ok((SealedTo::Passphrase, vec![Box::new(r)]))
        }
        Seal::RecoveryCode(c) => {
            match keyfile::unwrap(
                &vault.dir.join(RECOVERY_KEY_FILE),
                c.to_secret_string(),
                &header.key_files.recovery_sha256,
            )? {
                Unwrap::Key(_) => {}
                Unwrap::WrongSecret => return Err(BackupError::WrongRecoveryCode),
            }
            let mut r = age::scrypt::Recipient::new(c.to_secret_string());
            // The code carries 160 random bits: the vault's own recovery
            // key file uses the same factor (see `keyfile`).
            r.set_work_factor(keyfile::RECOVERY_KDF_LOG_N);
            Ok((SealedTo::RecoveryCode, vec![Box::new(r)]))
        }
        Seal::Recipients { passphrase, to } => {
            if to.is_empty() {
                return Err(BackupError::NoRecipient);
            }
            let mut keys: Vec<age::x25519::Recipient> = Vec::new();
            for given in to {
                let bad = |reason: String| BackupError::BadRecipient {
                    given: given.clone(),
                    reason,
                };
                let key_text = if given.trim().starts_with("age1") {
                    given.trim().to_owned()
                } else {
                    crate::export::recipients::get(vault, given)
                        .map_err(|e| bad(e.to_string()))?
                        .age_public_key
                };
                let key = crate::export::recipients::parse_key(given, &key_text)
                    .map_err(|e| bad(e.to_string()))?;
                if !keys.iter().any(|k| k.to_string() == key.to_string()) {
                    keys.push(key);
                }
            }
            check_passphrase(passphrase)?;
            Ok((
                SealedTo::Recipients,
                keys.into_iter()
                    .map(|k| Box::new(k) as Box<dyn age::Recipient + Send>)
                    .collect(),
            ))
        }
    }
}

/// A table to dump, with its rows counted.
pub(super) struct Table {
    pub(super) name: String,
    /// Virtual tables (the full-text index) are read with their rowid.
    pub(super) with_rowid: bool,
    pub(super) rows: u64,
}

/// Every table of the database except SQLite's own and the full-text
/// index's shadow tables, `meta` first (a restore needs its key first).
/// Found by asking SQLite, so a table added by a later migration is
/// backed up without anyone remembering to list it.
pub(super) fn table_list(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, bool)>> {
    let mut stmt = conn.prepare(
        "SELECT name, type FROM pragma_table_list
         WHERE schema = 'main' AND type IN ('table', 'virtual')
           AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY name <> 'meta', name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)? == "virtual"))
    })?;
    rows.collect()
}

pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn tables(conn: &rusqlite::Connection) -> Result<Vec<Table>> {
    let mut out = Vec::new();
    for (name, with_rowid) in table_list(conn)? {
        let rows: i64 =
            conn.query_row(&format!("SELECT count(*) FROM {}", quote(&name)), [], |r| {
                r.get(0)
            })?;
        out.push(Table {
            name,
            with_rowid,
            rows: u64::try_from(rows).unwrap_or(0),
        });
    }
    Ok(out)
}

/// The evidence files live evidence notes refer to, each once, and their
/// recorded total size.
fn wanted_attachments(conn: &rusqlite::Connection) -> Result<(Vec<Wanted>, u64)> {
    let mut stmt = conn.prepare(
        "SELECT lower(json_extract(a.value, '$.sha256')) AS sha,
                min(json_extract(a.value, '$.file_name')),
                max(coalesce(json_extract(a.value, '$.size'), 0))
         FROM records r, json_each(r.data, '$.attachments') a
         WHERE r.kind = 'evidence'
         GROUP BY sha ORDER BY sha",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    let mut bytes = 0u64;
    for row in rows {
        let (sha, name, size) = row?;
        bytes += u64::try_from(size).unwrap_or(0);
        out.push(Wanted {
            sha256: sha.unwrap_or_default(),
            file_name: name.unwrap_or_default(),
        });
    }
    Ok((out, bytes))
}

/// What `fill` reads from.
struct Body<'a> {
    vault: &'a Vault,
    conn: &'a rusqlite::Connection,
    mtime: u64,
}

type Archive<'w> = tar::Builder<age::stream::StreamWriter<&'w mut dyn Write>>;

impl Body<'_> {
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &self,
        w: &mut dyn Write,
        recipients: &[Box<dyn age::Recipient + Send>],
        manifest: &Manifest,
        sealed_header: &[u8],
        tables: &[Table],
        wanted: &[Wanted],
        report: &mut Reporter<'_>,
    ) -> Result<End> {
        let path = Path::new("backup");
        let io = |source: std::io::Error| -> BackupError {
            match source
                .get_ref()
                .and_then(|e| e.downcast_ref::<crate::cancel::CancelError>())
            {
                Some(c) => BackupError::Cancelled(*c),
                None => BackupError::Write {
                    path: path.into(),
                    source,
                },
            }
        };
        let enc = age::Encryptor::with_recipients(recipients.iter().map(|r| &**r as _))
            .map_err(|e| BackupError::Vault(crate::vault::VaultError::Crypto(e.to_string())))?;
        let stream = enc.wrap_output(w).map_err(io)?;
        let mut tar: Archive<'_> = tar::Builder::new(stream);

        let manifest_bytes = serde_json::to_vec_pretty(manifest)
            .map_err(|e| BackupError::Vault(crate::vault::VaultError::Crypto(e.to_string())))?;
        self.small(&mut tar, format::MANIFEST, &manifest_bytes)
            .map_err(io)?;
        self.small(&mut tar, format::HEADER, sealed_header)
            .map_err(io)?;

        report.start(Phase::Records, tables.iter().map(|t| t.rows).sum());
        let mut written = BTreeMap::new();
        for t in tables {
            let rows = self.table(&mut tar, t, report).map_err(|e| match e {
                TableError::Io(e) => io(e),
                TableError::Other(e) => e,
            })?;
            written.insert(t.name.clone(), rows);
        }

        report.start(Phase::Attachments, manifest.attachments.bytes);
        let mut count = AttachmentCount::default();
        let mut unreadable = Vec::new();
        for a in wanted {
            self.vault.check_cancel()?;
            let unread = |in_archive| Unreadable {
                sha256: a.sha256.clone(),
                file_name: a.file_name.clone(),
                in_archive,
            };
            let Some(sha) =
                format::attachment_sha(&format!("{}{}", format::ATTACHMENTS_DIR, a.sha256))
                    .map(str::to_owned)
            else {
                unreadable.push(unread(false));
                continue;
            };
            let measured = self
                .vault
                .open_attachment(&sha)
                .ok()
                .and_then(Exact::measure);
            let Some((reader, len)) = measured else {
                unreadable.push(unread(false));
                continue;
            };
            let header = format::entry_header(
                &format!("{}{sha}", format::ATTACHMENTS_DIR),
                len,
                self.mtime,
            )
            .map_err(io)?;
            let mut on_bytes = |n| report.add(n);
            let mut src = Exact::new(reader, len, &self.vault.cancel, &mut on_bytes);
            tar.append(&header, &mut src).map_err(io)?;
            if src.whole(&sha) {
                count.files += 1;
                count.bytes += len;
            } else {
                unreadable.push(unread(true));
            }
        }
        self.vault.check_cancel()?;

        let end = End {
            format: format::FORMAT.into(),
            tables: written,
            attachments: count,
            unreadable,
        };
        let end_bytes = serde_json::to_vec_pretty(&end)
            .map_err(|e| BackupError::Vault(crate::vault::VaultError::Crypto(e.to_string())))?;
        self.small(&mut tar, format::END, &end_bytes).map_err(io)?;
        let stream = tar.into_inner().map_err(io)?;
        stream.finish().map_err(io)?;
        Ok(end)
    }

    fn small(&self, tar: &mut Archive<'_>, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let h = format::entry_header(name, bytes.len() as u64, self.mtime)?;
        tar.append(&h, bytes)
    }

    /// Streams one table as JSON Lines chunks; returns the rows written.
    fn table(
        &self,
        tar: &mut Archive<'_>,
        t: &Table,
        report: &mut Reporter<'_>,
    ) -> std::result::Result<u64, TableError> {
        let select = if t.with_rowid {
            format!("SELECT rowid, * FROM {}", quote(&t.name))
        } else {
            format!("SELECT * FROM {}", quote(&t.name))
        };
        let mut stmt = self.conn.prepare(&select).map_err(other)?;
        let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let head = serde_json::to_vec(&ChunkHead {
            table: t.name.clone(),
            columns: columns.clone(),
        })
        .map_err(|e| TableError::Io(std::io::Error::other(e)))?;
        // Sized once so it rarely grows: a grown Vec leaves its old
        // buffer (plaintext) to the allocator unwiped.
        let mut chunk: Zeroizing<Vec<u8>> =
            Zeroizing::new(Vec::with_capacity(format::CHUNK_BYTES + (256 << 10)));
        let mut n_chunk = 0u32;
        let mut rows_in_chunk = 0u64;
        let mut total = 0u64;
        let mut flush =
            |chunk: &mut Zeroizing<Vec<u8>>, n_chunk: &mut u32| -> std::io::Result<()> {
                *n_chunk += 1;
                let h = format::entry_header(
                    &format::chunk_name(&t.name, *n_chunk),
                    chunk.len() as u64,
                    self.mtime,
                )?;
                tar.append(&h, &chunk[..])?;
                chunk.clear();
                Ok(())
            };
        let mut rows = stmt.query([]).map_err(other)?;
        let mut values: Vec<serde_json::Value> = Vec::with_capacity(columns.len());
        while let Some(row) = rows.next().map_err(other)? {
            if total.is_multiple_of(256) {
                self.vault.check_cancel().map_err(other)?;
            }
            if rows_in_chunk == 0 {
                chunk.extend_from_slice(&head);
                chunk.push(b'\n');
            }
            values.clear();
            for i in 0..columns.len() {
                values.push(format::value_to_json(row.get_ref(i).map_err(other)?));
            }
            serde_json::to_writer(&mut *chunk, &values)
                .map_err(|e| TableError::Io(std::io::Error::other(e)))?;
            chunk.push(b'\n');
            rows_in_chunk += 1;
            total += 1;
            report.add(1);
            if chunk.len() >= format::CHUNK_BYTES {
                flush(&mut chunk, &mut n_chunk).map_err(TableError::Io)?;
                rows_in_chunk = 0;
            }
        }
        if rows_in_chunk > 0 {
            flush(&mut chunk, &mut n_chunk).map_err(TableError::Io)?;
        }
        Ok(total)
    }
}

enum TableError {
    Io(std::io::Error),
    Other(BackupError),
}

fn other(e: impl Into<BackupError>) -> TableError {
    TableError::Other(e.into())
}
