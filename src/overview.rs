//! What the client page shows: one client and everything recorded about
//! them, gathered in one call so the desktop shell stays a thin adapter.

use crate::error::Result;
use crate::model::{Case, Client, EvidenceNote, Hearing, Incident, Stored};
use crate::store::ListFilter;
use crate::vault::Vault;
use serde::Serialize;
use uuid::Uuid;

/// A client with their cases, the hearings of those cases, their
/// incidents (newest first) and evidence notes. In TypeScript each field is
/// `T & RecordMeta` (ts-rs cannot express the flattened generic).
#[derive(Debug, Clone, Serialize)]
pub struct ClientOverview {
    /// The client.
    pub client: Stored<Client>,
    /// Cases that list the client.
    pub cases: Vec<Stored<Case>>,
    /// Hearings of those cases, soonest first.
    pub hearings: Vec<Stored<Hearing>>,
    /// Incidents about the client, newest first.
    pub incidents: Vec<Stored<Incident>>,
    /// Evidence notes linked to the client.
    pub evidence: Vec<Stored<EvidenceNote>>,
}

impl Vault {
    /// Everything recorded about one client.
    pub fn client_overview(&self, client_id: Uuid) -> Result<ClientOverview> {
        let all = |f: ListFilter| ListFilter {
            limit: Some(u32::MAX),
            ..f
        };
        let client = self.get::<Client>(client_id)?;
        let of_client = all(ListFilter {
            client_id: Some(client_id),
            ..Default::default()
        });
        let cases = self.list::<Case>(&of_client)?;
        let mut hearings = Vec::new();
        for c in &cases {
            let f = all(ListFilter {
                case_id: Some(c.id),
                oldest_first: true,
                ..Default::default()
            });
            hearings.extend(self.list::<Hearing>(&f)?);
        }
        hearings.sort_by_key(|h| h.data.at);
        Ok(ClientOverview {
            client,
            cases,
            hearings,
            incidents: self.list::<Incident>(&of_client)?,
            evidence: self.list::<EvidenceNote>(&of_client)?,
        })
    }
}
