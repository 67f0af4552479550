//! The keyed, chained revision history, and the change counter.
//!
//! Every create, update and delete appends one row: what changed (old and
//! new values of each top-level field), when, on which device, the SHA-256
//! of the record's stored JSON afterwards, and a MAC over all of that and
//! the previous row's MAC. Editing or removing any row breaks the chain
//! from that point; editing a record without a revision breaks the match
//! between the record and its last snapshot. The chain head is also kept
//! in `meta`, so dropping the newest rows is noticed too; a transaction
//! writes it, and the change counter, once before it commits ([`Tail`]).
//!
//! **Keyed.** The MAC is HMAC-SHA256 under a key derived from the database
//! key (scheme `hmac-sha256-v2`). The first release chained rows with plain
//! SHA-256 (`sha256-v1`), which anyone who could write the database could
//! recompute after an edit, with any SQLite tool and no knowledge of
//! Vekil's keys. Such a chain is checked and re-chained once, at the first
//! unlock by this version ([`upgrade_chain`]); a chain that already fails
//! is left alone and the vault opens read-only. Limit: whoever holds the
//! database key can still recompute a keyed chain; what the key adds is
//! that a consistent rewrite needs that key and Vekil's derivation, and
//! rows copied from another vault (another key) never verify.
//!
//! **The change counter.** `meta.last_change` holds a counter that grows
//! by one with every revision, the time of the last one and the name of
//! the computer that saved it. It is mirrored in the sealed header and in
//! this computer's record of the vault, so an older copy of the vault is
//! recognised at unlock (see `vault::checks`).
//!
//! Do not modify either hash input layout: existing vaults are verified
//! with them. A new layout needs a new domain tag and a migration.

use crate::model::Kind;
use chrono::{SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use secrecy::{ExposeSecret, SecretBox};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

const DOMAIN_V1: &str = "vekil-revision-v1";
const DOMAIN_V2: &str = "vekil-revision-v2";
/// `prev_hash` of the first revision.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// `meta` key naming the scheme the chain is written in.
const SCHEME_KEY: &str = "chain_scheme";

/// How the rows of a vault's chain are hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// Plain SHA-256, written by the first release; only read, to check it
    /// before re-chaining.
    Sha256V1,
    /// HMAC-SHA256 under the chain key.
    HmacV2,
}

impl Scheme {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sha256V1 => "sha256-v1",
            Self::HmacV2 => "hmac-sha256-v2",
        }
    }
}

/// The scheme of the chain in `conn`. A database without the marker
/// predates the keyed chain (migration 0003 adds it).
pub(crate) fn scheme(conn: &Connection) -> rusqlite::Result<Scheme> {
    let s: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [SCHEME_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match s.as_deref() {
        Some("hmac-sha256-v2") => Scheme::HmacV2,
        _ => Scheme::Sha256V1,
    })
}

/// What a vault's writes put into each revision: the device id, this
/// computer's name (for the change counter) and the chain key.
pub(crate) struct Chain {
    /// The device id recorded in each revision (from the vault header).
    pub(crate) device: String,
    /// This computer's host name, recorded with the change counter.
    pub(crate) device_name: String,
    key: SecretBox<[u8; 32]>,
}

impl Chain {
    pub(crate) fn new(device: String, device_name: String, key: SecretBox<[u8; 32]>) -> Self {
        Self {
            device,
            device_name,
            key,
        }
    }

    pub(crate) fn key(&self) -> &SecretBox<[u8; 32]> {
        &self.key
    }

    /// The MAC of one entry under this chain's key.
    pub(crate) fn mac(&self, prev_hash: &str, e: &Entry<'_>) -> String {
        entry_hash(Scheme::HmacV2, &self.key, prev_hash, e)
    }
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

/// What one revision row says, as hashed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub seq: i64,
    pub kind: &'a str,
    pub record_id: &'a str,
    pub record_revision: u32,
    pub op: &'a str,
    pub at: &'a str,
    pub device: &'a str,
    pub changes: &'a str,
    pub snapshot: Option<&'a str>,
}

