//! Exports and imports that scale (issue 14).
//!
//! The golden comparison: a generated vault of 1,000 incidents exported to
//! every format is byte-identical to what the in-memory writers wrote
//! before exports were streamed (the SHA-256 of each output below was
//! taken from main at 3984a69, the commit before streaming; the vault, the
//! export time and the vault id are fixed so the outputs are too).

mod export_support;

use export_support::*;
use sha2::{Digest, Sha256};
use vekil::export::{self, ExportOptions, Lang, Profile};

const GOLDEN_INCIDENTS: usize = 1_000;

/// SHA-256 of each output of the golden vault, written by main at 3984a69.
const GOLDEN: &[(&str, &str)] = &[
    (
        "ngo.log.json",
        "527c4cb23d218ddba57f36665aff040fc2d0f0c208f215557e8cc7d32ddad6e1",
    ),
    (
        "ngo.signed-log.json",
        "4fd22382628a46fc574de65330f959f6fd6bfe0bda5da0c24976210acc22ec71",
    ),
    (
        "ngo.En.csv",
        "8e2d9ca3aef5139d5196a9cf20471fa9f15f16fc0834badaed4c947352f77dd2",
    ),
    (
        "ngo.Az.csv",
        "134233fea802fe8da221b22157cdddfb630a86b5f2cf156c8a2111a20cf821af",
    ),
    (
        "ngo.huridocs.json",
        "5d4b42d1859ac2892e320ae6e3160f23697042dd6483b83e90c7d02107ac6ee7",
    ),
    (
        "ngo.calendar.ics",
        "143ea5234c45f7bba62c1915de0f697bdb9987019a5ecd2bc5e66c9a8a686a43",
    ),
    (
        "ngo.report.pdf",
        "b904d5782a1f06c1a890e7fe50021303b04817d0f8e2e6fe75df557f38fe0883",
    ),
    (
        "ngo.incident.pdf",
        "4842c4d17968efd9135c4a0225ce1496a93285a9267cc62099bc16d4940e232c",
    ),
    (
        "ngo.preview.json",
        "5b6b1daae67540645f1bb8bf4b9c01bac409554845086e2da5d8ac80ca544a38",
    ),
    (
        "backup.log.json",
        "e36a115601b3854040846bd56936db887d291d6e6f5dd6367c0050f01f9e87d5",
    ),
    (
        "backup.signed-log.json",
        "819bc76648c893683a5cd15d67aae62a7ce8807c2f41b2609e8657bacae30d5b",
    ),
    (
        "backup.En.csv",
        "6f7a5376840c153b3e6a8317a4aaf27e6e675f650fad199fd75feae70f4e00f3",
    ),
    (
        "backup.Az.csv",
        "7336e22fc4690987e9991741c43ea1abf4499ee48ad74cfd144b9cd7c6a9c2bb",
    ),
    (
        "backup.huridocs.json",
        "36bc33317b770d8379f7c2ae3a4f1827bd7321e84eacee6761bd7b332ee2341b",
    ),
    (
        "backup.calendar.ics",
        "143ea5234c45f7bba62c1915de0f697bdb9987019a5ecd2bc5e66c9a8a686a43",
    ),
    (
        "backup.report.pdf",
        "76ef605f1515e45b48f33224bc752290f8be93b9f5b6183947f71c7cadb08df3",
    ),
    (
        "backup.incident.pdf",
        "ed246c1858da3f3072e4df0f7cce897e2f126206a1326cf04d117e044a2e1037",
    ),
    (
        "backup.preview.json",
        "3a3cbc199410155112c90f5142213e4d588a9f968448dcea89d78f7c9ca58422",
    ),
];

/// Every output of the golden vault; `keep` is the memory budget for
/// incidents and notes (0: every writer reads them again from the vault).
fn golden_outputs(g: &Generated, keep: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![];
    let at = chrono::DateTime::parse_from_rfc3339("2025-06-30T08:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    for (name, profile, recipients) in [
        ("ngo", Profile::Ngo, vec![NGO.to_string()]),
        ("backup", Profile::Full, vec![]),
    ] {
        let mut set = export::select_keeping(
            &g.vault,
            &ExportOptions {
                profile,
                recipients,
                ..Default::default()
            },
            keep,
        )
        .expect("select");
        assert_eq!(set.in_memory(), keep > 0);
        set.generated_at = at;
        set.vault_id = "golden-vault".into();
        let mut put = |what: &str, bytes: Vec<u8>| out.push((format!("{name}.{what}"), bytes));
        let mut b = vec![];
        export::json::write(&set, None, &mut b).expect("json");
        put("log.json", b);
        let mut b = vec![];
        export::json::write(&set, Some("0123456789ABCDEF"), &mut b).expect("json");
        put("signed-log.json", b);
        for lang in [Lang::En, Lang::Az] {
            let mut b = vec![];
            export::csv::write(&set, lang, &mut b).expect("csv");
            put(&format!("{lang:?}.csv"), b);
        }
        let mut b = vec![];
        export::huridocs::write(&set, &mut b).expect("huridocs");
        put("huridocs.json", b);
        let mut b = vec![];
        export::ics::write(&set, &mut b).expect("ics");
        put("calendar.ics", b);
        let mut b = vec![];
        export::pdf::write_log(&set, Lang::Ru, Some("6f1c2b7e-golden"), &mut b).expect("pdf");
        put("report.pdf", b);
        let mut b = vec![];
        export::pdf::write_incident(&set, g.consented_incident, Lang::Az, None, &mut b)
            .expect("pdf");
        put("incident.pdf", b);
        let preview = set.preview().expect("preview");
        put(
            "preview.json",
            serde_json::to_vec_pretty(&preview).expect("preview json"),
        );
    }
    out
}

#[test]
fn streamed_outputs_are_byte_identical_to_the_in_memory_writers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let g = generated_vault(&tmp.path().join("lawyer"), GOLDEN_INCIDENTS, true);
    let dump = std::env::var_os("VEKIL_GOLDEN_DIR");
    let mut wrong = vec![];
    for (mode, keep) in [("kept", export::KEEP_BYTES), ("streamed", 0)] {
        for (name, bytes) in &golden_outputs(&g, keep) {
            let sha = hex::encode(Sha256::digest(bytes));
            if let Some(d) = &dump {
                std::fs::write(
                    std::path::Path::new(d).join(format!("{mode}.{name}")),
                    bytes,
                )
                .expect("dump");
            }
            match GOLDEN.iter().find(|(n, _)| n == name) {
                Some((_, want)) if *want == sha => {}
                _ => wrong.push(format!("{mode}: (\"{name}\", \"{sha}\"),")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "outputs differ from the golden ones (set VEKIL_GOLDEN_DIR to keep them):\n{}",
        wrong.join("\n")
    );
}
