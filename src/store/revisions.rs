//! The hash-chained revision history.
//!
//! Every create, update and delete appends one row: what changed (old and
//! new values of each top-level field), when, on which device, the SHA-256
//! of the record's stored JSON afterwards, and a hash over all of that and
//! the previous row's hash. Editing or removing any row breaks the chain
//! from that point; editing a record without a revision breaks the match
//! between the record and its last snapshot. The chain head is also kept
//! in `meta`, so dropping the newest rows is noticed too.
//!
//! Do not modify the hash input layout: existing vaults are verified with
//! it. A new layout needs a new domain tag and a migration.

use crate::model::Kind;
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const DOMAIN: &str = "vekil-revision-v1";
/// `prev_hash` of the first revision.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a revision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Create,
    Update,
    Delete,
}

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// One row, as read back for verification or display.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Revision {
    /// Position in the chain, from 1.
    #[ts(type = "number")]
    pub seq: i64,
    /// Kind of record.
    pub kind: String,
    /// Record id.
    pub record_id: String,
    /// The record's revision after this change.
    pub record_revision: u32,
    /// create, update or delete.
    pub op: String,
    /// When (UTC).
    pub at: String,
    /// Device id of the vault that made the change.
    pub device: String,
    /// `{field: {old, new}}`.
    #[ts(type = "Record<string, { old?: unknown, new?: unknown }>")]
    pub changes: Value,
    /// SHA-256 of the record JSON after the change.
    pub snapshot_sha256: Option<String>,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// Hash of this row.
    pub hash: String,
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn row_hash(
    prev_hash: &str,
    seq: i64,
    kind: &str,
    record_id: &str,
    record_revision: u32,
    op: &str,
    at: &str,
    device: &str,
    changes: &str,
    snapshot: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let rev = record_revision.to_string();
    let seq = seq.to_string();
    for part in [
        DOMAIN,
        prev_hash,
        &seq,
        kind,
        record_id,
        &rev,
        op,
        at,
        device,
        changes,
        snapshot.unwrap_or("-"),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(_) | Value::Bool(true) => false,
    }
}

/// `{field: {"old": …, "new": …}}` for every top-level field that differs.
/// On create and delete, empty fields are left out: they say nothing and
/// would double the size of the history.
pub(crate) fn diff(old: Option<&Value>, new: Option<&Value>) -> Value {
    let empty = Map::new();
    let o = old.and_then(Value::as_object).unwrap_or(&empty);
    let n = new.and_then(Value::as_object).unwrap_or(&empty);
    let mut out = Map::new();
    for key in o.keys().chain(n.keys().filter(|k| !o.contains_key(*k))) {
        let (a, b) = (o.get(key), n.get(key));
        let one_sided_empty = match (old.is_some(), new.is_some()) {
            (false, _) => b.is_none_or(is_empty),
            (_, false) => a.is_none_or(is_empty),
            _ => false,
        };
        if a != b && !one_sided_empty {
            let mut change = Map::new();
            if let Some(a) = a {
                change.insert("old".into(), a.clone());
            }
            if let Some(b) = b {
                change.insert("new".into(), b.clone());
            }
            out.insert(key.clone(), Value::Object(change));
        }
    }
    Value::Object(out)
}

/// Appends a revision in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    conn: &Connection,
    device: &str,
    kind: Kind,
    record_id: Uuid,
    record_revision: u32,
    op: Op,
    changes: &Value,
    snapshot: Option<&str>,
) -> rusqlite::Result<()> {
    let (prev_seq, prev_hash): (i64, String) = conn
        .query_row(
            "SELECT seq, hash FROM revisions ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, GENESIS.to_owned()));
    let seq = prev_seq + 1;
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let changes = changes.to_string();
    let id = record_id.to_string();
    let hash = row_hash(
        &prev_hash,
        seq,
        kind.as_str(),
        &id,
        record_revision,
        op.as_str(),
        &at,
        device,
        &changes,
        snapshot,
    );
    conn.execute(
        "INSERT INTO revisions (seq, kind, record_id, record_revision, op, at, device, changes,
                                snapshot_sha256, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            seq,
            kind.as_str(),
            id,
            record_revision,
            op.as_str(),
            at,
            device,
            changes,
            snapshot,
            prev_hash,
            hash
        ],
    )?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('chain_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [format!("{seq}:{hash}")],
    )?;
    Ok(())
}

pub(crate) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Revision> {
    let changes: String = r.get(7)?;
    Ok(Revision {
        seq: r.get(0)?,
        kind: r.get(1)?,
        record_id: r.get(2)?,
        record_revision: r.get(3)?,
        op: r.get(4)?,
        at: r.get(5)?,
        device: r.get(6)?,
        changes: serde_json::from_str(&changes).unwrap_or(Value::String(changes)),
        snapshot_sha256: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

pub(crate) const SELECT_COLUMNS: &str = "seq, kind, record_id, record_revision, op, at, device, \
     changes, snapshot_sha256, prev_hash, hash";