/// One row of the chain as hashed (v1) or MAC'd (v2). The field layout is
/// the same in both; only the function and the domain tag differ.
pub(crate) fn entry_hash(
    scheme: Scheme,
    key: &SecretBox<[u8; 32]>,
    prev_hash: &str,
    e: &Entry<'_>,
) -> String {
    let rev = e.record_revision.to_string();
    let seq = e.seq.to_string();
    let parts = |domain: &'static str| {
        [
            domain,
            prev_hash,
            &seq,
            e.kind,
            e.record_id,
            &rev,
            e.op,
            e.at,
            e.device,
            e.changes,
            e.snapshot.unwrap_or("-"),
        ]
    };
    match scheme {
        Scheme::Sha256V1 => {
            let mut h = Sha256::new();
            for part in parts(DOMAIN_V1) {
                h.update(part.as_bytes());
                h.update([0x1f]);
            }
            hex::encode(h.finalize())
        }
        Scheme::HmacV2 => {
            let mut h = <Hmac<Sha256> as Mac>::new_from_slice(key.expose_secret())
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
            for part in parts(DOMAIN_V2) {
                h.update(part.as_bytes());
                h.update(&[0x1f]);
            }
            hex::encode(h.finalize().into_bytes())
        }
    }
}

/// What one revision did.
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
    /// MAC of the previous row.
    pub prev_hash: String,
    /// MAC of this row (keyed; see the module doc).
    pub hash: String,
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Something wrong with the chain, worded as `verify-vault` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChainProblem {
    Missing { expected: i64, next: i64 },
    Unlinked { seq: i64 },
    Altered { seq: i64, kind: String, id: String },
    NewestRemoved,
}

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { expected, next } => write!(
                f,
                "revision history: entry {expected} is missing (next is {next})"
            ),
            Self::Unlinked { seq } => write!(
                f,
                "revision history: entry {seq} does not follow the entry before it"
            ),
            Self::Altered { seq, kind, id } => write!(
                f,
                "revision history: entry {seq} ({kind} {id}) was altered after it was written"
            ),
            Self::NewestRemoved => f.write_str("revision history: the newest entries were removed"),
        }
    }
}

/// The outcome of walking the whole chain.
#[derive(Debug, Default)]
pub(crate) struct ChainWalk {
    pub entries: u64,
    pub problems: Vec<ChainProblem>,
}

/// Walks the chain in order, recomputing every row's hash under `scheme`,
/// checking contiguity, links and the head kept in `meta`; calls `each`
/// with every row (kind, id, revision, op, snapshot) for the caller's own
/// checks. Problems are collected, not raised.
pub(crate) fn walk_chain(
    conn: &Connection,
    scheme: Scheme,
    key: &SecretBox<[u8; 32]>,
    mut each: impl FnMut(String, String, u32, String, Option<String>),
) -> rusqlite::Result<ChainWalk> {
    let mut walk = ChainWalk::default();
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut stmt = conn.prepare(&format!(
        "SELECT {SELECT_COLUMNS} FROM revisions ORDER BY seq"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let kind: String = r.get(1)?;
        let id: String = r.get(2)?;
        let rev: u32 = r.get(3)?;
        let op: String = r.get(4)?;
        let at: String = r.get(5)?;
        let device: String = r.get(6)?;
        let changes: String = r.get(7)?;
        let snapshot: Option<String> = r.get(8)?;
        let stored_prev: String = r.get(9)?;
        let hash: String = r.get(10)?;
        walk.entries += 1;
        if seq != expected_seq {
            walk.problems.push(ChainProblem::Missing {
                expected: expected_seq,
                next: seq,
            });
        }
        if stored_prev != prev_hash {
            walk.problems.push(ChainProblem::Unlinked { seq });
        }
        let entry = Entry {
            seq,
            kind: &kind,
            record_id: &id,
            record_revision: rev,
            op: &op,
            at: &at,
            device: &device,
            changes: &changes,
            snapshot: snapshot.as_deref(),
        };
        if entry_hash(scheme, key, &stored_prev, &entry) != hash {
            walk.problems.push(ChainProblem::Altered {
                seq,
                kind: kind.clone(),
                id: id.clone(),
            });
        }
        each(kind, id, rev, op, snapshot);
        prev_hash = hash;
        expected_seq = seq + 1;
    }
    let head = chain_head(conn)?;
    let expected_head = format!("{}:{prev_hash}", expected_seq - 1);
    match head {
        Some(h) if h == expected_head => {}
        None if walk.entries == 0 => {}
        _ => walk.problems.push(ChainProblem::NewestRemoved),
    }
    Ok(walk)
}

fn chain_head(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = 'chain_head'", [], |r| {
        r.get(0)
    })
    .optional()
}

