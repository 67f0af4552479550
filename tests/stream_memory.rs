//! Exports and imports run in bounded memory (issue 14).
//!
//! Its own test binary, with one test, so that no other test's memory is
//! counted: the peak resident memory (`VmHWM`) is reset once the vault is
//! made, then a bundle of 10,000 incidents is written and imported into a
//! second vault. The in-memory design grew by about 12 KiB per incident
//! (the log as JSON values, then as bytes, then parsed back whole): 247 MiB
//! measured at 20,000 incidents on the code before streaming, so some
//! 124 MiB at 10,000; streamed, the growth is the databases' page caches
//! and fixed buffers (63 MiB measured at 10,000, 93 MiB at 20,000).
//! 10,000 rather than 20,000 keeps this unoptimised test near three
//! minutes in CI instead of six; `benches/export.rs` measures 100,000.

mod common;
mod export_support;

use export_support::*;
use vekil::export;

const INCIDENTS: usize = 10_000;
/// Growth allowed: both vaults' page caches and fixed buffers, not the
/// data (between the streamed 63 MiB and the in-memory ~124 MiB).
const BOUND_MIB: u64 = 100;

#[test]
fn a_bundle_of_20000_incidents_is_written_and_imported_in_bounded_memory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = generated_vault(&tmp.path().join("lawyer"), INCIDENTS, false);
    let ngo_key = tmp.path().join("ngo-key.txt");
    let ngo_public = vekil::import::keygen(&ngo_key).expect("keygen");
    export::recipients::add(&g.vault, NGO, &ngo_public).expect("recipient");
    let lawyer_key = export::signing::public_key_line(
        &export::signing::SigningKey::load_or_create(&g.vault)
            .expect("signing key")
            .public,
    );
    let ngo = new_vault(&tmp.path().join("ngo"));
    vekil::import::signers::trust(&ngo, "Lawyer", &lawyer_key).expect("trust");
    let identity = vekil::import::read_identity(&ngo_key).expect("identity");

    // The peak so far is the vault's making: start counting from here.
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak");
    let before = common::status_kib("VmRSS:");

    let out = tmp.path().join("bundle.age");
    let mut req = export::ExportRequest::new(export::ExportFormat::Bundle, export::Profile::Ngo);
    req.recipients = vec![NGO.into()];
    req.accept_all_hits = true;
    let done = export::request::write(&g.vault, &req, &out, false, &mut |_| {}).expect("export");
    assert!(
        done.incidents > INCIDENTS * 3 / 4,
        "{} incidents left",
        done.incidents
    );
    let report = vekil::import::import(&ngo, &out, &identity, &Default::default()).expect("import");
    assert_eq!(report.counts["incident"]["added"], done.incidents);

    let growth_mib = common::status_kib("VmHWM:").saturating_sub(before) / 1024;
    eprintln!("peak memory grew by {growth_mib} MiB for {INCIDENTS} incidents");
    assert!(
        growth_mib < BOUND_MIB,
        "peak memory grew by {growth_mib} MiB, more than {BOUND_MIB} MiB"
    );
}
