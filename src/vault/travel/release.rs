//! The custodian's side: read a request, confirm its code, release a share.
//!
//! Runs on the custodian's machine with no vault at all: the request holds
//! everything needed, and the only secret used is the custodian's own age
//! identity. What the custodian learns is a share of a key (by itself
//! useless when K ≥ 2) and the vault's id; never a record.

use super::error::TravelError;
use super::formats::{self, ReleaseFile, ReleasePayload, RequestFile, ShareText};
use super::{Custodian, Result};
use std::path::Path;
use std::str::FromStr;

/// What a custodian is shown before releasing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestInfo {
    /// The vault asking.
    pub vault_id: String,
    /// The code the lawyer must read out; compare before releasing.
    pub code: String,
    /// When the request was made (RFC 3339).
    pub created_at: String,
    /// How many custodians must release.
    pub threshold: u8,
    /// All custodians of the seal.
    pub custodians: Vec<Custodian>,
}

/// What a release wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReleaseReceipt {
    /// The custodian whose share was released, as the lawyer named them.
    pub custodian: String,
    /// The vault it was released for.
    pub vault_id: String,
}

fn parse_request(path: &Path) -> Result<RequestFile> {
    let bytes = formats::read_small(path)?;
    let bad = || TravelError::NotTravelFile {
        path: path.into(),
        what: "request",
    };
    let req: RequestFile = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if req.format != formats::REQUEST_FORMAT || req.version != formats::VERSION {
        return Err(bad());
    }
    Ok(req)
}

fn code_of(req: &RequestFile) -> String {
    formats::confirmation_code(
        &req.vault_id,
        &req.seal_id,
        &req.request_id,
        &req.one_time_public_key,
    )
}

/// Reads a request and computes its confirmation code.
pub fn read_request(path: &Path) -> Result<RequestInfo> {
    let req = parse_request(path)?;
    Ok(RequestInfo {
        vault_id: req.vault_id.to_string(),
        code: code_of(&req),
        created_at: req
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        threshold: req.threshold,
        custodians: req
            .shares
            .iter()
            .map(|s| Custodian {
                name: s.custodian.clone(),
                fingerprint: s.fingerprint.clone(),
            })
            .collect(),
    })
}

/// Releases the share sealed to the custodian whose age identity is in
/// `identity_file`, re-encrypted to the request's one-time key, into `out`.
///
/// `confirmed_code` is the code the lawyer read out; it must match the
/// request's, or nothing is written.
pub fn release(
    request: &Path,
    identity_file: &Path,
    confirmed_code: &str,
    out: &Path,
) -> Result<ReleaseReceipt> {
    let req = parse_request(request)?;
    if formats::normalize_code(confirmed_code) != formats::normalize_code(&code_of(&req)) {
        return Err(TravelError::CodeMismatch);
    }
    let one_time =
        age::x25519::Recipient::from_str(req.one_time_public_key.trim()).map_err(|_| {
            TravelError::NotTravelFile {
                path: request.into(),
                what: "request",
            }
        })?;
    let identity = crate::import::read_identity(identity_file)
        .map_err(|_| TravelError::BadIdentity(identity_file.into()))?;
    let mut mine = None;
    for s in &req.shares {
        if let Ok(plain) = formats::unseal(&identity, &s.sealed) {
            mine = Some((s, plain));
            break;
        }
    }
    let (entry, plain) = mine.ok_or_else(|| TravelError::NotACustodian(identity_file.into()))?;
    let share: ShareText =
        serde_json::from_slice(&plain).map_err(|_| TravelError::ShareMismatch(request.into()))?;
    if share.format != formats::SHARE_FORMAT
        || share.vault_id != req.vault_id
        || share.seal_id != req.seal_id
        || share.index != entry.index
    {
        return Err(TravelError::ShareMismatch(request.into()));
    }
    let payload = ReleasePayload {
        vault_id: req.vault_id,
        seal_id: req.seal_id,
        request_id: req.request_id,
        index: share.index,
        share: share.share.clone(),
    };
    let payload_json = zeroize::Zeroizing::new(
        serde_json::to_vec(&payload).map_err(|e| TravelError::Crypto(e.to_string()))?,
    );
    let file = ReleaseFile {
        format: formats::RELEASE_FORMAT.into(),
        version: formats::VERSION,
        vault_id: req.vault_id,
        seal_id: req.seal_id,
        request_id: req.request_id,
        index: share.index,
        custodian: share.custodian.clone(),
        payload: formats::seal_to(&one_time, &payload_json)?,
    };
    let json = serde_json::to_vec_pretty(&file).map_err(|e| TravelError::Crypto(e.to_string()))?;
    std::fs::write(out, json).map_err(|source| TravelError::Io {
        path: out.into(),
        source,
    })?;
    Ok(ReleaseReceipt {
        custodian: share.custodian.clone(),
        vault_id: req.vault_id.to_string(),
    })
}