/// The quick check run at every unlock: the newest row is the head
/// recorded in `meta`, and its MAC is right. Catches the newest entries
/// dropped and the last entry edited, in two indexed reads.
pub(crate) fn head_is_sound(conn: &Connection, chain: &Chain) -> rusqlite::Result<bool> {
    let last = conn
        .query_row(
            &format!("SELECT {SELECT_COLUMNS} FROM revisions ORDER BY seq DESC LIMIT 1"),
            [],
            read_row_raw,
        )
        .optional()?;
    Ok(match (last, chain_head(conn)?) {
        (None, None) => true,
        (Some(r), Some(h)) => {
            h == format!("{}:{}", r.seq, r.hash) && chain.mac(&r.prev_hash, &r.entry()) == r.hash
        }
        _ => false,
    })
}

impl Revision {
    /// The hashed view of a row read by `read_row_raw`.
    fn entry(&self) -> Entry<'_> {
        Entry {
            seq: self.seq,
            kind: &self.kind,
            record_id: &self.record_id,
            record_revision: self.record_revision,
            op: &self.op,
            at: &self.at,
            device: &self.device,
            changes: match &self.changes {
                Value::String(s) => s,
                _ => "",
            },
            snapshot: self.snapshot_sha256.as_deref(),
        }
    }
}

/// The MAC of the row at `seq`, if there is one: what this computer's
/// record of the vault compares against to tell a copy that was changed
/// separately from an older one.
pub(crate) fn hash_at(conn: &Connection, seq: i64) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT hash FROM revisions WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
    .optional()
}

/// The newest row's position and MAC, or `(0, GENESIS)`.
pub(crate) fn head(conn: &Connection) -> rusqlite::Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM revisions ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_owned())))
}

/// What [`upgrade_chain`] did.
#[derive(Debug)]
pub(crate) enum Upgrade {
    /// Already keyed: nothing to do.
    AlreadyKeyed,
    /// The plain chain was sound and is now keyed; that many rows.
    Sealed(u64),
    /// The plain chain already fails; nothing was changed.
    Refused(ChainProblem),
}

