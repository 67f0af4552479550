//! Dates mean what the lawyer meant (issue 11.4): every day boundary is
//! drawn in the vault's time zone, a day-only date is never shown with a
//! time, JSON takes dates alone, and impossible years are refused.
//!
//! Each test drives the `vekil` binary the way the user who reported the
//! defects did. The vault is made with cheap key derivation first so the
//! many CLI runs stay fast.

mod common;
use common::{data_fingerprint, new_vault, Cli};
use serde_json::{json, Value};

/// A vault with one client, opened by the CLI with `TZ` set to `tz`.
struct Setup {
    _tmp: tempfile::TempDir,
    cli: Cli,
    tz: Option<&'static str>,
    client: String,
}

impl Setup {
    fn new(tz: Option<&'static str>) -> Self {
        let (tmp, _dir, v, _) = new_vault();
        drop(v);
        let cli = Cli::new(tmp.path());
        let mut s = Setup {
            _tmp: tmp,
            cli,
            tz,
            client: String::new(),
        };
        s.client = s
            .ok(&[
                "client",
                "add",
                "--name",
                "Leyla Həsənova",
                "--pseudonym",
                "C-7",
                "--arrested-at",
                "2025-02-27T18:00:00+04:00",
            ])
            .trim()
            .to_owned();
        s
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut c = self.cli.cmd(args);
        if let Some(tz) = self.tz {
            c.env("TZ", tz);
        }
        c.output().expect("run vekil")
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "vekil {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).expect("utf-8")
    }

    fn fails(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(code), "vekil {args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    fn incident(&self, at: &str, facility: &str) -> String {
        self.ok(&[
            "incident",
            "add",
            "--client",
            "C-7",
            "--facility",
            facility,
            "--type",
            "access_denied",
            "--at",
            at,
        ])
        .trim()
        .to_owned()
    }

    fn file(&self, name: &str, body: &str) -> String {
        let p = self.cli.tmp.join(name);
        std::fs::write(&p, body).expect("write");
        p.to_string_lossy().into_owned()
    }

    fn ids(json_list: &str) -> Vec<String> {
        let v: Value = serde_json::from_str(json_list).expect("json");
        let mut ids: Vec<String> = v
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_owned())
            .collect();
        ids.sort();
        ids
    }
}

/// The four edges of March in Baku (UTC+4) and a day-only date.
struct March {
    first_hour: String,
    last_minutes: String,
    april: String,
    february: String,
    day_only: String,
}

