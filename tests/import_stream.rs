//! Import reads the log one record at a time (issue 14): re-importing an
//! unchanged bundle is a read-only pass, and progress counts records.

mod export_support;

use export_support::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vekil::export;

/// Every file under `dir` with its bytes' SHA-256, but SQLite's shared
/// memory index (`-shm`), which readers update too.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    use sha2::{Digest, Sha256};
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("ls") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                todo.push(p);
            } else if !p.to_string_lossy().ends_with("-shm") {
                let bytes = std::fs::read(&p).expect("read");
                out.insert(p, hex::encode(Sha256::digest(&bytes)));
            }
        }
    }
    out
}

struct Setup {
    tmp: tempfile::TempDir,
    g: Generated,
    ngo: vekil::Vault,
    identity: age::x25519::Identity,
}

fn setup(incidents: usize, custody: bool) -> Setup {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = generated_vault(&tmp.path().join("lawyer"), incidents, custody);
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
    Setup {
        tmp,
        g,
        ngo,
        identity,
    }
}

fn bundle(s: &Setup, name: &str) -> PathBuf {
    let out = s.tmp.path().join(name);
    let mut req = export::ExportRequest::new(export::ExportFormat::Bundle, export::Profile::Ngo);
    req.recipients = vec![NGO.into()];
    req.accept_all_hits = true;
    export::request::write(&s.g.vault, &req, &out, false, &mut |_| {}).expect("export");
    out
}

#[test]
fn reimporting_an_unchanged_bundle_writes_nothing() {
    let s = setup(300, false);
    let path = bundle(&s, "bundle.age");
    let first =
        vekil::import::import(&s.ngo, &path, &s.identity, &Default::default()).expect("import");
    assert!(
        first.counts["incident"]["added"] > 100,
        "{:?}",
        first.counts
    );
    let before = snapshot(&s.tmp.path().join("ngo"));
    let again =
        vekil::import::import(&s.ngo, &path, &s.identity, &Default::default()).expect("again");
    for (kind, outcomes) in &again.counts {
        assert_eq!(
            outcomes.keys().collect::<Vec<_>>(),
            vec!["unchanged"],
            "{kind}: {outcomes:?}"
        );
        assert_eq!(outcomes["unchanged"], first.counts[kind]["added"], "{kind}");
    }
    assert_eq!(
        snapshot(&s.tmp.path().join("ngo")),
        before,
        "no file of the vault changed"
    );
    assert!(s.ngo.verify().expect("verify").is_ok());
}

/// The log is merged record by record, reporting progress in records; no
/// temporary file and no plaintext is left in the vault's folder. (A log
/// past the spill's memory goes to disk encrypted: `spill`'s unit tests
/// and `stream_memory` cover that.)
#[test]
fn a_log_is_merged_record_by_record_with_progress() {
    let s = setup(2_500, false);
    let path = bundle(&s, "bundle.age");
    let mut heard = vec![];
    let report =
        vekil::import::import_with(&s.ngo, &path, &s.identity, &Default::default(), &mut |n| {
            heard.push(n)
        })
        .expect("import");
    let added = report.counts["incident"]["added"];
    assert!(added > 1_500, "{added}");
    // Progress in records, every thousand.
    let records: usize = report.counts.values().flat_map(|c| c.values()).sum();
    let every = vekil::import::PROGRESS_EVERY;
    assert_eq!(
        heard,
        (1..=records / every).map(|k| k * every).collect::<Vec<_>>()
    );
    assert_eq!(
        s.ngo.count(vekil::model::Kind::Incident).expect("count"),
        added as u64
    );
    // Nothing plaintext, and no temporary file, is left in the vault.
    for (p, _) in snapshot(&s.tmp.path().join("ngo")) {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
        assert!(
            !name.unwrap_or_default().starts_with(".vekil-spill"),
            "{p:?} left behind"
        );
        let bytes = std::fs::read(&p).expect("read");
        for needle in ["Təcridxanası", "vekil-incident-log"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} in {p:?}"
            );
        }
    }
}

/// An NGO bundle whose evidence has a chain of custody imports (the log
/// used to leave `custody[].who` out, and the importer refused every such
/// bundle), and the custodians arrive as numbered roles, never by name.
#[test]
fn an_ngo_bundle_with_a_chain_of_custody_imports_with_custodians_as_roles() {
    let s = setup(100, true);
    let path = bundle(&s, "custody.age");
    let report = vekil::import::import(&s.ngo, &path, &s.identity, &Default::default())
        .expect("an NGO bundle with custody imports");
    assert!(
        report.counts["evidence"]["added"] > 0,
        "{:?}",
        report.counts
    );
    let notes: Vec<vekil::model::Stored<vekil::model::EvidenceNote>> =
        s.ngo.list(&Default::default()).expect("list evidence");
    let chains: Vec<_> = notes.iter().flat_map(|n| n.data.custody.iter()).collect();
    assert!(!chains.is_empty(), "custody entries arrived");
    for c in chains {
        assert_eq!(c.who, "custodian 1", "a custodian leaves as a role");
        assert_eq!(c.action, "qəbul etdi");
    }
}