/// Re-chains a plain SHA-256 history with the keyed MAC, after checking
/// it: every row, contiguity, links and the head. A chain that already
/// fails is not re-chained (that would bless the damage); the caller opens
/// the vault read-only instead. One IMMEDIATE transaction: a crash leaves
/// the old chain or the new one.
pub(crate) fn upgrade_chain(conn: &Connection, chain: &Chain) -> rusqlite::Result<Upgrade> {
    if scheme(conn)? == Scheme::HmacV2 {
        return Ok(Upgrade::AlreadyKeyed);
    }
    let walk = walk_chain(conn, Scheme::Sha256V1, chain.key(), |_, _, _, _, _| {})?;
    if let Some(p) = walk.problems.into_iter().next() {
        return Ok(Upgrade::Refused(p));
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let rows: Vec<Revision> = {
            let mut stmt = conn.prepare(&format!(
                "SELECT {SELECT_COLUMNS} FROM revisions ORDER BY seq"
            ))?;
            let rows = stmt.query_map([], read_row_raw)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut prev = GENESIS.to_owned();
        let mut update =
            conn.prepare("UPDATE revisions SET prev_hash = ?1, hash = ?2 WHERE seq = ?3")?;
        for r in &rows {
            let mac = chain.mac(&prev, &r.entry());
            update.execute(params![prev, mac, r.seq])?;
            prev = mac;
        }
        if let Some(last) = rows.last() {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('chain_head', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [format!("{}:{prev}", last.seq)],
            )?;
        }
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [SCHEME_KEY, Scheme::HmacV2.as_str()],
        )?;
        Ok(rows.len() as u64)
    })();
    match result {
        Ok(n) => {
            conn.execute_batch("COMMIT")?;
            Ok(Upgrade::Sealed(n))
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The change counter and its last change, from `meta.last_change`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChangeState {
    pub counter: u64,
    pub at: Option<String>,
    pub device_name: Option<String>,
}

/// Reads the change counter (zero when the vault never changed).
pub(crate) fn change_state(conn: &Connection) -> rusqlite::Result<ChangeState> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'last_change'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let v: Value = text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    Ok(ChangeState {
        counter: v["counter"].as_u64().unwrap_or(0),
        at: v["at"].as_str().map(str::to_owned),
        device_name: v["device"].as_str().map(str::to_owned),
    })
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

/// The chain's newest row and the changes counted, as one transaction's
/// appends leave them. Every append needs the previous row's MAC, and
/// every change moves the head and the counter in `meta`; reading the head
/// and rewriting the two `meta` rows for each record was a large part of
/// an import's time (docs/benchmarks.md section 2). So a transaction
/// reads the head once, carries it here, and writes the head and the
/// counter once, in [`Tail::flush`] just before it commits: what is
/// committed is exactly what per-record writes left, and a transaction
/// that is not committed leaves nothing, as before.
///
/// The rows themselves are inserted [`BATCH`] at a time: the table's
/// `CHECK (op IN (…))` makes SQLite build a temporary table for the list
/// in every statement that inserts, and with SQLCipher's memory security
/// its teardown (every freed block overwritten) cost as much as the rest
/// of the row. Nothing reads the revisions inside a transaction that
/// writes them, and [`Tail::flush`] inserts what is left before the
/// counter; rows that fail to go in stay here, so the commit fails too.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    /// The newest row (position, MAC), once read or appended here.
    head: Option<(i64, String)>,
    /// Revisions appended and not yet counted in `meta`.
    uncounted: u64,
    /// When the newest of them was made.
    last_at: String,
    /// Rows appended and not yet inserted, oldest first.
    rows: Vec<Row>,
}

/// Revision rows inserted by one statement.
const BATCH: usize = 256;

/// One revision row waiting in a [`Tail`].
#[derive(Debug)]
struct Row {
    seq: i64,
    kind: &'static str,
    record_id: String,
    record_revision: u32,
    op: &'static str,
    at: String,
    changes: String,
    snapshot: Option<String>,
    prev_hash: String,
    hash: String,
}

const INSERT_COLUMNS: &str = "INSERT INTO revisions (seq, kind, record_id, record_revision, op, \
     at, device, changes, snapshot_sha256, prev_hash, hash) VALUES ";

impl Tail {
    /// Inserts the waiting rows: every full [`BATCH`] in one statement,
    /// and with `all`, the rest one by one.
    fn insert_rows(&mut self, conn: &Connection, chain: &Chain, all: bool) -> rusqlite::Result<()> {
        static BATCH_SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        while self.rows.len() >= BATCH {
            let sql = BATCH_SQL.get_or_init(|| {
                let rows: Vec<String> = (0..BATCH)
                    .map(|r| {
                        let n: Vec<String> = (1..=11).map(|c| format!("?{}", r * 11 + c)).collect();
                        format!("({})", n.join(", "))
                    })
                    .collect();
                format!("{INSERT_COLUMNS}{}", rows.join(", "))
            });
            let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(11 * BATCH);
            for r in &self.rows[..BATCH] {
                r.push_args(&chain.device, &mut args);
            }
            conn.prepare_cached(sql)?.execute(args.as_slice())?;
            self.rows.drain(..BATCH);
        }
        if all {
            for r in &self.rows {
                let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(11);
                r.push_args(&chain.device, &mut args);
                conn.prepare_cached(&format!(
                    "{INSERT_COLUMNS}(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ))?
                .execute(args.as_slice())?;
            }
            self.rows.clear();
        }
        Ok(())
    }

    /// Inserts the rows still waiting, then writes the head and the
    /// change counter of the revisions appended since the last flush into
    /// `meta`, in the caller's transaction.
    pub(crate) fn flush(&mut self, conn: &Connection, chain: &Chain) -> rusqlite::Result<()> {
        self.insert_rows(conn, chain, true)?;
        let Some((seq, hash)) = self.head.as_ref().filter(|_| self.uncounted > 0) else {
            return Ok(());
        };
        conn.prepare_cached(
            "INSERT INTO meta (key, value) VALUES ('chain_head', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute([format!("{seq}:{hash}")])?;
        conn.prepare_cached(
            "INSERT INTO meta (key, value)
             VALUES ('last_change', json_object('counter', ?3, 'at', ?1, 'device', ?2))
             ON CONFLICT (key) DO UPDATE SET value = json_object(
                 'counter', coalesce(json_extract(value, '$.counter'), 0) + ?3,
                 'at', ?1, 'device', ?2)",
        )?
        .execute(params![
            self.last_at,
            chain.device_name,
            i64::try_from(self.uncounted).unwrap_or(i64::MAX)
        ])?;
        self.uncounted = 0;
        Ok(())
    }
}

impl Row {
    /// The row's values in the order of [`INSERT_COLUMNS`].
    fn push_args<'a>(
        &'a self,
        device: &'a dyn rusqlite::ToSql,
        args: &mut Vec<&'a dyn rusqlite::ToSql>,
    ) {
        args.extend_from_slice(&[
            &self.seq,
            &self.kind,
            &self.record_id,
            &self.record_revision,
            &self.op,
            &self.at,
            device,
            &self.changes,
            &self.snapshot,
            &self.prev_hash,
            &self.hash,
        ]);
    }
}

/// Appends a revision in the caller's transaction, and counts the change
/// in `tail` (its row and the counter are written by [`Tail::flush`] at
/// the latest).
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    conn: &Connection,
    chain: &Chain,
    tail: &mut Tail,
    kind: Kind,
    record_id: Uuid,
    record_revision: u32,
    op: Op,
    changes: &str,
    snapshot: Option<&str>,
) -> rusqlite::Result<()> {
    let (prev_seq, prev_hash) = match &tail.head {
        Some(h) => h.clone(),
        None => head(conn)?,
    };
    let seq = prev_seq + 1;
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let changes = changes.to_owned();
    let id = record_id.to_string();
    let hash = chain.mac(
        &prev_hash,
        &Entry {
            seq,
            kind: kind.as_str(),
            record_id: &id,
            record_revision,
            op: op.as_str(),
            at: &at,
            device: &chain.device,
            changes: &changes,
            snapshot,
        },
    );
    tail.head = Some((seq, hash.clone()));
    tail.uncounted += 1;
    tail.last_at.clone_from(&at);
    tail.rows.push(Row {
        seq,
        kind: kind.as_str(),
        record_id: id,
        record_revision,
        op: op.as_str(),
        at,
        changes,
        snapshot: snapshot.map(str::to_owned),
        prev_hash,
        hash,
    });
    tail.insert_rows(conn, chain, false)
}

pub(crate) fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Revision> {
    let mut rev = read_row_raw(r)?;
    if let Value::String(s) = &rev.changes {
        if let Ok(v) = serde_json::from_str(s) {
            rev.changes = v;
        }
    }
    Ok(rev)
}

/// A row with `changes` kept as the stored text (in a `Value::String`),
/// exactly as it was hashed.
fn read_row_raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Revision> {
    let changes: String = r.get(7)?;
    Ok(Revision {
        seq: r.get(0)?,
        kind: r.get(1)?,
        record_id: r.get(2)?,
        record_revision: r.get(3)?,
        op: r.get(4)?,
        at: r.get(5)?,
        device: r.get(6)?,
        changes: Value::String(changes),
        snapshot_sha256: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

pub(crate) const SELECT_COLUMNS: &str = "seq, kind, record_id, record_revision, op, at, device, \
     changes, snapshot_sha256, prev_hash, hash";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Client, Incident, IncidentType};
    use crate::vault::test_vault_with_client;
    use crate::Vault;

    fn rows(v: &Vault) -> i64 {
        v.conn
            .query_row("SELECT count(*) FROM revisions", [], |r| r.get(0))
            .unwrap()
    }

    fn meta_head(v: &Vault) -> Option<String> {
        chain_head(&v.conn).unwrap()
    }

    fn quick(client: Uuid, facility: &str) -> Incident {
        let at = chrono::DateTime::parse_from_rfc3339("2025-03-10T09:30:00+04:00").unwrap();
        Incident::quick(client, facility, at, IncidentType::AccessDenied)
    }

    /// Many revisions in one transaction, one of its writes refused on
    /// the way (the caller carries on, as an import does with a record
    /// of another origin): the head in `meta` is the newest row, the
    /// counter counts every row, and the whole chain verifies.
    #[test]
    fn one_transaction_leaves_the_head_and_the_counter_of_all_its_revisions() {
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = test_vault_with_client(&tmp.path().join("v"));
        let before = change_state(&v.conn).unwrap().counter;
        v.write(|w| {
            let c = w.insert(Client::new("Лейла Гасанова", "C-002"))?.id;
            for place in ["Kürdəxanı İstintaq Təcridxanası", "СИЗО №1, Баку"] {
                w.insert(quick(c, place))?;
            }
            // More rows than one batch holds, so that some are inserted
            // before the commit and some by it.
            for n in 0..(BATCH + BATCH / 2) {
                w.insert(Client::new(
                    format!("Müştəri Həsənov {n}"),
                    format!("X-{n}"),
                ))?;
            }
            // Refused before anything is written; the transaction goes on.
            assert!(w.insert(quick(Uuid::new_v4(), "Şəki İVS")).is_err());
            let c2 = w.insert(Client::new("Nigar Əhmədova", "C-003"))?;
            let mut edited = c2.data.clone();
            edited.notes = "İstintaq təcridxanasında görüş".into();
            w.update(c2.id, 1, edited)?;
            Ok(())
        })
        .unwrap();
        let n = rows(&v);
        let (seq, hash) = head(&v.conn).unwrap();
        assert_eq!(seq, n);
        assert_eq!(meta_head(&v), Some(format!("{seq}:{hash}")));
        assert!(head_is_sound(&v.conn, &v.chain).unwrap());
        assert_eq!(change_state(&v.conn).unwrap().counter, n as u64);
        assert!(
            n as u64 > before + 4 + BATCH as u64,
            "{n} rows after {before}"
        );
        let r = v.verify().unwrap();
        assert!(r.is_ok(), "{:?}", r.problems);
    }

    /// A transaction that fails after appending revisions leaves the
    /// history, its head and the counter as they were.
    #[test]
    fn a_transaction_that_fails_leaves_the_head_and_the_counter_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let (v, _) = test_vault_with_client(&tmp.path().join("v"));
        let (rows_before, head_before) = (rows(&v), meta_head(&v));
        let counter_before = change_state(&v.conn).unwrap();
        let failed = v.write(|w| {
            let c = w.insert(Client::new("Лейла Гасанова", "C-002"))?.id;
            w.insert(quick(c, "Kürdəxanı İstintaq Təcridxanası"))?;
            for n in 0..(2 * BATCH) {
                w.insert(Client::new(
                    format!("Müştəri Həsənov {n}"),
                    format!("X-{n}"),
                ))?;
            }
            w.insert(quick(Uuid::new_v4(), "Şəki İVS"))?;
            Ok(())
        });
        assert!(failed.is_err());
        assert_eq!(rows(&v), rows_before);
        assert_eq!(meta_head(&v), head_before);
        assert_eq!(change_state(&v.conn).unwrap(), counter_before);
        // The next transaction chains on from the committed head.
        v.insert(Client::new("Nigar Əhmədova", "C-003")).unwrap();
        assert!(head_is_sound(&v.conn, &v.chain).unwrap());
        assert_eq!(
            change_state(&v.conn).unwrap().counter,
            counter_before.counter + 1
        );
        assert!(v.verify().unwrap().is_ok());
    }
}
