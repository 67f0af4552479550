//! The JSON incident log (`docs/formats/incident-log.md`, schema
//! `docs/schema/incident-log.v1.schema.json`).
//!
//! Records keep the vault's ids and revision numbers, so an NGO that
//! imports a later export updates what it already has instead of adding
//! duplicates. Each record has the same flat shape as `Stored<T>` (and as
//! `vekil incident add --json`), minus the fields the profile removed.

use super::{ExportError, ExportSet, Result};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// The `format` value of every incident log.
pub const FORMAT: &str = "vekil-incident-log";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Source<'a> {
    vault_id: &'a str,
    signing_key_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Log<'a> {
    format: &'static str,
    version: u32,
    generated_at: String,
    profile: &'static str,
    recipients: &'a [String],
    source: Source<'a>,
    clients: Vec<Value>,
    cases: Vec<Value>,
    incidents: Vec<Value>,
    evidence: Vec<Value>,
}

/// Writes the log. `signing_key_id` is the minisign key id (16 hex
/// digits) when the log goes into a signed bundle.
pub fn write(set: &ExportSet, signing_key_id: Option<&str>, out: impl Write) -> Result<()> {
    let log = Log {
        format: FORMAT,
        version: VERSION,
        generated_at: set
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        profile: set.profile.as_str(),
        recipients: &set.recipients,
        source: Source {
            vault_id: &set.vault_id,
            signing_key_id,
        },
        clients: set
            .clients
            .iter()
            .map(|o| o.to_value())
            .collect::<Result<_>>()?,
        cases: set
            .cases
            .iter()
            .map(|o| o.to_value())
            .collect::<Result<_>>()?,
        incidents: set
            .incidents
            .iter()
            .map(|o| o.to_value())
            .collect::<Result<_>>()?,
        evidence: set
            .evidence
            .iter()
            .map(|o| o.to_value())
            .collect::<Result<_>>()?,
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &log).map_err(|e| ExportError::Serialise {
        what: "the incident log".into(),
        reason: e.to_string(),
    })?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .map_err(super::io_err("incident log"))
}
