//! Exports let out nothing the client did not agree to (issue 9):
//! drafts, names that come back through free text, spreadsheet formulas,
//! plain files that others can read, a manifest that proves both sides of
//! a cleaned attachment, and reports in the reader's language. Each test
//! goes through the CLI, as a lawyer would.

mod export_support;
mod media_support;

use export_support::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use vekil::model::*;

struct Lawyer {
    tmp: tempfile::TempDir,
    vault: PathBuf,
    ngo_key: PathBuf,
}

impl Lawyer {
    /// A closed vault with one client, built by `fill`, and the NGO in the
    /// address book.
    fn new(fill: impl FnOnce(&vekil::Vault, uuid::Uuid)) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let vault = tmp.path().join("lawyer");
        let v = new_vault(&vault);
        let ngo_key = tmp.path().join("ngo-key.txt");
        let public = vekil::import::keygen(&ngo_key).expect("keygen");
        vekil::export::recipients::add(&v, NGO, &public).expect("recipient");
        let c = v
            .insert(Client::new("Əli Həsənov", "C-017"))
            .expect("client");
        fill(&v, c.id);
        v.close().expect("close");
        Self {
            tmp,
            vault,
            ngo_key,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let home = self.tmp.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        Command::new(env!("CARGO_BIN_EXE_vekil"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("TMPDIR", &home)
            .env("VEKIL_VAULT", &self.vault)
            .env("VEKIL_PASSPHRASE", PASS)
            .output()
            .expect("run vekil")
    }

    fn out(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn consented(client: uuid::Uuid, facility: &str, status: RecordStatus) -> Incident {
    let mut i = Incident::quick(
        client,
        facility,
        t("2025-03-11T09:30:00+04:00"),
        IncidentType::AccessDenied,
    );
    i.consent = vec![Consent {
        recipient: NGO.into(),
        granted: true,
        include_health: false,
        recorded_on: None,
    }];
    i.status = status;
    i
}

fn preview_json(l: &Lawyer, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "export",
        "--format",
        "json",
        "--profile",
        "ngo",
        "--to",
        NGO,
        "--preview",
        "--json",
    ];
    args.extend(extra);
    let o = l.run(&args);
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).expect("preview JSON")
}

#[test]
fn drafts_stay_home_unless_the_export_says_so() {
    let l = Lawyer::new(|v, c| {
        v.insert(consented(c, "Kürdəxanı", RecordStatus::Draft))
            .expect("draft");
        v.insert(consented(c, "Zabrat", RecordStatus::Final))
            .expect("final");
    });
    let p = preview_json(&l, &[]);
    let incidents: Vec<_> = p["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["kind"] == "incident")
        .collect();
    assert_eq!(incidents.len(), 1, "only the final incident leaves");
    assert_eq!(incidents[0]["title"]["facility"], "Zabrat");
    let held: Vec<_> = p["excluded"]
        .as_array()
        .expect("excluded")
        .iter()
        .filter(|e| e["reason"]["code"] == "draft")
        .collect();
    assert_eq!(held.len(), 1, "the draft is listed as held back: {p}");

    let out = l.out("ngo.json");
    let o = l.run(&[
        "export",
        "--format",
        "json",
        "--profile",
        "ngo",
        "--to",
        NGO,
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let log = std::fs::read_to_string(&out).expect("log");
    assert!(!log.contains("Kürdəxanı"));

    let p = preview_json(&l, &["--include-drafts"]);
    let n = p["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["kind"] == "incident")
        .count();
    assert_eq!(n, 2, "--include-drafts lets the draft leave");
    // The lawyer's own backup keeps everything.
    let out = l.out("backup.json");
    let o = l.run(&[
        "export",
        "--format",
        "json",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(&out)
        .expect("log")
        .contains("Kürdəxanı"));
}

#[test]
fn a_removed_name_in_kept_text_stops_the_export_until_confirmed() {
    let l = Lawyer::new(|v, c| {
        let mut i = consented(c, "Kürdəxanı", RecordStatus::Final);
        // The witness's name, declined and in capitals, and the client's
        // surname typed without Azerbaijani letters.
        i.witnesses = vec![Witness {
            name: "Səkinə Qasımlı".into(),
            kind: WitnessKind::Relative,
            role: "client's mother".into(),
            contact: "+994 50 111 22 33".into(),
        }];
        i.reason_given = "Müstəntiq QASIMLINI qapıda saxladı; Hesenov gözlədi".into();
        v.insert(i).expect("incident");
    });
    let p = preview_json(&l, &[]);
    let hits = p["hits"].as_array().expect("hits");
    let matched: Vec<&str> = hits.iter().filter_map(|h| h["matched"].as_str()).collect();
    assert_eq!(matched, ["QASIMLINI", "Hesenov"], "{p}");
    assert_eq!(hits[0]["field"], "reason_given");
    assert_eq!(hits[0]["name_of"], "witness");
    assert_eq!(hits[1]["name_of"], "client");

    let out = l.out("ngo.csv");
    let o = l.run(&[
        "export",
        "--format",
        "csv",
        "--profile",
        "ngo",
        "--to",
        NGO,
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    assert!(
        text(&o).contains("QASIMLINI"),
        "the error lists the hits: {}",
        text(&o)
    );
    assert!(
        !out.exists(),
        "nothing is written while hits are unconfirmed"
    );

    let o = l.run(&[
        "export",
        "--format",
        "csv",
        "--profile",
        "ngo",
        "--to",
        NGO,
        "--accept-hits",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let csv = std::fs::read_to_string(&out).expect("csv");
    assert!(
        csv.contains("relative 1"),
        "the witness leaves as a kind and number"
    );
    assert!(!csv.contains("Səkinə") && !csv.contains("mother"));
}

#[test]
fn csv_cells_never_become_formulas() {
    let starts = [
        "=HYPERLINK(\"http://x\")",
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tTAB",
        "\rCR",
    ];
    let l = Lawyer::new(|v, c| {
        for (n, s) in starts.iter().enumerate() {
            let mut i = consented(c, &format!("F{n}"), RecordStatus::Final);
            i.notes = (*s).into();
            i.notes_shareable = true;
            i.reason_given = format!("{s} reason");
            v.insert(i).expect("incident");
        }
    });
    for (args, file) in [
        (vec!["--profile", "full"], "plain.csv"),
        (vec!["--profile", "ngo", "--to", NGO], "ngo.csv"),
    ] {
        let out = l.out(file);
        let mut a = vec!["export", "--format", "csv", "--out"];
        let p = out.to_string_lossy().into_owned();
        a.push(&p);
        a.extend(args);
        let o = l.run(&a);
        assert!(o.status.success(), "{}", text(&o));
        let bytes = std::fs::read(&out).expect("csv");
        let body = bytes.strip_prefix("\u{feff}".as_bytes()).expect("BOM");
        let mut r = csv::ReaderBuilder::new().from_reader(body);
        let headers = r.headers().expect("headers").clone();
        let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
        let mut seen = 0;
        for row in r.records() {
            let row = row.expect("row");
            for c in [col("notes"), col("reason_given")] {
                let cell = &row[c];
                let first = cell.chars().next().unwrap_or(' ');
                assert!(
                    !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r'),
                    "{file}: cell {cell:?} would be a formula"
                );
                assert!(
                    starts.iter().any(|s| cell.starts_with(&format!("'{s}"))),
                    "{cell:?}"
                );
            }
            seen += 1;
        }
        assert_eq!(seen, starts.len());
    }
}

#[cfg(unix)]
#[test]
fn plain_exports_are_private_atomic_and_never_overwrite() {
    use std::os::unix::fs::PermissionsExt;
    let l = Lawyer::new(|v, c| {
        v.insert(consented(c, "Şüvəlan", RecordStatus::Final))
            .expect("incident");
    });
    for format in ["json", "csv", "pdf", "ics", "huridocs"] {
        let out = l.out(&format!("export.{format}"));
        let o = l.run(&[
            "export",
            "--format",
            format,
            "--out",
            &out.to_string_lossy(),
        ]);
        assert!(o.status.success(), "{format}: {}", text(&o));
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{format} is readable by others");
        let before = std::fs::read(&out).expect("read");
        let o = l.run(&[
            "export",
            "--format",
            format,
            "--out",
            &out.to_string_lossy(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(3),
            "{format}: an existing file is refused: {}",
            text(&o)
        );
        assert_eq!(std::fs::read(&out).expect("read"), before);
    }
    // A link planted where the export goes is not written through.
    let victim = l.out("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let link = l.out("planted.json");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let o = l.run(&[
        "export",
        "--format",
        "json",
        "--replace",
        "--out",
        &link.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    // No temporary file is left beside the exports.
    let leftovers: Vec<_> = std::fs::read_dir(l.tmp.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(leftovers.is_empty());
}

fn unpack(l: &Lawyer, bundle: &Path) -> PathBuf {
    let tar = l.out("bundle.tar");
    let o = tool("age", "age")
        .arg("-d")
        .arg("-i")
        .arg(&l.ngo_key)
        .arg("-o")
        .arg(&tar)
        .arg(bundle)
        .output()
        .expect("age");
    assert!(
        o.status.success(),
        "age: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = l.out("unpacked");
    std::fs::create_dir_all(&dir).expect("dir");
    let o = Command::new("tar")
        .arg("xf")
        .arg(&tar)
        .arg("-C")
        .arg(&dir)
        .output()
        .expect("tar");
    assert!(o.status.success());
    dir
}

#[test]
fn the_manifest_lists_every_file_and_the_originals_of_cleaned_copies() {
    let mut original_sha = String::new();
    // A phone photo with GPS in its EXIF block.
    let jpeg = media_support::jpeg_phone(16, 16);
    let l = Lawyer::new(|v, c| {
        let i = v
            .insert(consented(c, "Kürdəxanı", RecordStatus::Final))
            .expect("incident");
        let mut e = EvidenceNote::new("Photo of the refusal notice");
        e.incident_ids = vec![i.id];
        let e = v.insert(e).expect("evidence");
        original_sha = v
            .attach(e.id, "Həsənov_refusal.jpg", &jpeg)
            .expect("attach")
            .sha256;
    });
    let bundle = l.out("ngo.age");
    let o = l.run(&[
        "export",
        "--format",
        "bundle",
        "--profile",
        "ngo",
        "--to",
        NGO,
        "--out",
        &bundle.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let dir = unpack(&l, &bundle);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    let files = manifest["files"].as_array().expect("files");
    let listed: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(
        listed.contains(&"report.pdf"),
        "the report is in the signed manifest: {listed:?}"
    );
    // Every file in the archive but the manifest and signatures is listed.
    for entry in walk_names(&dir) {
        if entry == "manifest.json" || entry.ends_with(".minisig") {
            continue;
        }
        assert!(
            listed.contains(&entry.as_str()),
            "{entry} is not in the manifest"
        );
    }
    let photo = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("attachments/"))
        })
        .expect("photo");
    assert_eq!(
        photo["derived_from"],
        original_sha.as_str(),
        "the NGO can match the lawyer's original"
    );
    assert_ne!(photo["sha256"], original_sha.as_str());
    // Stock sha256sum agrees with every listed hash.
    let sums: String = files
        .iter()
        .map(|f| {
            format!(
                "{}  {}\n",
                f["sha256"].as_str().unwrap_or(""),
                f["path"].as_str().unwrap_or("")
            )
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums).expect("sums");
    let o = Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&dir)
        .output()
        .expect("sha256sum");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // The file name the lawyer gave (a surname) does not leave.
    let log = std::fs::read_to_string(dir.join("log.json")).expect("log");
    assert!(!log.contains("Həsənov_refusal"), "{log}");
    assert!(log.contains("evidence-1.jpg"));
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[test]
fn reports_are_written_in_the_readers_language() {
    let l = Lawyer::new(|v, c| {
        v.insert(consented(c, "Kürdəxanı", RecordStatus::Final))
            .expect("incident");
    });
    for (lang, title, label) in [
        ("en", "Incident log", "Access denied"),
        ("az", "Hadisələr jurnalı", "Vəkilə görüş rədd edildi"),
        ("ru", "Журнал инцидентов", "Отказ в свидании с адвокатом"),
    ] {
        let pdf = l.out(&format!("report-{lang}.pdf"));
        let o = l.run(&[
            "export",
            "--format",
            "pdf",
            "--lang",
            lang,
            "--out",
            &pdf.to_string_lossy(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let o = tool("pdftotext", "poppler-utils")
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(title), "{lang}: {text}");
        assert!(text.contains(label), "{lang}: {text}");

        let csv = l.out(&format!("table-{lang}.csv"));
        let o = l.run(&[
            "export",
            "--format",
            "csv",
            "--lang",
            lang,
            "--out",
            &csv.to_string_lossy(),
        ]);
        assert!(o.status.success());
        let body = std::fs::read_to_string(&csv).expect("csv");
        let header = body.lines().next().unwrap_or_default();
        assert!(
            header.contains("type_label"),
            "column keys stay the same: {header}"
        );
        assert!(body.contains(label), "{lang}: {body}");
        assert!(body.contains("access_denied"), "codes stay the same");
    }
}
