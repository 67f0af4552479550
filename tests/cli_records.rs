//! Records in, records out (issue 11, points 1 and 2): what `list --json`
//! writes, `add --json` reads back unchanged, ids are kept, and loading is
//! idempotent, through the `vekil` binary as a user runs it.
//!
//! Each test names the defect it pins; all of them failed on the main of
//! 2026-11-29 (5bb76a8).

mod common;

use common::{data_fingerprint, fast, pass, Cli};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use vekil::vault::Vault;

/// A vault with cheap key derivation (so each CLI run unlocks in
/// milliseconds), and a runner for it.
fn setup() -> (tempfile::TempDir, Cli) {
    let t = tempfile::tempdir().expect("temp dir");
    let cli = Cli::new(t.path());
    let (v, _code) = Vault::create_with(&cli.vault, &pass(), &fast()).expect("vault");
    v.close().expect("close");
    (t, cli)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p: PathBuf = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

fn list(cli: &Cli, kind: &str) -> Vec<Value> {
    let out = cli.ok(&[kind, "list", "--json", "--oldest-first"]);
    serde_json::from_str::<Value>(&out)
        .expect("list --json")
        .as_array()
        .expect("an array")
        .clone()
}

fn lines(out: &str) -> Vec<String> {
    out.lines().map(str::to_owned).collect()
}

const CLIENT: &str = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01";
const CASE: &str = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d02";

/// A client and a case with fixed ids, loaded the new way.
fn client_and_case(t: &Path, cli: &Cli) {
    let client = json!({
        "id": CLIENT,
        "full_name": "Rəşad Məmmədov",
        "pseudonym": "C-001",
        "procedural_status": "accused",
        "arrested_at": {"at": "2025-03-10T06:00:00+04:00", "precision": "minute"}
    });
    cli.ok(&[
        "client",
        "add",
        "--json",
        &write(t, "client.json", &client.to_string()),
    ]);
    let case = json!({
        "id": CASE,
        "client_ids": [CLIENT],
        "case_number": "1(101)-234/2025",
        "court": "Bakı Ağır Cinayətlər Məhkəməsi",
        "status": "appeal"
    });
    cli.ok(&[
        "case",
        "add",
        "--json",
        &write(t, "case.json", &case.to_string()),
    ]);
}

/// Defect: `add --json` dropped `kind` for hearings, deadlines and
/// evidence (every hearing became "trial"). What `list --json` prints
/// must come back identical, every enum included, in a fresh vault.
#[test]
fn what_list_json_writes_add_json_reads_back_identically() {
    let (t, cli) = setup();
    let p = t.path();
    client_and_case(p, &cli);
    let hearing = json!({
        "case_id": CASE, "at": "2025-04-02T10:00:00+04:00",
        "kind": "detention_extension", "court": "Nəsimi Rayon Məhkəməsi",
        "judge": "Hakim Əliyeva", "outcome": "Həbs 2 ay uzadıldı"
    });
    let deadline = json!({
        "case_id": CASE, "due": "2025-07-12T18:00:00+04:00",
        "kind": "ecthr_application", "source_rule": "AİHK 35-ci maddə: 4 ay"
    });
    let incident = json!({
        "client_id": CLIENT, "case_id": CASE, "type": "access_delayed",
        "occurred": {"at": "2025-03-14T00:00:00+04:00", "precision": "day"},
        "facility": {"name": "Bakı İstintaq Təcridxanası", "type": "pretrial_detention"},
        "minutes_waited": 150, "confidentiality": "confidential", "status": "final",
        "standards": ["echr_6_3_c"], "reason_given": "Müstəntiqin icazəsi yoxdur"
    });
    cli.ok(&[
        "hearing",
        "add",
        "--json",
        &write(p, "h.json", &hearing.to_string()),
    ]);
    cli.ok(&[
        "deadline",
        "add",
        "--json",
        &write(p, "d.json", &deadline.to_string()),
    ]);
    let incident_id = cli
        .ok(&[
            "incident",
            "add",
            "--json",
            &write(p, "i.json", &incident.to_string()),
        ])
        .trim()
        .to_owned();
    let evidence = json!({
        "incident_id": incident_id, "kind": "medical_report",
        "description": "Справка о телесных повреждениях",
        "obtained_at": {"at": "2025-03-15T00:00:00+04:00", "precision": "day"}
    });
    cli.ok(&[
        "evidence",
        "add",
        "--json",
        &write(p, "e.json", &evidence.to_string()),
    ]);

    assert_eq!(list(&cli, "hearing")[0]["kind"], "detention_extension");
    assert_eq!(list(&cli, "deadline")[0]["kind"], "ecthr_application");
    assert_eq!(list(&cli, "evidence")[0]["kind"], "medical_report");

    // Everything, as listed, into a second vault: identical, ids and all.
    let t2 = tempfile::tempdir().unwrap();
    let other = Cli::new(t2.path());
    let (v, _) = Vault::create_with(&other.vault, &pass(), &fast()).unwrap();
    v.close().unwrap();
    // (The facility register goes before the incidents that link to it.)
    for kind in [
        "client", "case", "hearing", "deadline", "facility", "incident", "evidence",
    ] {
        let listed = cli.ok(&[kind, "list", "--json"]);
        let file = write(t2.path(), &format!("{kind}.json"), &listed);
        other.ok(&[kind, "add", "--json", &file]);
        assert_eq!(
            list(&other, kind),
            list(&cli, kind),
            "{kind}: what went in is not what came out"
        );
    }
}

/// Defect: `"kind": "bogus_kind"` was accepted with exit 0, and a type
/// error said `record: invalid type…` with no field. Now: exit 3, the
/// field's JSON path and the allowed values, and an unchanged vault.
#[test]
fn unknown_values_and_wrong_types_are_refused_naming_the_json_path() {
    let (t, cli) = setup();
    let p = t.path();
    client_and_case(p, &cli);
    let before = data_fingerprint(&cli.vault);

    let bogus = json!({"case_id": CASE, "at": "2025-04-02T10:00:00+04:00", "kind": "bogus_kind"});
    let err = cli.fails(
        &[
            "hearing",
            "add",
            "--json",
            &write(p, "bogus.json", &bogus.to_string()),
        ],
        3,
    );
    assert!(err.contains("kind"), "{err}");
    assert!(err.contains("bogus_kind"), "{err}");
    for allowed in [
        "preventive_measure",
        "detention_extension",
        "cassation",
        "other",
    ] {
        assert!(err.contains(allowed), "{allowed} not listed in: {err}");
    }

    let typed = json!({
        "client_id": CLIENT, "type": "access_delayed",
        "occurred": {"at": "2025-03-14T09:00:00+04:00"},
        "facility": {"name": "İVS № 1"}, "minutes_waited": "0"
    });
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--json",
            &write(p, "typed.json", &typed.to_string()),
        ],
        3,
    );
    assert!(err.contains("minutes_waited"), "{err}");
    assert!(!err.contains("record: invalid type"), "{err}");

    // Deep inside: the path names the list entry.
    let deep = json!({
        "client_id": CLIENT, "type": "access_denied",
        "occurred": {"at": "2025-03-14T09:00:00+04:00"},
        "facility": {"name": "İVS № 1", "type": "kazarma"},
        "officials": [{"name": "Kapitan Səmədov"}]
    });
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--json",
            &write(p, "deep.json", &deep.to_string()),
        ],
        3,
    );
    assert!(err.contains("facility.type"), "{err}");
    assert!(err.contains("pretrial_detention"), "{err}");
    let wit = json!({
        "client_id": CLIENT, "type": "access_denied",
        "occurred": {"at": "2025-03-14T09:00:00+04:00"},
        "facility": {"name": "İVS № 1"},
        "witnesses": [{"name": "Anar"}, {"name": "Мать", "kind": "mother"}]
    });
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--json",
            &write(p, "wit.json", &wit.to_string()),
        ],
        3,
    );
    assert!(err.contains("witnesses[1].kind"), "{err}");
    assert_eq!(before, data_fingerprint(&cli.vault), "a refused file wrote");

    // `edit --json` reads the same way: the kind is kept, or refused.
    let h = cli
        .ok(&[
            "hearing",
            "add",
            "--case",
            CASE,
            "--at",
            "2025-04-02 10:00",
            "--kind",
            "appeal",
        ])
        .trim()
        .to_owned();
    let mut shown: Value =
        serde_json::from_str(&cli.ok(&["hearing", "show", &h, "--json"])).unwrap();
    shown["kind"] = "cassation".into();
    cli.ok(&[
        "hearing",
        "edit",
        &h,
        "--json",
        &write(p, "edit.json", &shown.to_string()),
    ]);
    let back: Value = serde_json::from_str(&cli.ok(&["hearing", "show", &h, "--json"])).unwrap();
    assert_eq!(back["kind"], "cassation");
    shown["kind"] = "bogus_kind".into();
    let before_edit = data_fingerprint(&cli.vault);
    let err = cli.fails(
        &[
            "hearing",
            "edit",
            &h,
            "--json",
            &write(p, "edit2.json", &shown.to_string()),
        ],
        3,
    );
    assert!(
        err.contains("kind") && err.contains("preventive_measure"),
        "{err}"
    );
    assert_eq!(before_edit, data_fingerprint(&cli.vault));
}

