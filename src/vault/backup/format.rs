//! The backup file, as documented in docs/formats/backup.md.
//!
//! One age file (binary, not armored) whose plaintext is a tar archive of
//! plain files, so that the stock tools read it without Vekil:
//!
//! ```text
//! manifest.json                     first: what this is, which vault, counts
//! header.json                       the vault header's sealed fields
//! tables/meta/000001.jsonl          every table of the database, row by row
//! tables/records/000001.jsonl …     (JSON Lines, chunks of at most 4 MiB)
//! attachments/<sha256>              each evidence file, as it was taken in
//! end.json                          last: what was written, what was unreadable
//! ```
//!
//! Do not modify a field's meaning: backups outlive the build that wrote
//! them. A change needs a new [`VERSION`], and readers refuse versions
//! above theirs.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use uuid::Uuid;

/// `format` of the manifest.
pub(crate) const FORMAT: &str = "vekil-backup";
/// The layout this build writes and the highest it reads.
pub(crate) const VERSION: u32 = 1;
/// Shown to whoever opens the file with the stock tools.
pub(crate) const NOTE: &str = "A complete backup of a Vekil vault: every table of its \
encrypted database as JSON Lines, and every evidence file. Restore it with \
`vekil restore FILE --vault NEW-FOLDER`. docs/formats/backup.md describes every part. \
Whoever reads these files reads the case file: keep them only inside the encrypted backup.";

pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const HEADER: &str = "header.json";
pub(crate) const END: &str = "end.json";
pub(crate) const TABLES_DIR: &str = "tables/";
pub(crate) const ATTACHMENTS_DIR: &str = "attachments/";

/// A table chunk is flushed once it holds this much.
pub(crate) const CHUNK_BYTES: usize = 4 << 20;
/// Largest chunk a reader accepts (one row may overshoot [`CHUNK_BYTES`]).
pub(crate) const MAX_CHUNK_BYTES: u64 = 64 << 20;
/// Largest manifest, header or end entry a reader accepts.
pub(crate) const MAX_SMALL_BYTES: u64 = 1 << 20;

/// How the backup was sealed, recorded inside it (and so authenticated
/// with it) to decide the restored vault's passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SealedTo {
    /// The vault's passphrase (age scrypt recipient).
    Passphrase,
    /// The vault's recovery code (age scrypt recipient).
    RecoveryCode,
    /// One or more age X25519 public keys.
    Recipients,
}

/// The first entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: String,
    pub version: u32,
    pub note: String,
    pub vault_id: Uuid,
    /// When the backup was made (RFC 3339, UTC).
    pub created_at: String,
    /// The Vekil that made it.
    pub made_by: String,
    /// `PRAGMA user_version` of the database backed up.
    pub schema_version: i64,
    pub sealed_to: SealedTo,
    /// The vault's change counter, time and computer of its last change.
    pub last_change: LastChangeMark,
    /// The history's newest entry: position and MAC.
    pub chain_head: ChainHead,
    /// Rows of each table, as counted when the backup started.
    pub tables: BTreeMap<String, u64>,
    /// Evidence files that will follow.
    pub attachments: AttachmentCount,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LastChangeMark {
    pub counter: u64,
    pub at: Option<String>,
    pub device_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AttachmentCount {
    pub files: u64,
    pub bytes: u64,
}

/// The last entry: what was actually written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct End {
    pub format: String,
    /// Rows written per table.
    pub tables: BTreeMap<String, u64>,
    /// Evidence files written whole and checked against their SHA-256.
    pub attachments: AttachmentCount,
    /// Evidence files that could not be read whole from the vault: absent
    /// from the archive, or present but not matching their SHA-256.
    pub unreadable: Vec<Unreadable>,
}

/// One evidence file the backup could not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Unreadable {
    /// Its SHA-256, as the evidence note records it.
    pub sha256: String,
    /// Its file name in the evidence note.
    pub file_name: String,
    /// Whether the archive holds a (damaged) copy under `attachments/`.
    pub in_archive: bool,
}

