//! Bundles end to end, against Debian's stock tools: `age -d` decrypts,
//! `tar` unpacks, `minisign -Vm` verifies, `sha256sum -c` checks the
//! manifest; then `vekil import` merges it twice without duplicates.

mod export_support;
mod media_support;

use export_support::*;
use std::io::Write;
use std::process::Stdio;
use vekil::export::{self, signing::SigningKey, ExportOptions, Phase, Profile, Progress};
use vekil::model::Kind;

/// A new NGO vault that trusts the fixture lawyer's signing key, as
/// `vekil signer trust` leaves it.
fn ngo_trusting_the_lawyer(f: &Fixture, name: &str) -> vekil::Vault {
    let ngo = new_vault(&f.tmp.path().join(name));
    let pk = SigningKey::load_or_create(&f.vault).expect("key").public;
    vekil::import::signers::trust(&ngo, "Lawyer", &export::signing::public_key_line(&pk))
        .expect("trust");
    ngo
}

fn make_bundle(f: &Fixture, out: &std::path::Path) -> export::bundle::BundleSummary {
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        true,
        vekil::export::Lang::En,
        out,
        false,
        &mut |_| {},
    )
    .expect("bundle")
}

#[test]
fn stock_tools_open_and_verify_a_bundle() {
    let f = fixture();
    let bundle = f.tmp.path().join("out.vekil.age");
    let summary = make_bundle(&f, &bundle);
    let raw = std::fs::read(&bundle).expect("bundle");
    assert!(
        raw.starts_with(b"age-encryption.org/v1\n"),
        "not an age file"
    );
    assert!(
        !raw.windows(11).any(|w| w == b"Client A-17"),
        "plaintext visible in the bundle"
    );

    // age -d -i key.txt bundle | tar x
    let unpack = f.tmp.path().join("unpacked");
    std::fs::create_dir(&unpack).expect("mkdir");
    let age = tool("age", "age")
        .args(["-d", "-i"])
        .arg(&f.ngo_key)
        .arg(&bundle)
        .output()
        .expect("run age");
    assert!(
        age.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&age.stderr)
    );
    let mut tar = tool("tar", "tar")
        .arg("-x")
        .arg("-C")
        .arg(&unpack)
        .stdin(Stdio::piped())
        .spawn()
        .expect("tar");
    tar.stdin
        .take()
        .expect("stdin")
        .write_all(&age.stdout)
        .expect("pipe");
    assert!(tar.wait().expect("tar").success(), "tar x failed");
    for name in [
        "manifest.json",
        "manifest.json.minisig",
        "log.json",
        "incidents.csv",
        "report.pdf",
        "report.pdf.minisig",
    ] {
        assert!(
            unpack.join(name).is_file(),
            "{name} missing from the bundle"
        );
    }

    // minisign -Vm manifest.json -P <pubkey>
    let pk = SigningKey::load_or_create(&f.vault).expect("key").public;
    let line = export::signing::public_key_line(&pk);
    let ms = tool("minisign", "minisign")
        .args(["-Vm"])
        .arg(unpack.join("manifest.json"))
        .arg("-P")
        .arg(&line)
        .output()
        .expect("minisign");
    let ms_out =
        String::from_utf8_lossy(&ms.stdout).into_owned() + &String::from_utf8_lossy(&ms.stderr);
    assert!(ms.status.success(), "minisign refused: {ms_out}");
    assert!(
        ms_out.contains("Signature and comment signature verified"),
        "{ms_out}"
    );
    let ms = tool("minisign", "minisign")
        .args(["-Vm"])
        .arg(unpack.join("report.pdf"))
        .arg("-P")
        .arg(&line)
        .output()
        .expect("minisign");
    assert!(ms.status.success(), "report signature refused");

    // sha256sum -c over the manifest's list.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(unpack.join("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    let mut sums = String::new();
    for file in manifest["files"].as_array().expect("files") {
        sums.push_str(&format!(
            "{}  {}\n",
            file["sha256"].as_str().expect("sha"),
            file["path"].as_str().expect("path")
        ));
    }
    assert!(
        sums.contains("attachments/"),
        "attachment not in the manifest"
    );
    std::fs::write(unpack.join("SHA256SUMS"), &sums).expect("sums");
    let check = tool("sha256sum", "coreutils")
        .args(["-c", "SHA256SUMS"])
        .current_dir(&unpack)
        .output()
        .expect("sha256sum");
    assert!(
        check.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    // The manifest SHA-256 printed in the PDF is that of manifest.json.
    let sha = tool("sha256sum", "coreutils")
        .arg(unpack.join("manifest.json"))
        .output()
        .expect("sha256sum");
    assert!(String::from_utf8_lossy(&sha.stdout).starts_with(&summary.manifest_sha256));

    // The report is listed in the manifest (checked by sha256sum above);
    // its footer names the bundle, and its text is extractable.
    assert!(
        sums.contains("report.pdf"),
        "the report is not in the manifest"
    );
    let pdf = tool("pdftotext", "poppler-utils")
        .arg(unpack.join("report.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let pdf_text = String::from_utf8_lossy(&pdf.stdout);
    let bundle_id = manifest["bundle_id"].as_str().expect("bundle id");
    assert!(pdf_text.contains(bundle_id), "{pdf_text}");
    assert!(pdf_text.contains("Client A-17"));
    assert!(
        !pdf_text.contains("Həsənov"),
        "NGO report shows the real name"
    );

    // The log validates; the malformed image stayed home (cannot be cleaned).
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(unpack.join("log.json")).expect("log"))
            .expect("json");
    assert_valid(&log);
    assert_eq!(summary.skipped_attachments.len(), 1);
    assert_eq!(
        summary.skipped_attachments[0].reason,
        export::HeldBack::AttachmentsKeepMetadata { count: 1 }
    );
    let attached: Vec<_> = std::fs::read_dir(unpack.join("attachments"))
        .expect("attachments dir")
        .collect();
    assert_eq!(attached.len(), 1);
}

#[test]
fn import_twice_adds_once_and_updates_revisions() {
    let f = fixture();
    let bundle = f.tmp.path().join("b1.age");
    make_bundle(&f, &bundle);
    let ngo = ngo_trusting_the_lawyer(&f, "ngo");
    let id = vekil::import::read_identity(&f.ngo_key).expect("identity");

    let r1 = vekil::import::import(&ngo, &bundle, &id, &Default::default()).expect("first import");
    assert_eq!(r1.counts["incident"]["added"], 2, "{r1:?}");
    assert_eq!(r1.counts["client"]["added"], 2);
    assert_eq!(r1.attachments, 1);
    assert!(r1.conflicts.is_empty());
    let r2 = vekil::import::import(&ngo, &bundle, &id, &Default::default()).expect("second import");
    assert_eq!(r2.counts["incident"]["unchanged"], 2, "{r2:?}");
    assert!(!r2.counts["incident"].contains_key("added"));
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    assert_eq!(ngo.count(Kind::Client).expect("count"), 2);
    let report = ngo.verify().expect("verify");
    assert!(report.is_ok(), "{:?}", report.problems);
    // The client arrives by pseudonym, the name withheld.
    let c = ngo
        .get::<vekil::model::Client>(f.client_a)
        .expect("client imported with the same id");
    assert_eq!(c.data.pseudonym, "Client A-17");
    assert!(!c.data.full_name.contains("Həsənov"));
    // The attachment is readable in the NGO vault, hash checked.
    let ev = ngo
        .get::<vekil::model::EvidenceNote>(f.evidence)
        .expect("evidence");
    let txt = ev
        .data
        .attachments
        .iter()
        .find(|a| a.media_type == "text/plain")
        .expect("ref");
    assert!(
        txt.file_name.starts_with("evidence-") && txt.file_name.ends_with(".txt"),
        "the file leaves under a neutral name, not {}",
        txt.file_name
    );
    assert_eq!(
        &ngo.read_attachment(&txt.sha256).expect("attachment")[..],
        "Rədd cavabı / Отказ\n".as_bytes()
    );

    // The lawyer edits an incident; the next bundle replaces it.
    let cur = f
        .vault
        .get::<vekil::model::Incident>(f.inc_health)
        .expect("incident");
    let mut data = cur.data.clone();
    data.reason_given.push_str(" (updated)");
    f.vault
        .update(f.inc_health, cur.revision, data)
        .expect("update");
    let bundle2 = f.tmp.path().join("b2.age");
    make_bundle(&f, &bundle2);
    let r3 = vekil::import::import(&ngo, &bundle2, &id, &Default::default()).expect("third import");
    assert_eq!(r3.counts["incident"]["replaced"], 1, "{r3:?}");
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    let got = ngo
        .get::<vekil::model::Incident>(f.inc_health)
        .expect("incident");
    assert_eq!(got.revision, 2);
    assert!(got.data.reason_given.ends_with("(updated)"));
}

#[test]
fn verify_with_known_signer() {
    let f = fixture();
    let bundle = f.tmp.path().join("b.age");
    make_bundle(&f, &bundle);
    let id = vekil::import::read_identity(&f.ngo_key).expect("identity");
    let pk = SigningKey::load_or_create(&f.vault).expect("key").public;
    let line = export::signing::public_key_line(&pk);
    let signer = vekil::import::signers::parse_key(&line).expect("signer");
    let v =
        vekil::import::verify(&bundle, &id, vekil::import::SignedBy::Key(&signer)).expect("verify");
    assert_eq!(
        v.signer.name, None,
        "a key given once is not a trusted signer"
    );
    assert_eq!(v.signer.public_key, line);
    assert_eq!(
        v.signer.fingerprint,
        vekil::import::signers::fingerprint(&pk)
    );
    assert!(v.has_report);
    assert_eq!(v.attachments, 1);
}

/// A phone photo: EXIF with GPS, XMP, MPF and a motion-photo trailer.
fn jpeg_with_gps() -> Vec<u8> {
    media_support::jpeg_phone(16, 16)
}

#[test]
fn exported_photos_lose_exif_and_the_original_keeps_its_hash() {
    let f = fixture();
    let original = jpeg_with_gps();
    let att = f
        .vault
        .attach(f.evidence, "refusal-photo.jpg", &original)
        .expect("attach jpeg");
    let bundle = f.tmp.path().join("photo.age");
    let summary = make_bundle(&f, &bundle);
    assert!(
        !summary
            .manifest
            .files
            .iter()
            .any(|m| m.sha256 == att.sha256),
        "the original (with GPS) was exported"
    );
    let ngo = ngo_trusting_the_lawyer(&f, "ngo");
    let id = vekil::import::read_identity(&f.ngo_key).expect("identity");
    let r = vekil::import::import(&ngo, &bundle, &id, &Default::default()).expect("import");
    assert_eq!(r.attachments, 2, "text file and cleaned photo");
    let ev = ngo
        .get::<vekil::model::EvidenceNote>(f.evidence)
        .expect("evidence");
    let photo = ev
        .data
        .attachments
        .iter()
        .find(|a| a.media_type == "image/jpeg")
        .expect("photo exported");
    assert_ne!(photo.sha256, att.sha256);
    let clean = ngo.read_attachment(&photo.sha256).expect("clean copy");
    assert!(!media_support::contains(
        &clean,
        media_support::CANARY.as_bytes()
    ));
    assert!(clean.starts_with(&[0xFF, 0xD8]) && clean.ends_with(&[0xFF, 0xD9]));
    let report = ngo.verify().expect("verify");
    assert!(report.is_ok(), "{:?}", report.problems);
    // The lawyer's stored original is untouched.
    let kept = f.vault.read_attachment(&att.sha256).expect("original");
    assert_eq!(&kept[..], &original[..]);
    assert!(f.vault.verify().expect("verify").is_ok());
}

#[test]
fn address_book_and_several_recipients() {
    let f = fixture();
    let other_key = f.tmp.path().join("other.txt");
    let other_pub = vekil::import::keygen(&other_key).expect("keygen");
    assert!(export::recipients::add(&f.vault, "Bad Org", "age1notakey").is_err());
    assert!(export::recipients::add(&f.vault, "Bad Org", "ssh-ed25519 AAAA").is_err());
    let r = export::recipients::add(&f.vault, "Second Org", &other_pub).expect("add");
    assert_eq!(r.fingerprint, export::recipients::fingerprint(&other_pub));
    assert_eq!(r.fingerprint.split(' ').count(), 5);
    let list = export::recipients::list(&f.vault).expect("list");
    let names: Vec<_> = list.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec![NGO, "Second Org"]);
    // Case-insensitive lookup, as consent names are typed by hand.
    assert!(export::recipients::get(&f.vault, "human rights centre").is_ok());

    // Both organisations must have consent; give it on one incident.
    let cur = f
        .vault
        .get::<vekil::model::Incident>(f.inc_consented)
        .expect("incident");
    let mut data = cur.data.clone();
    data.consent.push(vekil::model::Consent {
        recipient: "Second Org".into(),
        granted: true,
        include_health: false,
        recorded_on: None,
    });
    f.vault
        .update(f.inc_consented, cur.revision, data)
        .expect("update");
    let set = export::select(
        &f.vault,
        &ExportOptions {
            profile: Profile::Ngo,
            recipients: vec![NGO.into(), "Second Org".into()],
            ..Default::default()
        },
    )
    .expect("select");
    assert_eq!(
        set.incident_count(),
        1,
        "only the incident both consented to"
    );
    let recipients = [
        export::recipients::get(&f.vault, NGO).expect("r1"),
        export::recipients::get(&f.vault, "Second Org").expect("r2"),
    ];
    let bundle = f.tmp.path().join("two.age");
    export::bundle::write_to(
        &f.vault,
        &set,
        &recipients,
        false,
        vekil::export::Lang::En,
        &bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    let pk = SigningKey::load_or_create(&f.vault).expect("key").public;
    let signer = vekil::import::SignedBy::Key(&pk);
    for key in [&f.ngo_key, &other_key] {
        let id = vekil::import::read_identity(key).expect("identity");
        vekil::import::verify(&bundle, &id, signer).expect("each recipient can open it");
        let age = tool("age", "age")
            .args(["-d", "-i"])
            .arg(key)
            .arg(&bundle)
            .output()
            .expect("age");
        assert!(
            age.status.success(),
            "stock age refused recipient {}",
            key.display()
        );
    }
    let third = age::x25519::Identity::generate();
    assert!(matches!(
        vekil::import::verify(&bundle, &third, signer),
        Err(vekil::import::ImportError::NotAddressed)
    ));
    assert!(export::recipients::remove(&f.vault, "Second Org").expect("remove"));
    assert!(!export::recipients::remove(&f.vault, "Second Org").expect("remove again"));
}

#[test]
fn same_revision_different_content_is_reported_as_a_conflict() {
    let f = fixture();
    let bundle = f.tmp.path().join("c.age");
    make_bundle(&f, &bundle);
    let ngo = ngo_trusting_the_lawyer(&f, "ngo");
    let id = vekil::import::read_identity(&f.ngo_key).expect("identity");
    vekil::import::import(&ngo, &bundle, &id, &Default::default()).expect("first import");
    // Someone at the NGO rewrote revision 1 of an incident in place (as
    // another tool might); the next import must not silently overwrite it.
    let mut theirs = ngo
        .get::<vekil::model::Incident>(f.inc_health)
        .expect("incident");
    theirs.data.reason_given = "edited at the NGO".into();
    let ngo2 = ngo_trusting_the_lawyer(&f, "ngo2");
    let pk = SigningKey::load_or_create(&f.vault).expect("key").public;
    let lawyer = vekil::import::signers::origin(&pk);
    ngo2.write(|w| {
        for c in ngo.list::<vekil::model::Client>(&Default::default())? {
            w.put_stored(&c, &lawyer)?;
        }
        w.put_stored(&theirs, &lawyer)?;
        Ok(())
    })
    .expect("seed ngo2");
    let r = vekil::import::import(&ngo2, &bundle, &id, &Default::default()).expect("import");
    assert_eq!(r.conflicts.len(), 1, "{r:?}");
    assert!(r.conflicts[0].contains(&f.inc_health.to_string()));
    assert_eq!(r.counts["incident"]["conflict"], 1);
    let kept = ngo2
        .get::<vekil::model::Incident>(f.inc_health)
        .expect("incident");
    assert_eq!(kept.data.reason_given, "edited at the NGO");
}

#[test]
fn bundle_without_attachments() {
    let f = fixture();
    let set = export::select(
        &f.vault,
        &ExportOptions {
            profile: Profile::Ngo,
            recipients: vec![NGO.into()],
            without_attachments: true,
            ..Default::default()
        },
    )
    .expect("select");
    assert!(evidence_of(&set)
        .iter()
        .all(|e| e.record.data.attachments.is_empty() && e.removed.contains(&"attachments")));
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let bundle = f.tmp.path().join("noatt.age");
    let s = export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        false,
        vekil::export::Lang::En,
        &bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    assert!(s
        .manifest
        .files
        .iter()
        .all(|m| !m.path.starts_with("attachments/")));
    let ngo = ngo_trusting_the_lawyer(&f, "ngo");
    let id = vekil::import::read_identity(&f.ngo_key).expect("identity");
    let rep = vekil::import::import(&ngo, &bundle, &id, &Default::default()).expect("import");
    assert_eq!(rep.attachments, 0);
    assert_eq!(rep.counts["evidence"]["added"], 1);
    assert!(ngo.verify().expect("verify").is_ok());
}

/// Progress counts records (issue 14): every record of the log, each
/// incident laid out in the PDF (four times: summary and section, in each
/// of its two passes), every attachment, and the finish.
#[test]
fn progress_counts_records_and_grows_to_the_total() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    for with_pdf in [true, false] {
        let mut seen: Vec<Progress> = vec![];
        let out = f.tmp.path().join(format!("progress-{with_pdf}.age"));
        export::bundle::write_to(
            &f.vault,
            &set,
            std::slice::from_ref(&r),
            with_pdf,
            vekil::export::Lang::En,
            &out,
            false,
            &mut |p| seen.push(p),
        )
        .expect("bundle");
        let attachments = set.files.len() as u64;
        assert!(attachments > 0, "the fixture exports an attachment");
        let incidents = set.incident_count() as u64;
        let records =
            (set.clients.len() + set.cases.len() + set.evidence_count()) as u64 + incidents;
        let total = records + 4 * incidents * u64::from(with_pdf) + attachments + 1;
        assert!(seen.iter().all(|p| p.total == total), "{seen:?}");
        // Small exports report every step, and never go back.
        let done: Vec<u64> = seen.iter().map(|p| p.done).collect();
        assert!(done.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
        assert_eq!(done.first(), Some(&0));
        assert_eq!(done.last(), Some(&total));
        let steps: Vec<u64> = done
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(steps, (0..=total).collect::<Vec<_>>(), "{seen:?}");
        let phases: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
        assert_eq!(phases.first(), Some(&Phase::Log));
        assert_eq!(phases.contains(&Phase::Pdf), with_pdf);
        assert!(phases.contains(&Phase::Attachments));
        assert_eq!(phases.last(), Some(&Phase::Done));
        assert!(phases.contains(&Phase::Finishing));
        let mut order = phases.clone();
        order.dedup();
        let mut sorted = order.clone();
        sorted.sort_by_key(|p| *p as u8);
        assert_eq!(order, sorted, "phases run in order: {order:?}");
    }
}

/// A large export reports a few hundred times, not once per record.
#[test]
fn progress_of_a_large_export_is_reported_a_few_hundred_times() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = generated_vault(&tmp.path().join("lawyer"), 1_000, false);
    let ngo_key = tmp.path().join("ngo.txt");
    let ngo_public = vekil::import::keygen(&ngo_key).expect("keygen");
    export::recipients::add(&g.vault, NGO, &ngo_public).expect("recipient");
    let mut req = export::ExportRequest::new(export::ExportFormat::Csv, Profile::Ngo);
    req.recipients = vec![NGO.into()];
    req.accept_all_hits = true;
    let mut seen: Vec<Progress> = vec![];
    export::request::write(
        &g.vault,
        &req,
        &tmp.path().join("log.csv"),
        false,
        &mut |p| seen.push(p),
    )
    .expect("csv");
    let last = seen.last().expect("reports");
    assert_eq!(last.phase, Phase::Done);
    assert!(last.total > 800, "{last:?}");
    assert!(
        (100..=420).contains(&seen.len()),
        "{} reports for {} steps",
        seen.len(),
        last.total
    );
}

#[test]
fn a_failed_bundle_never_reports_done() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let mut seen: Vec<Progress> = vec![];
    let out = f.tmp.path().join("no-such-folder").join("b.age");
    assert!(export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        true,
        vekil::export::Lang::En,
        &out,
        false,
        &mut |p| seen.push(p)
    )
    .is_err());
    assert!(seen.iter().all(|p| p.phase != Phase::Done), "{seen:?}");
}
