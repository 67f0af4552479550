//! Numbered, forward-only schema migrations.
//!
//! Each file in `migrations/` is embedded at build time, run in its own
//! IMMEDIATE transaction, and recorded in `PRAGMA user_version`. Shipped
//! files are never edited. A database newer than this build is refused
//! rather than risk writing a schema it does not understand.

use super::error::{Result, VaultError};
use rusqlite::Connection;

/// Every migration in order; index + 1 is the schema version it produces.
pub(crate) const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_exports",
        include_str!("../../migrations/0002_exports.sql"),
    ),
    (
        "0003_signers_and_origin",
        include_str!("../../migrations/0003_signers_and_origin.sql"),
    ),
    (
        "0004_keyed_chain",
        include_str!("../../migrations/0004_keyed_chain.sql"),
    ),
    (
        "0005_search_keys",
        include_str!("../../migrations/0005_search_keys.sql"),
    ),
    (
        "0006_facility_register",
        include_str!("../../migrations/0006_facility_register.sql"),
    ),
    (
        "0007_search_newest_first",
        include_str!("../../migrations/0007_search_newest_first.sql"),
    ),
    (
        "0008_search_merge_at_eight",
        include_str!("../../migrations/0008_search_merge_at_eight.sql"),
    ),
];

/// Schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings `conn` up to `target` (normally [`SCHEMA_VERSION`]).
pub(crate) fn migrate_to(conn: &mut Connection, target: i64) -> Result<()> {
    // SQL functions migrations call to run Rust code (0003 rebuilds the
    // search index with the code a save uses).
    crate::search::register_sql_functions(conn)?;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(VaultError::FromFuture {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, (_name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current || version > target {
            continue;
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vault at every earlier schema version, holding data, upgrades to
    /// the current one with its data intact.
    #[test]
    fn every_earlier_version_upgrades_with_data_intact() {
        for from in 0..SCHEMA_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_to(&mut conn, from).unwrap();
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, from);
            if from >= 1 {
                conn.execute(
                    "INSERT INTO records (kind, id, revision, created_at, updated_at, data)
                     VALUES ('client', 'x', 1, 't', 't', '{}')",
                    [],
                )
                .unwrap();
            }
            migrate_to(&mut conn, SCHEMA_VERSION).unwrap();
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, SCHEMA_VERSION, "from {from}");
            if from >= 1 {
                let n: i64 = conn
                    .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(n, 1, "data lost upgrading from {from}");
            }
            // Running again is a no-op.
            migrate_to(&mut conn, SCHEMA_VERSION).unwrap();
        }
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        assert!(matches!(
            migrate_to(&mut conn, SCHEMA_VERSION),
            Err(VaultError::FromFuture { .. })
        ));
    }
}
