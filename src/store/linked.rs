//! Evidence notes found by the incidents they document.
//!
//! A note lists its incidents inside its JSON (`incident_ids`; a note
//! stored before notes could document several says `incident_id`, and is
//! read as it was stored: see `model::EvidenceNote`), not in an indexed
//! column, so the store looks into each evidence note's JSON. Notes are
//! few beside incidents, and the query reads only rows of that kind.

use super::SqlFilter;
use crate::error::Result;
use crate::model::{EvidenceNote, Kind, Stored};
use crate::vault::Vault;
use uuid::Uuid;

impl Vault {
    /// The evidence notes that document at least one of `incidents`
    /// (whatever else they document), newest first by when they were
    /// obtained, as lists are.
    pub fn evidence_of_incidents(&self, incidents: &[Uuid]) -> Result<Vec<Stored<EvidenceNote>>> {
        if incidents.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<String> = incidents.iter().map(Uuid::to_string).collect();
        let mut q = SqlFilter::new(
            "SELECT id, revision, created_at, updated_at, data FROM records WHERE kind = ?1",
            Kind::Evidence.as_str(),
        );
        q.and(
            "(EXISTS (SELECT 1 FROM json_each(data, '$.incident_ids') AS l
                      WHERE l.value IN (SELECT value FROM json_each(?)))
              OR json_extract(data, '$.incident_id') IN (SELECT value FROM json_each(?)))",
            serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()),
        );
        q.sql.push_str(" ORDER BY at DESC, seq DESC");
        let mut out = Vec::new();
        self.each_in(Kind::Evidence, q, |r| {
            out.push(r.decode()?);
            Ok::<_, crate::error::Error>(())
        })?;
        Ok(out)
    }
}
