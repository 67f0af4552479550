//! Exports and imports that scale (issue 14).
//!
//! The golden comparison: a generated vault of 1,000 incidents exported to
//! every format is byte-identical to what the in-memory writers wrote
//! before exports were streamed (the SHA-256 of each output below was
//! taken from main at 3984a69, the commit before streaming; the vault, the
//! export time and the vault id are fixed so the outputs are too). Seven
//! were renewed by the facility register (issue 11.5), for two reasons
//! only: text is stored in NFC at intake, so the backup profile's client
//! names the generator writes decomposed now leave composed; and every
//! preview lists the incident's register link (`facility.id`) among the
//! fields removed. The NGO profile's outputs did not change. Six were
//! renewed by issue 12 (an evidence note documents a list of incidents),
//! and for that only: each log is version 2 and its notes say
//! `"incident_ids": [ID]` where they said `"incident_id": ID`, and each
//! preview names that field so; every other byte is as before (compared
//! with main's outputs, `VEKIL_GOLDEN_DIR`).

mod export_support;

use export_support::*;
use sha2::{Digest, Sha256};
use vekil::export::{self, ExportOptions, Lang, Profile};

const GOLDEN_INCIDENTS: usize = 1_000;

/// SHA-256 of each output of the golden vault, written by main at 3984a69;
/// the two Russian reports since their long labels wrap in their column
/// instead of running into the values (`no_text_is_drawn_over_other_text`).
const GOLDEN: &[(&str, &str)] = &[
    (
        "ngo.log.json",
        "095c82c092984918fd2492d6ed5f7d0dd147832e7297ef0049e87c1553e573c1",
    ),
    (
        "ngo.signed-log.json",
        "1801859cffc44447cc94871258b9df61634a03fdb07206d317abb4b4736972fd",
    ),
    (
        "ngo.En.csv",
        "23d0ab10f554ff6bca22dd126f7eadaba5c327b001fe5c9ec66e45ae43ca83f4",
    ),
    (
        "ngo.Az.csv",
        "839107733c4baa730937bdb3dbad03927ee82e3ff9de14cea0236e6d7d472d92",
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
        "dbbb1e8a142636925390c5c579176f49610c813925bbee5b18355d2ca5eb68da",
    ),
    (
        "ngo.incident.pdf",
        "4842c4d17968efd9135c4a0225ce1496a93285a9267cc62099bc16d4940e232c",
    ),
    (
        "ngo.preview.json",
        "21e7ce24d231d194542777029724f078d01336a8f0882ee4193b81338e4d6d43",
    ),
    (
        "backup.log.json",
        "e4a81487056e85357aa0604d3cc994adcbf048c8ad7f1f17aab7ceecd46891af",
    ),
    (
        "backup.signed-log.json",
        "bb60cfd3774ee565ff7dabcf8dee3707aae52ea0f76e64a0ac3b9ded316dd4a5",
    ),
    (
        "backup.En.csv",
        "cabd82a5b4822ce05db745e3a769f3efd9c8a312fea1a8da90eedc16d536ffd3",
    ),
    (
        "backup.Az.csv",
        "d347297e9392d212e14a4a2519285b5ab608b15157902e7f071103b17459115b",
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
        "d4b1e6461f3ca74763f4b7cdf5cf014f4e4d860655cf80962270bc2141433675",
    ),
    (
        "backup.incident.pdf",
        "ed246c1858da3f3072e4df0f7cce897e2f126206a1326cf04d117e044a2e1037",
    ),
    (
        "backup.preview.json",
        "0e15173b115b99b43cffd7e332d709adc76777b89aeffb97022e3c6371c64b05",
    ),
];

/// Every output of the golden vault; `keep` is the memory budget for
/// incidents and notes (0: every writer reads them again, incidents from
/// the copy of their rows, notes from the vault).
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
        assert_eq!(set.in_memory(), keep == export::KEEP_BYTES);
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
    // Kept in memory; copied from the first record on; and copied once
    // the first few hundred no longer fit (those come from memory).
    for (mode, keep) in [
        ("kept", export::KEEP_BYTES),
        ("streamed", 0),
        ("spent", 256 << 10),
    ] {
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
