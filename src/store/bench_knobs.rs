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
    /// the newest incident's records row (under a new id), its full-text
    /// row, a revision row and the two `meta` counters, with cached
    /// statements in one transaction each, and none of Vekil's own work
    /// (no validation, JSON, NFC, search keys or MAC: the revision reuses
    /// the newest one's text, so the history of this vault no longer
    /// verifies). The benchmark compares a save with it to tell the cost
    /// of the rows a save keeps from the cost of the code that makes them.
    pub fn bench_engine_rows(&self, commits: usize) -> crate::Result<Vec<std::time::Duration>> {
        use rusqlite::params;
        type Rec = (String, i64, String, String, Option<String>, Option<String>);
        type Rest = (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (seq, rec, rest, data, origin): (i64, Rec, Rest, String, String) =
            self.conn.query_row(
                "SELECT seq, kind, revision, created_at, updated_at, client_id, case_id,
                    at, facility, subtype, status, data, origin
             FROM records WHERE kind = 'incident' ORDER BY seq DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        (
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ),
                        (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?),
                        r.get(11)?,
                        r.get(12)?,
                    ))
                },
            )?;
        let fts: (String, String, String) = self.conn.query_row(
            "SELECT title, body, terms FROM search_fts WHERE rowid = ?1",
            [-seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        type Rev = (i64, String, String, i64, String, String);
        type RevRest = (String, String, Option<String>, String, String);
        let (rev, rev_rest): (Rev, RevRest) = self.conn.query_row(
            "SELECT seq, kind, record_id, record_revision, op, at,
                    device, changes, snapshot_sha256, prev_hash, hash
             FROM revisions ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok((
                    (
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ),
                    (r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?),
                ))
            },
        )?;
        let mut times = Vec::with_capacity(commits);
        for i in 0..commits {
            let id = uuid::Uuid::new_v4().to_string();
            let rev_seq = rev.0 + 1 + i as i64;
            let head = format!("{rev_seq}:{}", rev_rest.4);
            let start = std::time::Instant::now();
            let tx = self.conn.unchecked_transaction()?;
            tx.prepare_cached(
                "INSERT INTO records (kind, id, revision, created_at, updated_at, client_id, case_id,
                                      at, facility, subtype, status, data, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                rec.0, id, rec.1, rec.2, rec.3, rec.4, rec.5, rest.0, rest.1, rest.2, rest.3,
                data, origin
            ])?;
            let new_seq = tx.last_insert_rowid();
            tx.prepare_cached(
                "INSERT INTO search_fts (rowid, title, body, terms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![-new_seq, fts.0, fts.1, fts.2])?;
            tx.prepare_cached(
                "INSERT INTO revisions (seq, kind, record_id, record_revision, op,
                     at, device, changes, snapshot_sha256, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                rev_seq, rev.1, id, rev.3, rev.4, rev.5, rev_rest.0, rev_rest.1, rev_rest.2,
                rev_rest.3, rev_rest.4
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
            .execute(params![rev.5, rev_rest.0])?;
            tx.commit()?;
            times.push(start.elapsed());
        }
        Ok(times)
    }
}
