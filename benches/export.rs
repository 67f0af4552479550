//! Export/import benchmark (issue 5): 10,000 incidents to JSON and CSV,
//! an encrypted bundle without attachments, a PDF log of 500 incidents,
//! and the import of that bundle into a second vault. Prints one table;
//! `cargo bench --bench export`. Results go to docs/benchmarks.md.

use std::time::{Duration, Instant};
use vekil::export::{self, ExportOptions, Profile};
use vekil::model::*;
use vekil::secret::Passphrase;
use vekil::vault::VaultOptions;
use vekil::Vault;

const CLIENTS: usize = 200;
const PASS: &str = "benchmark passphrase 123";
const NGO: &str = "Human Rights Centre";

fn vault(dir: &std::path::Path) -> Vault {
    match Vault::create_with(
        dir,
        &Passphrase::new(PASS.into()),
        &VaultOptions { kdf_log_n: 10 },
    ) {
        Ok((v, _)) => v,
        Err(e) => {
            eprintln!("cannot create a vault: {e}");
            std::process::exit(1)
        }
    }
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    })
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// Tells a profiler attached by pid (`perf record -p`) where the timed
/// parts start and end: one line on stderr per phase, with the monotonic
/// clock's reading (`perf record -k CLOCK_MONOTONIC` stamps samples with
/// the same clock).
fn phase(what: &str) {
    eprintln!("bench phase: {what} at {:?}", Instant::now());
}

/// Whether to time the import too (`VEKIL_BENCH_IMPORT=0` stops after the
/// exports, for profiling them alone).
fn with_import() -> bool {
    std::env::var("VEKIL_BENCH_IMPORT").map_or(true, |v| v.trim() != "0")
}

/// Incidents to seed: `VEKIL_BENCH_N`, 10,000 when unset.
fn incidents() -> usize {
    match std::env::var("VEKIL_BENCH_N") {
        Ok(n) => ok(n.trim().replace('_', "").parse(), "VEKIL_BENCH_N"),
        Err(_) => 10_000,
    }
}