/// Defect: ids were thrown away, so loading twice duplicated everything
/// and a loader had to re-link references by hand.
#[test]
fn given_ids_are_kept_and_loading_twice_adds_nothing() {
    let (t, cli) = setup();
    let p = t.path();
    client_and_case(p, &cli);
    let clients = list(&cli, "client");
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["id"], CLIENT);
    assert_eq!(list(&cli, "case")[0]["id"], CASE);

    let ids = [
        "7a1e0000-0000-4000-8000-000000000001",
        "7a1e0000-0000-4000-8000-000000000002",
    ];
    let file = write(
        p,
        "incidents.jsonl",
        &ids.iter()
            .enumerate()
            .map(|(n, id)| {
                json!({
                    "id": id, "client_id": CLIENT, "type": "access_denied",
                    "occurred": {"at": format!("2025-03-1{n}T09:30:00+04:00")},
                    "facility": {"name": "Следственный изолятор №1"}
                })
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let first = cli.ok(&["incident", "add", "--json", &file]);
    assert_eq!(lines(&first), ids);
    let after_first = data_fingerprint(&cli.vault);
    let second = cli.ok(&["incident", "add", "--json", &file]);
    assert_eq!(lines(&second), ids, "the second run reports the same ids");
    assert_eq!(list(&cli, "incident").len(), 2, "loading twice duplicated");
    assert_eq!(
        after_first,
        data_fingerprint(&cli.vault),
        "the second run wrote"
    );

    // The same id with other content is not silently replaced…
    let changed = write(
        p,
        "changed.json",
        &json!({
            "id": ids[0], "client_id": CLIENT, "type": "access_delayed",
            "occurred": {"at": "2025-03-10T09:30:00+04:00"},
            "facility": {"name": "Следственный изолятор №1"}
        })
        .to_string(),
    );
    let err = cli.fails(&["incident", "add", "--json", &changed], 3);
    assert!(err.contains(ids[0]) && err.contains("--upsert"), "{err}");
    assert_eq!(after_first, data_fingerprint(&cli.vault));
}

/// Defect: two records under one id in one file were both added.
#[test]
fn two_records_with_one_id_are_refused_naming_both() {
    let (t, cli) = setup();
    let p = t.path();
    client_and_case(p, &cli);
    let id = "7a1e0000-0000-4000-8000-0000000000aa";
    let rec = |facility: &str| {
        json!({
            "id": id, "client_id": CLIENT, "type": "access_denied",
            "occurred": {"at": "2025-03-11T09:30:00+04:00"},
            "facility": {"name": facility}
        })
    };
    let other = json!({
        "client_id": CLIENT, "type": "other",
        "occurred": {"at": "2025-03-12T09:30:00+04:00"}, "facility": {"name": "ИВС"}
    });
    let file = write(
        p,
        "dup.json",
        &json!([rec("Bakı İstintaq Təcridxanası"), other, rec("ИВС")]).to_string(),
    );
    let before = data_fingerprint(&cli.vault);
    let err = cli.fails(&["incident", "add", "--json", &file], 3);
    assert!(err.contains(id), "{err}");
    assert!(
        err.contains("record 1") && err.contains("record 3"),
        "{err}"
    );
    assert_eq!(before, data_fingerprint(&cli.vault));
    assert!(list(&cli, "incident").is_empty());
}

/// `--upsert` updates the record with that id: revision + 1, history
/// kept; a file older than the vault's copy is refused.
#[test]
fn upsert_updates_by_id_with_history() {
    let (t, cli) = setup();
    let p = t.path();
    client_and_case(p, &cli);
    let mut listed = list(&cli, "client");
    assert_eq!(listed[0]["revision"], 1);
    listed[0]["place_of_detention"] = "Kürdəxanı İstintaq Təcridxanası".into();
    listed[0]["risk_flags"] = json!(["ill_treatment", "hunger_strike"]);
    let file = write(p, "edited.json", &Value::Array(listed.clone()).to_string());

    // Without --upsert a changed record is refused, naming the way out.
    let err = cli.fails(&["client", "add", "--json", &file], 3);
    assert!(err.contains("--upsert"), "{err}");

    let out = cli.ok(&["client", "add", "--json", &file, "--upsert"]);
    assert_eq!(lines(&out), [CLIENT]);
    let now = list(&cli, "client");
    assert_eq!(now.len(), 1);
    assert_eq!(now[0]["revision"], 2);
    assert_eq!(
        now[0]["place_of_detention"],
        "Kürdəxanı İstintaq Təcridxanası"
    );
    assert_eq!(now[0]["created_at"], listed[0]["created_at"]);
    let history: Value =
        serde_json::from_str(&cli.ok(&["client", "history", CLIENT, "--json"])).unwrap();
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["op"], "update");
    assert!(history[1]["changes"]["place_of_detention"].is_object());

    // Again: nothing to change, nothing written.
    let before = data_fingerprint(&cli.vault);
    cli.ok(&["client", "add", "--json", &file, "--upsert"]);
    assert_eq!(before, data_fingerprint(&cli.vault));

    // The file says revision 1, the vault has 2: a further edit of the
    // old file would overwrite the change in between, so it is refused.
    listed[0]["notes"] = "Вторая правка".into();
    let stale = write(p, "stale.json", &Value::Array(listed).to_string());
    let err = cli.fails(&["client", "add", "--json", &stale, "--upsert"], 3);
    assert!(err.contains("revision 2") && err.contains(CLIENT), "{err}");
    assert_eq!(before, data_fingerprint(&cli.vault));

    // A new id with --upsert is simply added.
    let new = write(
        p,
        "new.json",
        &json!({"id": "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d99", "full_name": "Лейла Гасанова", "pseudonym": "C-002"})
            .to_string(),
    );
    cli.ok(&["client", "add", "--json", &new, "--upsert"]);
    assert_eq!(list(&cli, "client").len(), 2);
}

/// Defect: a loader needed two passes to re-link references. `vekil load`
/// takes every kind in one file, in any order, all or nothing.
#[test]
fn references_inside_one_file_resolve_whatever_their_order() {
    let (t, cli) = setup();
    let p = t.path();
    let incident_id = "7a1e0000-0000-4000-8000-0000000000b1";
    // Evidence first, then the incident it documents, the case, the
    // client last: the reverse of the order the links need.
    let doc = json!({
        "evidence": [{
            "id": "7a1e0000-0000-4000-8000-0000000000e1", "incident_id": incident_id,
            "kind": "photo", "description": "Təcridxananın girişi"
        }],
        "incidents": [{
            "id": incident_id, "client_id": CLIENT, "case_id": CASE, "type": "permit_refused",
            "occurred": {"at": "2025-03-11T09:30:00+04:00"},
            "facility": {"name": "Bakı İstintaq Təcridxanası"}
        }],
        "hearings": [{
            "id": "7a1e0000-0000-4000-8000-0000000000c1",
            "case_id": CASE, "at": "2025-04-02T10:00:00+04:00", "kind": "appeal"
        }],
        "deadlines": [{
            "id": "7a1e0000-0000-4000-8000-0000000000d1",
            "case_id": CASE, "due": "2025-05-02T18:00:00+04:00", "kind": "cassation"
        }],
        "cases": [{"id": CASE, "client_ids": [CLIENT], "case_number": "1(101)-234/2025"}],
        "clients": [{"id": CLIENT, "full_name": "Rəşad Məmmədov", "pseudonym": "C-001"}]
    });
    let file = write(p, "all.json", &doc.to_string());
    cli.ok(&["load", &file]);
    for kind in [
        "client", "case", "hearing", "deadline", "incident", "evidence",
    ] {
        assert_eq!(list(&cli, kind).len(), 1, "{kind}");
    }
    assert_eq!(list(&cli, "hearing")[0]["kind"], "appeal");
    // Idempotent as well (every record has its id: a record without one
    // is a new record each time, as the README says).
    let before = data_fingerprint(&cli.vault);
    cli.ok(&["load", &file]);
    assert_eq!(before, data_fingerprint(&cli.vault));

    // JSON Lines, tagged by kind, in any order too.
    let (t2, other) = setup();
    let tagged = [
        json!({"incident": doc["incidents"][0]}),
        json!({"case": doc["cases"][0]}),
        json!({"client": doc["clients"][0]}),
    ]
    .iter()
    .map(Value::to_string)
    .collect::<Vec<_>>()
    .join("\n");
    other.ok(&["load", &write(t2.path(), "tagged.jsonl", &tagged)]);
    assert_eq!(list(&other, "incident")[0]["id"], incident_id);

    // A link to nothing, in the file or the vault, names the field.
    let (t3, third) = setup();
    let before = data_fingerprint(&third.vault);
    let broken = json!({"incidents": doc["incidents"], "clients": doc["clients"]});
    let err = third.fails(
        &[
            "load",
            &write(t3.path(), "broken.json", &broken.to_string()),
        ],
        3,
    );
    assert!(err.contains("case_id"), "{err}");
    assert_eq!(before, data_fingerprint(&third.vault));
}

/// Defect: after a crash, resending the unreported tail of a JSON Lines
/// stream duplicated the one record saved but not yet reported. With
/// ids, the resent records are recognised and acknowledged again.
#[test]
fn a_stream_resent_after_a_crash_adds_nothing_twice() {
    let (t, cli) = setup();
    client_and_case(t.path(), &cli);
    let records: Vec<(String, String)> = (0..40)
        .map(|n| {
            let id = format!("7a1e0000-0000-4000-8000-{n:012}");
            let line = json!({
                "id": id, "client_id": CLIENT, "type": "access_denied",
                "occurred": {"at": format!("2025-03-{:02}T09:30:00+04:00", 1 + n % 28)},
                "facility": {"name": format!("İVS № {n}")}
            })
            .to_string();
            (id, line)
        })
        .collect();

    // Send everything, read acknowledgements, and kill the loader (as a
    // crash would) after the fifth one.
    let mut child = cli
        .cmd(&["incident", "add", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let writer = std::thread::spawn(move || {
        for (_, line) in &records {
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
        records
    });
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        acked.push(line.expect("ack"));
        if acked.len() == 5 {
            child.kill().expect("kill");
            break;
        }
    }
    let _ = child.wait();
    let records = writer.join().expect("writer");
    assert_eq!(acked.len(), 5);
    let saved = list(&cli, "incident").len();
    assert!(saved >= 5, "acknowledged records were lost");

    // Resume as the README says: resend from the first unacknowledged.
    let tail: String = records[acked.len()..]
        .iter()
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let mut child = cli
        .cmd(&["incident", "add", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(tail.as_bytes())
        .expect("send");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let acked_again = lines(&String::from_utf8(out.stdout).unwrap());
    let expected: Vec<&String> = records[5..].iter().map(|(id, _)| id).collect();
    assert_eq!(acked_again.iter().collect::<Vec<_>>(), expected);
    let all = list(&cli, "incident");
    assert_eq!(all.len(), records.len(), "a resent record was added twice");
    assert!(cli.ok(&["verify-vault"]).contains("intact"));
}