/// The first line of every table chunk; the rows follow as JSON arrays in
/// this column order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ChunkHead {
    pub table: String,
    pub columns: Vec<String>,
}

/// A column value as JSON: SQLite's null, integer, real and text map to
/// their JSON counterparts; a blob is `{"hex": "…"}`.
pub(crate) fn value_to_json(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::from(i),
        V::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        V::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        V::Blob(b) => serde_json::json!({ "hex": hex::encode(b) }),
    }
}

/// The inverse of [`value_to_json`]; `None` for anything it never writes.
pub(crate) fn json_to_value(v: Value) -> Option<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    Some(match v {
        Value::Null => V::Null,
        Value::Bool(_) => return None,
        Value::Number(n) => match n.as_i64() {
            Some(i) => V::Integer(i),
            None => V::Real(n.as_f64()?),
        },
        Value::String(s) => V::Text(s),
        Value::Array(_) => return None,
        Value::Object(mut o) => {
            let hex_text = o.remove("hex")?;
            if !o.is_empty() {
                return None;
            }
            V::Blob(hex::decode(hex_text.as_str()?).ok()?)
        }
    })
}

/// `tables/<table>/<n>.jsonl`
pub(crate) fn chunk_name(table: &str, n: u32) -> String {
    format!("{TABLES_DIR}{table}/{n:06}.jsonl")
}

/// The table a chunk entry belongs to, if the name is one.
pub(crate) fn chunk_table(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(TABLES_DIR)?;
    let (table, file) = rest.split_once('/')?;
    let digits = file.strip_suffix(".jsonl")?;
    let ok = !table.is_empty()
        && table
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && digits.len() == 6
        && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(table)
}

/// The SHA-256 an attachment entry is named after, if the name is one.
pub(crate) fn attachment_sha(name: &str) -> Option<&str> {
    let sha = name.strip_prefix(ATTACHMENTS_DIR)?;
    (sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then_some(sha)
}

/// A tar header for a regular file: owner-only, dated `mtime`.
pub(crate) fn entry_header(name: &str, size: u64, mtime: u64) -> std::io::Result<tar::Header> {
    let mut h = tar::Header::new_ustar();
    h.set_path(name)?;
    h.set_size(size);
    h.set_mode(0o600);
    h.set_mtime(mtime);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    Ok(h)
}

/// Reads an evidence file for the archive: exactly the length announced
/// in its tar header, whatever happens. Decryption stops early on a
/// damaged file; the rest is then zeros (so the archive stays readable)
/// and the file is marked unreadable. The SHA-256 of what was read is
/// compared with the recorded one at the end. A cancelled vault stops it
/// with an error, which aborts the backup.
pub(crate) struct Exact<'a, R> {
    inner: R,
    remaining: u64,
    hasher: sha2::Sha256,
    failed: bool,
    cancel: &'a crate::cancel::Cancel,
    progress: &'a mut dyn FnMut(u64),
}

impl<'a, R: Read + Seek> Exact<'a, R> {
    /// Measures `inner` (its plaintext length, by seeking to the end) and
    /// rewinds it; `None` when even that fails.
    pub(crate) fn measure(mut inner: R) -> Option<(R, u64)> {
        let len = inner.seek(SeekFrom::End(0)).ok()?;
        inner.seek(SeekFrom::Start(0)).ok()?;
        Some((inner, len))
    }

    pub(crate) fn new(
        inner: R,
        len: u64,
        cancel: &'a crate::cancel::Cancel,
        progress: &'a mut dyn FnMut(u64),
    ) -> Self {
        Self {
            inner,
            remaining: len,
            hasher: sha2::Digest::new(),
            failed: false,
            cancel,
            progress,
        }
    }

