//! A transaction's full-text rows, written in the order FTS5 wants them.
//!
//! A record's row in `search_fts` has rowid `-records.seq`, so that search's
//! newest-first order is FTS5's ascending order (migration
//! `0007_search_newest_first`, `docs/design/search.md`). New records get
//! ever larger `seq`, hence ever smaller rowids, and FTS5 writes out its
//! pending terms as a new index segment whenever a rowid goes down: an
//! import of 10,000 records written as they come would leave 10,000
//! one-record segments to merge. So a [`Writer`](super::Writer) queues
//! its rows here and writes them in ascending rowid, a batch at a time
//! (memory stays bounded in an import of any size) and at commit, inside
//! the same transaction: a crash still keeps the record, its row and its
//! revision together or none of them.

use crate::search::IndexEntry;
use rusqlite::{params, Transaction};
use std::collections::BTreeMap;

/// Rows queued before they are written: about what FTS5 itself holds in
/// memory before writing a segment (1 MB of terms by default).
const BATCH: usize = 1000;

/// What happens to one rowid.
struct Pending {
    /// The row that may be there from before is removed first.
    delete: bool,
    /// The new row, if any.
    insert: Option<IndexEntry>,
}

/// Rows queued by rowid, ascending.
#[derive(Default)]
pub(super) struct SearchRows(BTreeMap<i64, Pending>);

/// The rowid of a record's full-text row.
fn rowid(seq: i64) -> i64 {
    -seq
}

impl SearchRows {
    /// Queues the row of the record at `seq`: `replace` when it may have
    /// one already, `entry` the new one (none: the record is deleted).
    /// Writes the queue when it is full.
    pub(super) fn queue(
        &mut self,
        tx: &Transaction<'_>,
        seq: i64,
        replace: bool,
        entry: Option<IndexEntry>,
    ) -> rusqlite::Result<()> {
        let p = self.0.entry(rowid(seq)).or_insert(Pending {
            delete: false,
            insert: None,
        });
        p.delete |= replace;
        p.insert = entry;
        if self.0.len() >= BATCH {
            self.write(tx)?;
        }
        Ok(())
    }

    /// Writes every queued row, lowest rowid first.
    pub(super) fn write(&mut self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        for (rowid, p) in std::mem::take(&mut self.0) {
            if p.delete {
                tx.prepare_cached("DELETE FROM search_fts WHERE rowid = ?1")?
                    .execute([rowid])?;
            }
            if let Some(e) = p.insert {
                tx.prepare_cached(
                    "INSERT INTO search_fts (rowid, title, body, terms) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![rowid, e.title, e.body, e.terms])?;
            }
        }
        Ok(())
    }
}
