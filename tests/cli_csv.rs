//! Spreadsheet loading (issue 11, point 3): export the incident CSV, edit
//! it the way LibreOffice saves it, load it back with `--upsert`.
//!
//! Before this, `incident add` had no `--csv`: an NGO or lawyer could not
//! bring a corrected table back at all.

mod common;

use common::{data_fingerprint, fast, pass, Cli};
use serde_json::{json, Value};
use std::path::Path;
use vekil::vault::Vault;

const CLIENT: &str = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d01";
const CASE: &str = "5d0c6a5e-2f43-4b8e-9a0e-6c1f2b3a4d02";
const I1: &str = "7a1e0000-0000-4000-8000-000000000c01";
const I2: &str = "7a1e0000-0000-4000-8000-000000000c02";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

fn incidents(cli: &Cli) -> Vec<Value> {
    let out = cli.ok(&["incident", "list", "--json", "--oldest-first"]);
    serde_json::from_str::<Value>(&out)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn find<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter().find(|i| i["id"] == id).expect("incident")
}

/// A vault with a client, a case and two incidents full of what the
/// table flattens (officials, witnesses with their kind, remedies,
/// consent) and a note that looks like a formula.
fn setup() -> (tempfile::TempDir, Cli) {
    let t = tempfile::tempdir().expect("temp dir");
    let cli = Cli::new(t.path());
    let (v, _) = Vault::create_with(&cli.vault, &pass(), &fast()).expect("vault");
    v.close().expect("close");
    let doc = json!({
        "clients": [{"id": CLIENT, "full_name": "Rəşad Məmmədov", "pseudonym": "C-001"}],
        "cases": [{"id": CASE, "client_ids": [CLIENT], "case_number": "1(101)-234/2025"}],
        "incidents": [{
            "id": I1, "client_id": CLIENT, "case_id": CASE, "type": "access_denied",
            "occurred": {"at": "2025-03-11T00:00:00+04:00", "precision": "day"},
            "facility": {"name": "Bakı İstintaq Təcridxanası", "type": "pretrial_detention",
                         "region": "Bakı", "identifying": true},
            "officials": [{"rank": "Kapitan", "name": "Səmədov", "unit": "İstintaq şöbəsi", "badge": "0457"}],
            "witnesses": [{"name": "Gülnarə Məmmədova", "kind": "relative", "role": "anası", "contact": "+994501234567"}],
            "remedies": [{"complaint_to": "Baş Prokurorluq", "filed_on": "2025-03-12", "reference": "12/345",
                          "response": "Cavab yoxdur", "response_on": "2025-04-01"}],
            "consent": [{"recipient": "Hüquq Müdafiə Mərkəzi", "granted": true}],
            "confidentiality": "confidential",
            "standards": ["echr_6_3_c", "un_bprl_8"], "domestic_articles": ["CPM 92.3"],
            "reason_given": "Müstəntiqin icazəsi yoxdur", "written_refusal": true,
            "notes": "=HYPERLINK(\"http://example.invalid\",\"bax\")"
        }, {
            "id": I2, "client_id": CLIENT, "type": "access_delayed",
            "occurred": {"at": "2025-03-14T09:30:00+04:00"},
            "facility": {"name": "Следственный изолятор № 1"},
            "minutes_waited": 150, "reason_given": "Нет пропуска", "status": "final"
        }]
    });
    cli.ok(&["load", &write(t.path(), "seed.json", &doc.to_string())]);
    (t, cli)
}

fn export_csv(t: &Path, cli: &Cli) -> String {
    let out = t.join("incidents.csv");
    cli.ok(&["export", "--format", "csv", "--out", &out.to_string_lossy()]);
    std::fs::read_to_string(out).expect("csv")
}

/// The table as LibreOffice Calc saves it with the default filter
/// options: no byte-order mark, LF line ends, every text cell quoted.
fn as_libreoffice_saves(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    if c.is_empty() || c.chars().all(|ch| ch.is_ascii_digit()) {
                        c.clone()
                    } else {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|l| l + "\n")
        .collect()
}

fn read_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    r.records()
        .map(|x| x.expect("row").iter().map(str::to_owned).collect())
        .collect()
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|c| c == name).expect("column")
}

#[test]
fn an_exported_table_loads_back_unchanged() {
    let (t, cli) = setup();
    let text = export_csv(t.path(), &cli);
    assert!(text.contains("'=HYPERLINK"), "export neutralises formulas");
    let before = data_fingerprint(&cli.vault);
    let file = write(t.path(), "same.csv", &text);
    let out = cli.ok(&["incident", "add", "--csv", &file, "--upsert"]);
    assert_eq!(out.lines().collect::<Vec<_>>(), [I1, I2]);
    assert_eq!(
        before,
        data_fingerprint(&cli.vault),
        "loading the export wrote"
    );
    // Without --upsert too: nothing changed, so nothing to refuse.
    cli.ok(&["incident", "add", "--csv", &file]);
    assert_eq!(before, data_fingerprint(&cli.vault));
}

