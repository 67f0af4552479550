//! A lock stops long work: a bundle export, an import and attachment
//! streaming check the vault's cancel flag between records and chunks,
//! return `Cancelled`, and leave no output file and no change behind.
//! (Issue 10, point 1: the desktop app's lock must not wait behind them.)

mod export_support;

use export_support::*;
use std::io::Write;
use std::path::Path;
use vekil::cancel::CancelError;
use vekil::export::{self, ExportError, Phase};
use vekil::import::{self, ImportError};
use vekil::model::{EvidenceNote, Kind};

/// Files in `dir`, by name (the export's folder, the vault's attachments).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A transcript of `len` bytes that starts with a name, so each attachment
/// differs; plain text, so it leaves an NGO export as it is (see
/// docs/formats/attachments.md) and the export has attachments to copy.
fn scan(name: &str, len: usize) -> Vec<u8> {
    let mut out = name.as_bytes().to_vec();
    let mut n = 0u32;
    while out.len() < len {
        n += 1;
        out.extend_from_slice(
            format!("{name} sətir {n}: həbs protokolu / строка {n}\n").as_bytes(),
        );
    }
    let mut cut = len;
    while std::str::from_utf8(&out[..cut]).is_err() {
        cut -= 1;
    }
    out.truncate(cut);
    out
}

/// The fixture plus three scans of 300 KiB on the exported incident.
fn fixture_with_scans() -> Fixture {
    let f = fixture();
    let mut ev = EvidenceNote::new("Skan: həbs protokolu / Протокол задержания");
    ev.incident_ids = vec![f.inc_consented];
    let ev = f.vault.insert(ev).expect("evidence");
    for (i, name) in ["protokol-1.txt", "protokol-2.txt", "протокол-3.txt"]
        .iter()
        .enumerate()
    {
        f.vault
            .attach(ev.id, name, &scan(&format!("scan {i} "), 300 * 1024))
            .expect("attach scan");
    }
    f
}

#[test]
fn a_lock_during_a_bundle_export_stops_it_and_leaves_no_file() {
    let f = fixture_with_scans();
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let out_dir = f.tmp.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let out = out_dir.join("mart.vekil.age");
    let cancel = f.vault.cancel_handle();
    let mut phases = vec![];
    // The lock comes while the first attachment is being copied.
    let result = export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        true,
        export::Lang::En,
        &out,
        false,
        &mut |p: export::Progress| {
            phases.push(p.phase);
            if p.phase == Phase::Attachments {
                cancel.cancel();
            }
        },
    );
    assert!(
        matches!(result, Err(ExportError::Cancelled(CancelError::Cancelled))),
        "expected Cancelled, got {result:?}"
    );
    assert_eq!(
        phases.iter().filter(|p| **p == Phase::Attachments).count(),
        1,
        "the export went on copying attachments after the lock: {phases:?}"
    );
    assert!(!phases.contains(&Phase::Done));
    assert_eq!(names(&out_dir), Vec::<String>::new(), "output left behind");
}

#[test]
fn streaming_an_attachment_stops_between_chunks() {
    let f = fixture_with_scans();
    let ev: Vec<_> = f
        .vault
        .list::<EvidenceNote>(&Default::default())
        .expect("list");
    let sha = ev
        .iter()
        .flat_map(|e| e.data.attachments.iter())
        .find(|a| a.size == 300 * 1024)
        .map(|a| a.sha256.clone())
        .expect("a scan");
    // A writer that locks the vault as soon as the first chunk arrives.
    struct LockOnFirstWrite(vekil::cancel::Cancel, usize);
    impl Write for LockOnFirstWrite {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.cancel();
            self.1 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = LockOnFirstWrite(f.vault.cancel_handle(), 0);
    let result = f.vault.copy_attachment(&sha, &mut w);
    assert!(
        matches!(result, Err(vekil::Error::Cancelled(_))),
        "expected Cancelled, got {result:?}"
    );
    assert!(
        w.1 <= 64 * 1024,
        "{} bytes were decrypted after the lock",
        w.1
    );
    assert!(
        matches!(
            f.vault.read_attachment(&sha),
            Err(vekil::Error::Cancelled(_))
        ),
        "a preview was decrypted after the lock"
    );
}

#[test]
fn attaching_after_a_lock_stores_nothing() {
    let f = fixture();
    let attachments = f.vault.dir().join("attachments");
    let before = names(&attachments);
    let note_before = f
        .vault
        .get::<EvidenceNote>(f.evidence)
        .expect("evidence")
        .revision;
    f.vault.cancel_handle().cancel();
    let result = f.vault.attach(
        f.evidence,
        "şikayət.pdf",
        &scan("Şikayət ərizəsi ", 200 * 1024),
    );
    assert!(
        matches!(result, Err(vekil::Error::Cancelled(_))),
        "expected Cancelled, got {result:?}"
    );
    assert_eq!(names(&attachments), before, "a file was left in the vault");
    let note_after = f.vault.get::<EvidenceNote>(f.evidence).expect("evidence");
    assert_eq!(note_after.revision, note_before);
}

#[test]
fn an_import_stopped_by_a_lock_merges_nothing() {
    let f = fixture_with_scans();
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let bundle = f.tmp.path().join("mart.age");
    export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        false,
        export::Lang::En,
        &bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    let identity = import::read_identity(&f.ngo_key).expect("identity");

    let pk = export::signing::SigningKey::load_or_create(&f.vault)
        .expect("key")
        .public;
    let ngo = new_vault(&f.tmp.path().join("ngo"));
    import::signers::trust(&ngo, "Lawyer", &export::signing::public_key_line(&pk))
        .expect("trust the lawyer");
    ngo.cancel_handle().cancel();
    let result = import::import(&ngo, &bundle, &identity, &Default::default());
    assert!(
        matches!(result, Err(ImportError::Cancelled(CancelError::Cancelled))),
        "expected Cancelled, got {result:?}"
    );
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 0);
    assert_eq!(
        names(&ngo.dir().join("attachments")),
        Vec::<String>::new(),
        "attachments were stored by a stopped import"
    );
    // `verify` alone (the CLI, nothing to lock) is never cancelled.
    import::verify(&bundle, &identity, import::SignedBy::Key(&pk)).expect("verify");
}
