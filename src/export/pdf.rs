//! PDF reports (placeholder).
use super::{ExportSet, Result};
use std::io::Write;
/// Writes the incident log report.
pub fn write_log(_set: &ExportSet, _manifest_sha: Option<&str>, _out: impl Write) -> Result<()> {
    Err(super::ExportError::Pdf("not built yet".into()))
}