#[test]
fn a_table_edited_in_a_spreadsheet_updates_and_adds_by_id() {
    let (t, cli) = setup();
    let before = incidents(&cli);
    let mut rows = read_rows(&export_csv(t.path(), &cli));
    let (reason, facility, status, officials, id) = (
        col(&rows, "reason_given"),
        col(&rows, "facility"),
        col(&rows, "status"),
        col(&rows, "officials"),
        col(&rows, "incident_id"),
    );
    let r1 = rows.iter().position(|r| r[id] == I1).expect("row of I1");
    let r2 = rows.iter().position(|r| r[id] == I2).expect("row of I2");
    rows[r1][reason] = "Müstəntiq icazə vermədi; növbəti gün gəlin, dedi".into();
    rows[r1][officials] = format!("{}; Лейтенант Гусейнов", rows[r1][officials]);
    rows[r2][facility] = "Следственный изолятор № 1 (Баку)".into();
    rows[r2][status] = "draft".into();
    // An added row: no id, no revision; derived columns left empty.
    let mut new = vec![String::new(); rows[0].len()];
    for (name, value) in [
        ("client_id", CLIENT),
        ("type", "permit_refused"),
        ("occurred_at", "2025-03-20T00:00:00+04:00"),
        ("date_precision", "day"),
        ("facility", "Kürdəxanı İstintaq Təcridxanası"),
        ("facility_type", "pretrial_detention"),
        ("reason_given", "İcazə vərəqəsi etibarsızdır"),
        ("written_refusal", "no"),
        ("status", "draft"),
        ("notes", "'-qeyd"),
    ] {
        new[col(&rows, name)] = value.into();
    }
    rows.push(new);
    rows.push(vec![String::new(); rows[0].len()]); // a blank row at the end
    let saved = as_libreoffice_saves(&rows);
    let file = write(t.path(), "edited.csv", &saved);

    // Without --upsert the changed rows are refused, naming the way out.
    let fp = data_fingerprint(&cli.vault);
    let err = cli.fails(&["incident", "add", "--csv", &file], 3);
    assert!(err.contains("--upsert") && err.contains("row "), "{err}");
    assert_eq!(fp, data_fingerprint(&cli.vault));

    let out = cli.ok(&["incident", "add", "--csv", &file, "--upsert"]);
    assert_eq!(out.lines().count(), 3);
    let after = incidents(&cli);
    assert_eq!(after.len(), 3);

    let (b1, a1) = (find(&before, I1), find(&after, I1));
    assert_eq!(a1["revision"], 2);
    assert_eq!(
        a1["reason_given"],
        "Müstəntiq icazə vermədi; növbəti gün gəlin, dedi"
    );
    // The official written as exported keeps its parts; the added one is a name.
    assert_eq!(a1["officials"][0], b1["officials"][0]);
    assert_eq!(a1["officials"][1]["name"], "Лейтенант Гусейнов");
    // What the table does not hold, or holds unchanged, is kept whole.
    for field in [
        "witnesses",
        "remedies",
        "consent",
        "confidentiality",
        "standards",
        "occurred",
        "notes",
        "created_at",
        "domestic_articles",
    ] {
        assert_eq!(a1[field], b1[field], "{field} changed");
    }
    assert_eq!(
        a1["facility"], b1["facility"],
        "identifying is not in the table"
    );

    let a2 = find(&after, I2);
    assert_eq!(a2["facility"]["name"], "Следственный изолятор № 1 (Баку)");
    assert_eq!(a2["status"], "draft");
    assert_eq!(a2["minutes_waited"], 150);

    let added = after
        .iter()
        .find(|i| i["id"] != I1 && i["id"] != I2)
        .expect("the added row");
    assert_eq!(added["type"], "permit_refused");
    assert_eq!(added["occurred"]["precision"], "day");
    assert_eq!(added["occurred"]["at"], "2025-03-20T00:00:00+04:00");
    assert_eq!(added["notes"], "-qeyd", "exactly one leading ' is removed");
    assert_eq!(added["revision"], 1);

    let history: Value =
        serde_json::from_str(&cli.ok(&["incident", "history", I1, "--json"])).expect("json");
    assert_eq!(history.as_array().expect("array").len(), 2);
}

#[test]
fn a_bad_cell_names_its_row_and_column_and_changes_nothing() {
    let (t, cli) = setup();
    let mut rows = read_rows(&export_csv(t.path(), &cli));
    let ft = col(&rows, "facility_type");
    rows[2][ft] = "kazarma".into();
    let text = as_libreoffice_saves(&rows).replace('\n', "\r\n");
    let fp = data_fingerprint(&cli.vault);
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--csv",
            &write(t.path(), "bad.csv", &text),
            "--upsert",
        ],
        3,
    );
    assert!(
        err.contains("row 3") && err.contains("facility_type"),
        "{err}"
    );
    assert!(
        err.contains("kazarma") && err.contains("pretrial_detention"),
        "{err}"
    );

    rows[2][ft] = "pretrial_detention".into();
    let mw = col(&rows, "minutes_waited");
    rows[1][mw] = "iki saat".into();
    let text = as_libreoffice_saves(&rows);
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--csv",
            &write(t.path(), "bad2.csv", &text),
            "--upsert",
        ],
        3,
    );
    assert!(
        err.contains("row 2") && err.contains("minutes_waited"),
        "{err}"
    );

    // A column the table never had is named, with the ones it has.
    let mut rows2 = rows.clone();
    let notes = col(&rows, "notes");
    rows2[0][notes] = "qeydlər".into();
    let text = as_libreoffice_saves(&rows2);
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--csv",
            &write(t.path(), "bad3.csv", &text),
            "--upsert",
        ],
        3,
    );
    assert!(
        err.contains("qeydlər") && err.contains("incident_id"),
        "{err}"
    );
    assert_eq!(fp, data_fingerprint(&cli.vault));

    // --csv is for incidents.
    cli.fails(
        &["client", "add", "--csv", &write(t.path(), "c.csv", "x\n")],
        1,
    );
}
