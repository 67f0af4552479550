//! What the client page shows: one client and everything recorded about
//! them, gathered in one call so the desktop shell stays a thin adapter.

use crate::error::Result;
use crate::model::{Case, Client, EvidenceNote, Hearing, Incident, Kind, Stored};
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
    /// The newest [`INCIDENT_PAGE`] incidents about the client, newest
    /// first; [`Vault::client_incidents`] gives the next pages.
    pub incidents: Vec<Stored<Incident>>,
    /// How many incidents the client has in all.
    pub incident_total: u64,
    /// Evidence notes linked to the client.
    pub evidence: Vec<Stored<EvidenceNote>>,
}

/// How many incidents the client page shows at first, and adds per "Show
/// more". A client held for years can have a thousand incidents; reading
/// and drawing them all made opening the page take 260 ms (issue 12.8),
/// while a lawyer looks at the newest first. 50 rows are more than two
/// screens at 1280×800; with 100, opening the page was 104 ms the first
/// time and 73 ms after (median) on a software renderer, with 50 73–82 and
/// 63–64 ms (docs/benchmarks.md section 3).
pub const INCIDENT_PAGE: u32 = 50;

impl Vault {
    /// One page of a client's incidents, newest first, from `offset`.
    pub fn client_incidents(&self, client_id: Uuid, offset: u32) -> Result<Vec<Stored<Incident>>> {
        self.list::<Incident>(&ListFilter {
            client_id: Some(client_id),
            limit: Some(INCIDENT_PAGE),
            offset: Some(offset),
            ..Default::default()
        })
    }

    /// Everything recorded about one client, with the first page of their
    /// incidents.
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
            incidents: self.client_incidents(client_id, 0)?,
            incident_total: self.count_of_client(Kind::Incident, client_id)?,
            evidence: self.list::<EvidenceNote>(&of_client)?,
        })
    }
}
