//! CSV, ICS and HURIDOCS outputs, parsed back and checked.

mod export_support;

use export_support::*;
use vekil::export::{self, ExportOptions};

fn full_set(f: &Fixture) -> export::ExportSet<'_> {
    export::select(&f.vault, &ExportOptions::default()).expect("select")
}

#[test]
fn csv_is_rfc4180_with_bom_and_reads_back() {
    let f = fixture();
    let set = full_set(&f);
    let mut out = vec![];
    export::csv::write(&set, vekil::export::Lang::En, &mut out).expect("csv");
    assert!(out.starts_with("\u{feff}".as_bytes()), "no UTF-8 BOM");
    let text = std::str::from_utf8(&out[3..]).expect("UTF-8");
    // Every line ends with CRLF (quoted fields may hold bare newlines; ours do not).
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    let mut r = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers: Vec<String> = r
        .headers()
        .expect("headers")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(headers, export::csv::COLUMNS.to_vec());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
    assert_eq!(rows.len(), 5);
    let col = |name: &str| {
        export::csv::COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("column")
    };
    let row = rows
        .iter()
        .find(|r| r[col("incident_id")] == f.inc_consented.to_string())
        .expect("incident row");
    assert_eq!(
        &row[col("reason_given")],
        "Müstəntiq icazə vermədi; ğ ı ö ş ç ü İ Ə"
    );
    assert_eq!(
        &row[col("facility")],
        "Bakı şəhəri 1 saylı İstintaq Təcridxanası"
    );
    assert_eq!(&row[col("hours_since_arrest")], "25.5");
    assert_eq!(&row[col("type")], "access_denied");
    assert!(row[col("standards")].contains("ECHR art. 6(3)(c)"));
    let ru = rows
        .iter()
        .find(|r| r[col("incident_id")] == f.inc_health.to_string())
        .expect("row");
    assert!(ru[col("reason_given")].contains("«тайну следствия»"));
}

#[test]
fn csv_ngo_profile_leaves_removed_cells_empty() {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let mut out = vec![];
    export::csv::write(&set, vekil::export::Lang::En, &mut out).expect("csv");
    let text = String::from_utf8(out).expect("utf8");
    assert!(!text.contains("Əli Həsənov"));
    assert!(!text.contains("WITNESS-CONTACT"));
    assert!(!text.contains("HEALTH-DETAIL"));
    assert!(text.contains("Client A-17"));
}

fn unfold(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn ics_is_rfc5545_and_parses_back() {
    let f = fixture();
    let set = full_set(&f);
    let mut out = vec![];
    export::ics::write(&set, &mut out).expect("ics");
    let text = String::from_utf8(out).expect("utf8");
    assert!(text.ends_with("\r\n"));
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "bare LF"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line over 75 octets: {line:?}");
    }
    let lines = unfold(&text);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0".to_string()));
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    assert_eq!(lines.iter().filter(|l| *l == "END:VEVENT").count(), 2);
    // 10:00 +04:00 is 06:00 UTC.
    assert!(
        lines.contains(&"DTSTART:20250601T060000Z".to_string()),
        "{lines:#?}"
    );
    // Commas and semicolons escaped; text intact after unfolding.
    let loc = lines
        .iter()
        .find(|l| l.starts_with("LOCATION:"))
        .expect("location");
    assert_eq!(loc, "LOCATION:Bakı\\, Nəsimi rayon məhkəməsi\\; zal 3");
    assert!(lines
        .iter()
        .any(|l| l.starts_with("SUMMARY:Deadline: appeal (case 1-2025/0117)")));
    for l in &lines {
        let (name, _) = l.split_once(':').expect("NAME:value");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_uppercase() || c == '-' || c == ';' || c == '='),
            "bad property name {name}"
        );
    }
    // Every event has the required UID and DTSTAMP.
    let uids = lines.iter().filter(|l| l.starts_with("UID:")).count();
    let stamps = lines.iter().filter(|l| l.starts_with("DTSTAMP:")).count();
    assert_eq!((uids, stamps), (2, 2));
}

#[test]
fn huridocs_uses_only_documented_codes() {
    let f = fixture();
    let set = full_set(&f);
    let mut out = vec![];
    export::huridocs::write(&set, &mut out).expect("huridocs");
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let events = v["events"].as_array().expect("events");
    assert_eq!(events.len(), 5);
    let denied = events
        .iter()
        .find(|e| e["event_record_number"] == f.inc_consented.to_string())
        .expect("event");
    let codes: Vec<&str> = denied["acts"]
        .as_array()
        .expect("acts")
        .iter()
        .map(|a| a["type_of_act"]["huri_code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, vec!["350109000000", "350113000000"]);
    assert_eq!(denied["acts"][0]["victim"], f.client_a.to_string());
    assert_eq!(
        denied["perpetrators"][0]["type_of_perpetrator"]["term"],
        "Prison officials"
    );
    assert_eq!(
        denied["international_instruments"][0]["huri_code"],
        "170600000000"
    );
    // Every code written is listed in docs/formats/huridocs.md.
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/formats/huridocs.md"),
    )
    .expect("docs/formats/huridocs.md");
    let text = v.to_string();
    let mut n = 0;
    for (i, _) in text.match_indices("\"huri_code\":\"") {
        let code = &text[i + 13..i + 25];
        assert!(doc.contains(code), "code {code} is not documented");
        n += 1;
    }
    assert!(n > 5);
    // A lawyer-targeted act names the lawyer as victim.
    let threatened = events
        .iter()
        .find(|e| e["event_record_number"] == f.inc_public.to_string())
        .expect("event");
    assert_eq!(
        threatened["acts"][0]["type_of_act"]["huri_code"],
        "020103010000"
    );
    assert!(threatened["acts"][0]["victim"]
        .as_str()
        .expect("victim")
        .ends_with("-lawyer"));
}