fn main() {
    let n_incidents = incidents();
    let tmp = ok(tempfile::tempdir(), "tempdir");
    let lawyer = vault(&tmp.path().join("lawyer"));
    let ngo_key = tmp.path().join("ngo.txt");
    let ngo_pub = ok(vekil::import::keygen(&ngo_key), "keygen");
    ok(export::recipients::add(&lawyer, NGO, &ngo_pub), "recipient");

    let t0 = Instant::now();
    let base = ok(
        chrono::DateTime::parse_from_rfc3339("2024-01-01T09:00:00+04:00"),
        "time",
    );
    ok(
        lawyer.write(|w| {
            let mut clients = vec![];
            for c in 0..CLIENTS {
                let mut cl = Client::new(format!("Müştəri Həsənov {c}"), format!("Client {c:04}"));
                cl.arrested_at = Some(EventTime::exact(base));
                clients.push(w.insert(cl)?.id);
            }
            for i in 0..n_incidents {
                let mut inc = Incident::quick(
                    clients[i % CLIENTS],
                    format!("Bakı şəhəri {} saylı İstintaq Təcridxanası", i % 37),
                    base + chrono::Duration::minutes(37 * i as i64),
                    IncidentType::ALL[i % IncidentType::ALL.len()],
                );
                inc.reason_given = "Müstəntiq icazə vermədi; Следователь запретил свидание".into();
                inc.authority = "Baş Prokurorluq".into();
                inc.standards = vec![LegalStandard::UnBprl8, LegalStandard::Echr6_3c];
                inc.meeting_at = Some(base + chrono::Duration::hours(30 + (i % 50) as i64));
                // Drafts are held back from NGO exports: these are final.
                inc.status = RecordStatus::Final;
                inc.consent = vec![Consent {
                    recipient: NGO.into(),
                    granted: true,
                    include_health: false,
                    recorded_on: None,
                }];
                w.insert(inc)?;
            }
            Ok(())
        }),
        "seed",
    );
    let seed = t0.elapsed();
    phase("json");

    let opts = ExportOptions {
        profile: Profile::Ngo,
        recipients: vec![NGO.into()],
        ..Default::default()
    };
    let mut rows: Vec<(String, Duration, String)> = vec![];

    let t = Instant::now();
    let set = ok(export::select(&lawyer, &opts), "select");
    let mut out = std::io::BufWriter::new(ok(
        std::fs::File::create(tmp.path().join("log.json")),
        "create",
    ));
    ok(export::json::write(&set, None, &mut out), "json");
    drop(out);
    rows.push((
        format!(
            "JSON log, {} incidents (select + write)",
            set.incident_count()
        ),
        t.elapsed(),
        "≤ 1 s".into(),
    ));
    // Each export holds its own set; a caller holds one at a time.
    drop(set);

    phase("csv");
    let t = Instant::now();
    let set = ok(export::select(&lawyer, &opts), "select");
    let out = ok(std::fs::File::create(tmp.path().join("log.csv")), "create");
    ok(
        export::csv::write(&set, vekil::export::Lang::En, out),
        "csv",
    );
    rows.push((
        format!("CSV, {} incidents (select + write)", set.incident_count()),
        t.elapsed(),
        "≤ 1 s".into(),
    ));
    // Each export holds its own set; a caller holds one at a time.
    drop(set);

    phase("bundle");
    let t = Instant::now();
    let set = ok(export::select(&lawyer, &opts), "select");
    let r = ok(export::recipients::get(&lawyer, NGO), "recipient");
    let bundle = tmp.path().join("bundle.age");
    ok(
        export::bundle::write_to(
            &lawyer,
            &set,
            &[r],
            false,
            vekil::export::Lang::En,
            &bundle,
            false,
            &mut |_| {},
        ),
        "bundle",
    );
    let size = std::fs::metadata(&bundle).map(|m| m.len()).unwrap_or(0);
    rows.push((
        format!(
            "Encrypted bundle, {} incidents, no attachments, no PDF ({} KiB)",
            set.incident_count(),
            size / 1024
        ),
        t.elapsed(),
        "≤ 2 s".into(),
    ));

    phase("pdf");
    let t = Instant::now();
    let small = ok(
        export::select(
            &lawyer,
            &ExportOptions {
                to: Some(base + chrono::Duration::minutes(37 * 499)),
                ..opts.clone()
            },
        ),
        "select",
    );
    let pdf = tmp.path().join("log.pdf");
    let out = ok(std::fs::File::create(&pdf), "create");
    ok(
        export::pdf::write_log(&small, vekil::export::Lang::En, None, out),
        "pdf",
    );
    let pdf_size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
    rows.push((
        format!(
            "PDF log, {} incidents ({} KiB)",
            small.incident_count(),
            pdf_size / 1024
        ),
        t.elapsed(),
        "≤ 5 s".into(),
    ));
    let lawyer_key = vekil::export::signing::public_key_line(
        &ok(
            vekil::export::signing::SigningKey::load_or_create(&lawyer),
            "signing key",
        )
        .public,
    );
    drop((set, small));
    drop(lawyer);
    phase("import");

    if !with_import() {
        print_rows(n_incidents, seed, rows);
        return;
    }
    let ngo = vault(&tmp.path().join("ngo"));
    ok(
        vekil::import::signers::trust(&ngo, "Lawyer", &lawyer_key),
        "trust the lawyer",
    );
    let id = ok(vekil::import::read_identity(&ngo_key), "identity");
    let t = Instant::now();
    let report = ok(
        vekil::import::import(&ngo, &bundle, &id, &Default::default()),
        "import",
    );
    let added = report
        .counts
        .get("incident")
        .and_then(|c| c.get("added"))
        .copied()
        .unwrap_or(0);
    rows.push((
        format!("Import of that bundle ({added} incidents added, one transaction)"),
        t.elapsed(),
        "≤ 3 s".into(),
    ));
    phase("re-import");
    let t = Instant::now();
    ok(
        vekil::import::import(&ngo, &bundle, &id, &Default::default()),
        "re-import",
    );
    rows.push((
        "Re-import of the same bundle (all unchanged)".into(),
        t.elapsed(),
        "".into(),
    ));

    phase("done");
    print_rows(n_incidents, seed, rows);
}

fn print_rows(n_incidents: usize, seed: Duration, rows: Vec<(String, Duration, String)>) {
    println!("\nVekil export benchmark ({n_incidents} incidents, {CLIENTS} clients; seeding took {:.2} s)\n", seed.as_secs_f64());
    println!("| {:<70} | {:>9} | {:>7} |", "operation", "time", "target");
    println!("|{:-<72}|{:->11}|{:->9}|", "", "", "");
    for (what, d, target) in rows {
        println!(
            "| {:<70} | {:>7.3} s | {:>7} |",
            what,
            d.as_secs_f64(),
            target
        );
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "\npeak resident memory of the whole run: {} MiB",
            kib / 1024
        );
    }
}
