//! `verify-vault`: proves the vault is whole and unaltered.
//!
//! Checks, in order: SQLCipher's page authentication over every page, the
//! SQLite structure, the revision chain (contiguous, each keyed MAC
//! recomputed, each link to its predecessor, the head recorded in `meta`),
//! that every live record is exactly what its last revision recorded, and
//! that every attachment decrypts to the bytes whose SHA-256 was recorded
//! at intake. A chain still in the first release's plain SHA-256 scheme
//! (a vault opened read-only before its first upgrade) is checked as such.

use super::revisions::{self, sha256_hex};
use crate::error::Result;
use crate::model::{EvidenceNote, Stored};
use crate::vault::Vault;
use std::collections::HashMap;

/// What `verify` found.
#[derive(Debug, Clone, Default, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct VerifyReport {
    /// Records checked.
    #[ts(type = "number")]
    pub records: u64,
    /// Revisions in the chain.
    #[ts(type = "number")]
    pub revisions: u64,
    /// Attachments decrypted and hashed.
    #[ts(type = "number")]
    pub attachments: u64,
    /// Everything wrong, one sentence each. Empty means intact.
    pub problems: Vec<String>,
}

impl VerifyReport {
    /// Nothing wrong was found.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Vault {
    /// Checks the whole vault; problems are reported, not raised, so one
    /// damaged record does not hide the others.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.name_damage(self.verify_inner())
    }

    /// The history part of [`Vault::verify`] alone: the chain and every
    /// live record against it, without the page check or the attachments.
    /// A restore runs it on the vault it has just written, whose pages
    /// are new and whose attachments were hashed on the way in.
    pub(crate) fn verify_history(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        self.name_damage(self.check_history(&mut report))?;
        Ok(report)
    }

    fn verify_inner(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let db = self.db_path();
        let db = db.display();

        let mut stmt = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        let cipher: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()
            .unwrap_or_else(|e| vec![e.to_string()]);
        for p in cipher {
            report
                .problems
                .push(format!("{db}: page authentication failed: {p}"));
        }
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap_or_else(|e| e.to_string());
        if integrity != "ok" {
            report
                .problems
                .push(format!("{db}: structure check failed: {integrity}"));
        }

        self.check_history(&mut report)?;

        // Attachments.
        let notes: Vec<Stored<EvidenceNote>> = self.list(&crate::store::ListFilter {
            limit: Some(u32::MAX),
            ..Default::default()
        })?;
        for note in notes {
            for a in &note.data.attachments {
                report.attachments += 1;
                if let Err(e) = self.copy_attachment(&a.sha256, &mut std::io::sink()) {
                    report
                        .problems
                        .push(format!("{} (in evidence {}): {e}", a.file_name, note.id));
                }
            }
        }
        Ok(report)
    }

    /// The revision chain, and every live record against its last revision.
    fn check_history(&self, report: &mut VerifyReport) -> Result<()> {
        // The chain.
        let mut last: HashMap<(String, String), (u32, String, Option<String>)> = HashMap::new();
        let scheme = revisions::scheme(&self.conn)?;
        let walk = revisions::walk_chain(
            &self.conn,
            scheme,
            self.chain.key(),
            |kind, id, rev, op, snapshot| {
                last.insert((kind, id), (rev, op, snapshot));
            },
        )?;
        report.revisions = walk.entries;
        report
            .problems
            .extend(walk.problems.iter().map(ToString::to_string));

        // Records against their last revision.
        {
            let mut stmt = self
                .conn
                .prepare("SELECT kind, id, revision, data FROM records")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let kind: String = r.get(0)?;
                let id: String = r.get(1)?;
                let rev: u32 = r.get(2)?;
                let data: String = r.get(3)?;
                report.records += 1;
                match last.remove(&(kind.clone(), id.clone())) {
                    None => report.problems.push(format!(
                        "{kind} {id} has no history: it was added behind Vekil's back"
                    )),
                    Some((hrev, op, snap)) => {
                        if op == "delete"
                            || hrev != rev
                            || snap.as_deref() != Some(&sha256_hex(data.as_bytes()))
                        {
                            report.problems.push(format!(
                                "{kind} {id} differs from its recorded history: it was altered"
                            ));
                        }
                    }
                }
            }
        }
        for ((kind, id), (_, op, _)) in last {
            if op != "delete" {
                report
                    .problems
                    .push(format!("{kind} {id} was removed without a trace in Vekil"));
            }
        }
        Ok(())
    }
}