    /// Whether every byte came from the file and its SHA-256 is `sha256`.
    pub(crate) fn whole(mut self, sha256: &str) -> bool {
        if !self.failed {
            // The file must end where its length said.
            let mut probe = [0u8; 1];
            self.failed = !matches!(self.inner.read(&mut probe), Ok(0));
        }
        !self.failed && hex::encode(sha2::Digest::finalize(self.hasher)) == sha256
    }
}

impl<R: Read> Read for Exact<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(std::io::Error::other(crate::cancel::CancelError::Cancelled));
        }
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = if self.failed {
            0
        } else {
            self.inner.read(&mut buf[..want]).unwrap_or_default()
        };
        let n = if n == 0 {
            // Damaged or shorter than announced: zeros from here on.
            self.failed = true;
            buf[..want].fill(0);
            want
        } else {
            sha2::Digest::update(&mut self.hasher, &buf[..n]);
            n
        };
        self.remaining -= n as u64;
        (self.progress)(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn entry_names_are_recognised_exactly() {
        assert_eq!(chunk_table("tables/records/000001.jsonl"), Some("records"));
        assert_eq!(
            chunk_table("tables/search_fts/123456.jsonl"),
            Some("search_fts")
        );
        for bad in [
            "tables/records/1.jsonl",
            "tables/../meta/000001.jsonl",
            "tables/rec ords/000001.jsonl",
            "tables//000001.jsonl",
            "tables/records/000001.json",
            "records/000001.jsonl",
        ] {
            assert_eq!(chunk_table(bad), None, "{bad}");
        }
        let sha = "ab".repeat(32);
        assert_eq!(
            attachment_sha(&format!("attachments/{sha}")),
            Some(sha.as_str())
        );
        assert_eq!(
            attachment_sha(&format!("attachments/{}", sha.to_uppercase())),
            None
        );
        assert_eq!(attachment_sha("attachments/../../etc/passwd"), None);
    }

    fn value() -> impl Strategy<Value = rusqlite::types::Value> {
        use rusqlite::types::Value as V;
        prop_oneof![
            Just(V::Null),
            any::<i64>().prop_map(V::Integer),
            (-1e12f64..1e12).prop_map(V::Real),
            "[a-zəıİşğ Рашад\u{0307}\"\\\\\n]{0,12}".prop_map(V::Text),
            prop::collection::vec(any::<u8>(), 0..16).prop_map(V::Blob),
        ]
    }

    proptest! {
        /// Every SQLite value survives the trip through a JSON line.
        #[test]
        fn column_values_round_trip(v in value()) {
            let json = value_to_json(rusqlite::types::ValueRef::from(&v));
            let line = serde_json::to_string(&json).unwrap();
            let back = json_to_value(serde_json::from_str(&line).unwrap()).unwrap();
            prop_assert_eq!(back, v);
        }
    }

    #[test]
    fn a_short_or_failing_source_is_padded_and_marked() {
        let cancel = crate::cancel::Cancel::new();
        let mut seen = 0u64;
        let mut count = |n| seen += n;
        let data = b"Rasad Mammadov";
        let mut r = Exact::new(std::io::Cursor::new(&data[..10]), 14, &cancel, &mut count);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 14);
        assert_eq!(&out[10..], &[0, 0, 0, 0]);
        assert!(
            !r.whole(&hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                &data[..10]
            )))
        );
        assert_eq!(seen, 14);

        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data));
        let mut count = |_| {};
        let mut r = Exact::new(std::io::Cursor::new(&data[..]), 14, &cancel, &mut count);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert!(r.whole(&sha));
        // Longer than announced: not whole.
        let mut r = Exact::new(std::io::Cursor::new(&data[..]), 10, &cancel, &mut count);
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert!(!r.whole(&sha));
        // Cancelled: an error, not zeros.
        cancel.cancel();
        let mut r = Exact::new(std::io::Cursor::new(&data[..]), 14, &cancel, &mut count);
        assert!(r.read(&mut [0u8; 4]).is_err());
    }
}