fn march(s: &Setup) -> March {
    March {
        // 1 March 01:00 in Baku is still 28 February in UTC.
        first_hour: s.incident("2025-03-01T01:00:00+04:00", "Bakı İSS-1"),
        last_minutes: s.incident("2025-03-31T23:30:00+04:00", "Bakı İSS-1"),
        // 1 April 02:00 in Baku is still 31 March in UTC.
        april: s.incident("2025-04-01T02:00:00+04:00", "Bakı İSS-1"),
        february: s.incident("2025-02-28T23:00:00+04:00", "Bakı İSS-1"),
        day_only: s.incident("2025-03-06", "Gəncə İVS"),
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn an_export_for_march_in_baku_holds_march_in_baku_as_lists_and_stats_do() {
    let s = Setup::new(Some("Asia/Baku"));
    let m = march(&s);
    let want = sorted(vec![
        m.first_hour.clone(),
        m.last_minutes.clone(),
        m.day_only.clone(),
    ]);

    let out = s.cli.tmp.join("march.json");
    s.ok(&[
        "export",
        "--format",
        "json",
        "--from",
        "2025-03-01",
        "--to-date",
        "2025-03-31",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let log: Value = serde_json::from_slice(&std::fs::read(&out).expect("read")).expect("json");
    let mut exported: Vec<String> = log["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    exported.sort();
    assert_eq!(
        exported, want,
        "export --from/--to-date in the vault's zone"
    );

    let listed = s.ok(&[
        "incident",
        "list",
        "--from",
        "2025-03-01",
        "--until",
        "2025-03-31",
        "--json",
    ]);
    assert_eq!(Setup::ids(&listed), want, "incident list --from/--until");
    // A month names the whole month.
    let listed = s.ok(&[
        "incident", "list", "--from", "2025-03", "--until", "2025-03", "--json",
    ]);
    assert_eq!(Setup::ids(&listed), want, "--from/--until 2025-03");

    let stats: Value = serde_json::from_str(&s.ok(&["stats", "--json"])).expect("json");
    assert_eq!(stats["by_month"]["2025-03"], json!(3), "{stats}");
    assert_eq!(stats["by_month"]["2025-04"], json!(1), "{stats}");
    assert_eq!(stats["by_month"]["2025-02"], json!(1), "{stats}");
    assert!(!exported.contains(&m.april) && !exported.contains(&m.february));
}

#[test]
fn the_vaults_own_zone_draws_the_boundaries_whatever_the_computers() {
    // The computer is in UTC; the vault is told it lives in Baku.
    let s = Setup::new(Some("UTC"));
    let m = march(&s);
    let shown = s.ok(&["time-zone"]);
    assert!(shown.contains("UTC"), "{shown}");
    s.ok(&["time-zone", "Asia/Baku"]);
    let shown: Value = serde_json::from_str(&s.ok(&["time-zone", "--json"])).expect("json");
    assert_eq!(shown["zone"], "Asia/Baku");
    assert_eq!(shown["follows_computer"], false);
    let listed = s.ok(&[
        "incident",
        "list",
        "--from",
        "2025-04-01",
        "--until",
        "2025-04-30",
        "--json",
    ]);
    assert_eq!(Setup::ids(&listed), vec![m.april.clone()]);
    let err = s.fails(&["time-zone", "Baku"], 3);
    assert!(err.contains("Asia/Baku"), "{err}");
    s.ok(&["time-zone", "--computer"]);
    let listed = s.ok(&[
        "incident",
        "list",
        "--from",
        "2025-04-01",
        "--until",
        "2025-04-30",
        "--json",
    ]);
    assert_eq!(
        Setup::ids(&listed),
        Vec::<String>::new(),
        "back to UTC days"
    );
}

#[test]
fn a_day_only_date_is_shown_without_a_time_in_lists_and_the_pdf() {
    let s = Setup::new(Some("Asia/Baku"));
    let m = march(&s);
    let table = s.ok(&["incident", "list"]);
    let row = table
        .lines()
        .find(|l| l.starts_with(&m.day_only[..8]))
        .unwrap_or_else(|| panic!("no row for the day-only incident: {table}"));
    assert!(row.contains("2025-03-06"), "{row}");
    assert!(!row.contains("00:00"), "a false time: {row}");
    let timed = table
        .lines()
        .find(|l| l.starts_with(&m.last_minutes[..8]))
        .expect("row");
    assert!(timed.contains("2025-03-31 23:30"), "{timed}");

    let pdf = s.cli.tmp.join("log.pdf");
    s.ok(&[
        "export",
        "--format",
        "pdf",
        "--out",
        pdf.to_str().expect("utf-8"),
    ]);
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("2025-03-06"), "{text}");
    assert!(
        !text.contains("2025-03-06 00:00"),
        "the PDF gives a day-only date a false time: {text}"
    );
    assert!(text.contains("2025-03-31 23:30 (UTC+04:00)"), "{text}");

    let csv = s.cli.tmp.join("log.csv");
    s.ok(&[
        "export",
        "--format",
        "csv",
        "--out",
        csv.to_str().expect("utf-8"),
    ]);
    let csv = std::fs::read_to_string(&csv).expect("csv");
    let line = csv
        .lines()
        .find(|l| l.contains(&m.day_only))
        .expect("csv row");
    assert!(line.contains(",2025-03-06,day,"), "{line}");
    // No hours since arrest from a date alone.
    let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "hours_since_arrest")
        .expect("column");
    assert_eq!(line.split(',').nth(col), Some(""), "{line}");
}

#[test]
fn json_takes_a_date_alone_for_a_field_with_a_precision() {
    let s = Setup::new(Some("Asia/Baku"));
    let record = |occurred: Value| {
        json!({"client_id": s.client, "type": "access_denied", "occurred": occurred,
               "facility": {"name": "Bakı İSS-1"}})
        .to_string()
    };
    let day = s.file("day.json", &record(json!({"at": "2025-03-06"})));
    let id = s.ok(&["incident", "add", "--json", &day]).trim().to_owned();
    let shown: Value =
        serde_json::from_str(&s.ok(&["incident", "show", &id, "--json"])).expect("json");
    assert_eq!(shown["occurred"]["precision"], "day");
    assert!(shown["occurred"]["at"]
        .as_str()
        .expect("at")
        .starts_with("2025-03-06T00:00:00"));
    let month = s.file(
        "month.json",
        &record(json!({"at": "2025-03", "precision": "month"})),
    );
    s.ok(&["incident", "add", "--json", &month]);
    let table = s.ok(&["incident", "list"]);
    assert!(table.contains("2025-03 "), "{table}");

    // A precision finer than the text is refused, naming the field.
    let before = data_fingerprint(&s.cli.vault);
    let false_time = s.file(
        "false.json",
        &record(json!({"at": "2025-03-06", "precision": "minute"})),
    );
    let err = s.fails(&["incident", "add", "--json", &false_time], 3);
    // The JSON path ("occurred") is the loader's to add (issue 11.1); the
    // sentence itself names the value and what to do.
    assert!(
        err.contains("2025-03-06") && err.contains("minute") && err.contains("precision"),
        "{err}"
    );
    assert_eq!(data_fingerprint(&s.cli.vault), before);
}

#[test]
fn years_outside_1900_to_2100_are_refused_naming_the_field() {
    let s = Setup::new(Some("Asia/Baku"));
    let before = data_fingerprint(&s.cli.vault);
    for at in ["0000-03-01", "0000-03-01 10:00", "2101-01-01", "1899"] {
        let err = s.fails(
            &[
                "incident",
                "add",
                "--client",
                "C-7",
                "--facility",
                "Bakı İSS-1",
                "--type",
                "access_denied",
                "--at",
                at,
            ],
            3,
        );
        assert!(
            err.contains("occurred") && err.contains("1900"),
            "{at}: {err}"
        );
    }
    let file = s.file(
        "zero.json",
        &json!({"client_id": s.client, "type": "access_denied",
                "occurred": {"at": "0000-03-01T10:00:00+04:00", "precision": "minute"},
                "facility": {"name": "Bakı İSS-1"}})
        .to_string(),
    );
    let err = s.fails(&["incident", "add", "--json", &file], 3);
    assert!(err.contains("occurred"), "{err}");
    let err = s.fails(&["incident", "list", "--from", "0000-03-01"], 3);
    assert!(err.contains("--from"), "{err}");
    assert_eq!(data_fingerprint(&s.cli.vault), before, "the vault changed");
}

#[test]
fn vekil_agenda_shows_missed_deadlines_first_like_the_app() {
    let s = Setup::new(Some("Asia/Baku"));
    let case = s
        .ok(&[
            "case",
            "add",
            "--client",
            "C-7",
            "--number",
            "1(101)-77/2025",
        ])
        .trim()
        .to_owned();
    let zone = chrono_tz::Asia::Baku;
    let today = chrono::Utc::now().with_timezone(&zone).date_naive();
    let day = |d: i64| {
        (today + chrono::Duration::days(d))
            .format("%Y-%m-%d 10:00")
            .to_string()
    };
    let missed = s
        .ok(&[
            "deadline",
            "add",
            "--case",
            &case[..8],
            "--due",
            &day(-5),
            "--kind",
            "appeal",
        ])
        .trim()
        .to_owned();
    let coming = s
        .ok(&[
            "deadline",
            "add",
            "--case",
            &case[..8],
            "--due",
            &day(3),
            "--kind",
            "appeal",
        ])
        .trim()
        .to_owned();
    let agenda: Value = serde_json::from_str(&s.ok(&["agenda", "--json"])).expect("json");
    let ids: Vec<&str> = agenda
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec![missed.as_str(), coming.as_str()]);
    // A deadline or hearing typed as a day alone is refused, not stored as
    // a false 00:00.
    let before = data_fingerprint(&s.cli.vault);
    let err = s.fails(
        &[
            "deadline",
            "add",
            "--case",
            &case[..8],
            "--due",
            "2025-03-20",
            "--kind",
            "appeal",
        ],
        3,
    );
    assert!(err.contains("due") && err.contains("23:59"), "{err}");
    let err = s.fails(
        &["hearing", "add", "--case", &case[..8], "--at", "2025-03-20"],
        3,
    );
    assert!(err.contains("at"), "{err}");
    assert_eq!(data_fingerprint(&s.cli.vault), before);
    let err = s.fails(&["agenda", "--days", "0"], 3);
    assert!(err.contains("days"), "{err}");
}

/// A value known only to the day belongs to the period holding its date,
/// whatever offset it was recorded with (a JSON file from New York, or
/// from Kiribati): lists and exports agree with stats by month.
#[test]
fn a_day_value_falls_in_the_period_of_its_date_whatever_its_offset() {
    use vekil::dates::{Period, Zone};
    use vekil::model::{Client, DatePrecision, EventTime, Incident, IncidentType};
    let (_t, _d, v, _) = new_vault();
    let baku = Zone::named("Asia/Baku").expect("zone");
    v.set_time_zone(Some(baku)).expect("zone");
    let c = v
        .insert(Client::new("Leyla Həsənova", "C-7"))
        .expect("client");
    let mut ids = vec![];
    // 31 March at -05:00 is already 1 April in Baku; 1 March at +14:00 is
    // still 28 February there. By their dates both are March.
    for at in ["2025-03-31T00:00:00-05:00", "2025-03-01T00:00:00+14:00"] {
        let at: chrono::DateTime<chrono::FixedOffset> = at.parse().expect("at");
        let mut i = Incident::quick(c.id, "Bakı İSS-1", at, IncidentType::AccessDenied);
        i.occurred = EventTime {
            at,
            precision: DatePrecision::Day,
        };
        ids.push(v.insert(i).expect("incident").id);
    }
    let now = chrono::Utc::now();
    let listed = |from: &str, to: &str| {
        let p = Period::parse(("from", Some(from)), ("to", Some(to)), baku, now).expect("period");
        let mut got: Vec<_> = v
            .list::<Incident>(&vekil::store::ListFilter {
                from: p.from,
                to: p.to,
                limit: Some(100),
                ..Default::default()
            })
            .expect("list")
            .into_iter()
            .map(|s| s.id)
            .collect();
        got.sort();
        got
    };
    ids.sort();
    assert_eq!(listed("2025-03", "2025-03"), ids);
    assert!(listed("2025-02", "2025-02").is_empty());
    assert!(listed("2025-04", "2025-04").is_empty());
    let s = vekil::stats::stats(&v).expect("stats");
    assert_eq!(s.by_month.get("2025-03"), Some(&2), "{:?}", s.by_month);
}
