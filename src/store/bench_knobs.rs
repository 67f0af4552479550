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
