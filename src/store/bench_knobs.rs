//! Switches that turn parts of the write path off, for `benches/vault.rs`
//! to measure what each part of a save costs. Compiled only with the
//! `bench-baseline` feature, which the app and the CLI never enable: a
//! vault written with any switch on is not a valid vault.

use std::sync::atomic::{AtomicU8, Ordering};

static PARTS: AtomicU8 = AtomicU8::new(0);

const FTS: u8 = 1;
const REVISION: u8 = 2;
const CHECKS: u8 = 4;

/// Turns the parts of the write path off (`true`) or back on.
pub fn set(fts: bool, revision: bool, checks: bool) {
    let bits = (fts as u8 * FTS) | (revision as u8 * REVISION) | (checks as u8 * CHECKS);
    PARTS.store(bits, Ordering::Relaxed);
}

pub(crate) fn get() -> super::BenchParts {
    let b = PARTS.load(Ordering::Relaxed);
    super::BenchParts {
        fts: b & FTS != 0,
        revision: b & REVISION != 0,
        checks: b & CHECKS != 0,
    }
}

impl crate::Vault {
    /// Runs pragmas on the vault's connection (the benchmark compares
    /// commit settings).
    pub fn bench_pragmas(&self, sql: &str) -> crate::Result<()> {
        if !sql.is_empty() {
            self.conn.execute_batch(sql)?;
        }
        Ok(())
    }

    /// The one number `sql` returns (the benchmark reads the index's
    /// size from `dbstat`).
    pub fn bench_number(&self, sql: &str) -> crate::Result<f64> {
        Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
    }
}

impl crate::Vault {
    /// The engine alone writing what one save writes, `commits` times:
    /// a records row (one of the newest incidents, each commit another,
    /// under a new id), its full-text row, a revision row and the two
    /// `meta` counters, with cached statements in one transaction each,
    /// and none of Vekil's own work (no validation, JSON, NFC, search keys
    /// or MAC: the revision reuses the newest one's hashes, so the history
    /// of this vault no longer verifies). The benchmark compares a save
    /// with it to tell the cost of the rows a save keeps from the cost of
    /// the code that makes them. Distinct rows, because FTS5's merges cost
    /// more when every row brings its own words.
    pub fn bench_engine_rows(&self, commits: usize) -> crate::Result<Vec<std::time::Duration>> {
        use rusqlite::types::Value;
        // Per commit: the records row's 12 columns after `id`, then the
        // full-text row's title, body and terms.
        let templates: Vec<Vec<Value>> = self
            .conn
            .prepare(
                "SELECT r.kind, r.revision, r.created_at, r.updated_at, r.client_id, r.case_id,
                        r.at, r.facility, r.subtype, r.status, r.data, r.origin,
                        f.title, f.body, f.terms
                 FROM records r JOIN search_fts f ON f.rowid = -r.seq
                 WHERE r.kind = 'incident' ORDER BY r.seq DESC LIMIT ?1",
            )?
            .query_map([commits as i64], |r| {
                (0..15).map(|i| r.get::<_, Value>(i)).collect()
            })?
            .collect::<rusqlite::Result<_>>()?;
        if templates.is_empty() {
            // No incident to copy, nothing to write.
            return Ok(vec![]);
        }
        // The newest revision: its seq and hash, and the columns reused
        // (op, at, device, snapshot_sha256, prev_hash, hash).
        let (last_seq, hash, last): (i64, String, Vec<Value>) = self.conn.query_row(
            "SELECT seq, hash, op, at, device, snapshot_sha256, prev_hash, hash
             FROM revisions ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                let reused: rusqlite::Result<Vec<Value>> =
                    (2..8).map(|i| r.get::<_, Value>(i)).collect();
                Ok((r.get(0)?, r.get(1)?, reused?))
            },
        )?;
        let mut times = Vec::with_capacity(commits);
        for i in 0..commits {
            let t = &templates[i % templates.len()];
            let id = Value::Text(uuid::Uuid::new_v4().to_string());
            let rev_seq = last_seq + 1 + i as i64;
            let head = format!("{rev_seq}:{hash}");
            let start = std::time::Instant::now();
            let tx = self.conn.unchecked_transaction()?;
            let mut row: Vec<&dyn rusqlite::ToSql> = vec![&t[0], &id];
            row.extend(t[1..12].iter().map(|v| v as &dyn rusqlite::ToSql));
            tx.prepare_cached(
                "INSERT INTO records (kind, id, revision, created_at, updated_at, client_id, case_id,
                                      at, facility, subtype, status, data, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(row.as_slice())?;
            let new_seq = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO search_fts (rowid, title, body, terms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(rusqlite::params![-new_seq, t[12], t[13], t[14]])?;
            tx.prepare_cached(
                "INSERT INTO revisions (seq, kind, record_id, record_revision, op,
                     at, device, changes, snapshot_sha256, prev_hash, hash)
                 VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(rusqlite::params![
                rev_seq, t[0], id, last[0], last[1], last[2], t[10], last[3], last[4], last[5]
            ])?;
            tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('chain_head', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([head])?;
            tx.prepare_cached(
                "INSERT INTO meta (key, value)
                 VALUES ('last_change', json_object('counter', 1, 'at', ?1, 'device', ?2))
                 ON CONFLICT (key) DO UPDATE SET value = json_object(
                     'counter', coalesce(json_extract(value, '$.counter'), 0) + 1,
                     'at', ?1, 'device', ?2)",
            )?
            .execute(rusqlite::params![last[1], last[2]])?;
            tx.commit()?;
            times.push(start.elapsed());
        }
        Ok(times)
    }
}
