//! Vault benchmark: SQLCipher vault vs. the same store on plain SQLite.
//!
//! `cargo bench --features bench-baseline --bench vault` (N incidents,
//! default 100,000; set VEKIL_BENCH_N to change). Both vaults run the same
//! code path in one process; only the database key differs. Prints one
//! Markdown table for docs/benchmarks.md.

use std::time::{Duration, Instant};
use vekil::model::{Client, Incident, IncidentType, Official};
use vekil::search::SearchQuery;
use vekil::secret::Passphrase;
use vekil::store::ListFilter;
use vekil::vault::{Vault, VaultOptions};

const SURNAMES: &[&str] = &[
    "Məmmədov",
    "Əliyev",
    "Hüseynov",
    "Quliyev",
    "Həsənov",
    "İsmayılov",
    "Petrov",
    "Kərimov",
    "Rzayev",
    "Abbasov",
];
const FACILITIES: &[&str] = &[
    "Baku Pre-trial Detention Centre No. 1",
    "Bakı İVS No. 2",
    "Gəncə İstintaq Təcridxanası",
    "Sumqayıt Police Station 3",
    "Şəki Temporary Detention",
    "Lənkəran SIZO",
    "DTX facility",
    "Qəbələ Police Station",
    "Mingəçevir Colony 12",
    "Naxçıvan IVS",
];
const REASONS: &[&str] = &[
    "The investigator has not given permission",
    "Müstəntiqin icazəsi yoxdur",
    "Свидание не разрешено следователем",
    "Client is being transported",
    "Quarantine in the facility",
    "No room available for meetings",
    "Lawyer's order form is not valid",
    "Client refused (not confirmed by client)",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn incident(rng: &mut Rng, clients: &[uuid::Uuid], i: usize) -> Incident {
    let at = chrono::DateTime::parse_from_rfc3339("2020-01-01T09:00:00+04:00").unwrap()
        + chrono::Duration::minutes((rng.next() % (5 * 365 * 24 * 60)) as i64);
    let t = IncidentType::ALL[(rng.next() % 13) as usize];
    let mut inc = Incident::quick(clients[i % clients.len()], rng.pick(FACILITIES), at, t);
    inc.reason_given = format!("{} (ref {i})", rng.pick(REASONS));
    inc.officials.push(Official {
        name: format!("Major {}", rng.pick(SURNAMES)),
        ..Default::default()
    });
    inc.authority = "Prosecutor's office".into();
    inc
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

struct Figures {
    unlock_incl_kdf: Option<Duration>,
    unlock_excl_kdf: Duration,
    bulk_rows_per_s: f64,
    save_p50: Duration,
    save_p99: Duration,
    search_p95: Duration,
    spellings_p95: Duration,
    broad_p95: Duration,
    list_p95: Duration,
    db_bytes: u64,
}

fn run(label: &str, encrypted: bool, n: usize) -> Figures {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let pass = Passphrase::new("benchmark passphrase".into());
    let open = |first: bool| -> Vault {
        if encrypted {
            if first {
                Vault::create_with(&dir, &pass, &VaultOptions::default())
                    .unwrap()
                    .0
            } else {
                Vault::unlock(&dir, &pass).unwrap()
            }
        } else {
            Vault::open_plaintext_baseline(&dir).unwrap()
        }
    };
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let v = open(true);
    let clients: Vec<uuid::Uuid> = (0..200)
        .map(|i| {
            v.insert(Client::new(
                format!("{} {i}", rng.pick(SURNAMES)),
                format!("C-{i:03}"),
            ))
            .unwrap()
            .id
        })
        .collect();

    // Bulk import: 10,000 records per transaction, as `add --json FILE` does.
    eprintln!("[{label}] bulk import of {n} incidents…");
    let start = Instant::now();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(10_000);
        v.write(|w| {
            for i in done..done + batch {
                w.insert(incident(&mut rng, &clients, i))?;
            }
            Ok(())
        })
        .unwrap();
        done += batch;
    }
    let bulk_rows_per_s = n as f64 / start.elapsed().as_secs_f64();
    v.close().unwrap();

    // Reopen: unlock cost.
    let v = open(false);
    let t = v.unlock_timing();
    let unlock_incl_kdf = encrypted.then_some(t.kdf + t.open);

    // Single saves, each its own transaction with fsync.
    eprintln!("[{label}] 1,000 single saves…");
    let mut saves = Vec::new();
    for i in 0..1000 {
        let inc = incident(&mut rng, &clients, n + i);
        let s = Instant::now();
        v.insert(inc).unwrap();
        saves.push(s.elapsed());
    }

    eprintln!("[{label}] searches and lists…");
    let words = [
        "Məmmədov",
        "icazə",
        "следователем",
        "Quarantine",
        "Gəncə",
        "transported",
        "Əliyev",
        "order form",
        "ref 4242",
        "Major Rzayev",
    ];
    let mut searches = Vec::new();
    for i in 0..300 {
        let q = SearchQuery {
            text: words[i % words.len()].into(),
            limit: Some(50),
            ..Default::default()
        };
        let s = Instant::now();
        let hits = v.search(&q).unwrap();
        searches.push(s.elapsed());
        assert!(!hits.is_empty() || i % words.len() == 8);
    }
    // The same names, places and institutions written another way (issue
    // 12): English and Russian spellings, and a phrase that is a concept.
    let others = [
        "Mamedov",
        "Алиев",
        "Guseynov",
        "Gasanov",
        "Ganja SIZO",
        "Гянджинский следственный изолятор",
        "Lankaran",
        "Nakhchivan",
        "Bakinsky SIZO",
        "следователь",
    ];
    let mut spellings = Vec::new();
    for i in 0..300 {
        let q = SearchQuery {
            text: others[i % others.len()].into(),
            limit: Some(50),
            ..Default::default()
        };
        let s = Instant::now();
        let hits = v.search(&q).unwrap();
        spellings.push(s.elapsed());
        assert!(!hits.is_empty(), "{:?} found nothing", q.text);
    }
    // The worst case: a word in every incident ("Prosecutor's office").
    let mut broad = Vec::new();
    for _ in 0..50 {
        let q = SearchQuery {
            text: "prosecutor".into(),
            limit: Some(50),
            ..Default::default()
        };
        let s = Instant::now();
        assert_eq!(v.search(&q).unwrap().len(), 50);
        broad.push(s.elapsed());
    }
    let mut lists = Vec::new();
    for i in 0..300 {
        let f = match i % 3 {
            0 => ListFilter {
                client_id: Some(clients[i % clients.len()]),
                limit: Some(50),
                ..Default::default()
            },
            1 => ListFilter {
                facility: Some(FACILITIES[i % FACILITIES.len()].into()),
                limit: Some(50),
                ..Default::default()
            },
            _ => ListFilter {
                subtype: Some("access_denied".into()),
                from: Some(
                    chrono::DateTime::parse_from_rfc3339("2022-01-01T00:00:00+04:00").unwrap(),
                ),
                to: Some(
                    chrono::DateTime::parse_from_rfc3339("2022-06-30T00:00:00+04:00").unwrap(),
                ),
                limit: Some(50),
                ..Default::default()
            },
        };
        let s = Instant::now();
        let l = v.list::<Incident>(&f).unwrap();
        lists.push(s.elapsed());
        assert!(!l.is_empty());
    }
    v.close().unwrap();
    let db_bytes = std::fs::metadata(dir.join("vekil.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    Figures {
        unlock_incl_kdf,
        unlock_excl_kdf: t.open,
        bulk_rows_per_s,
        save_p50: pct(saves.clone(), 0.50),
        save_p99: pct(saves, 0.99),
        search_p95: pct(searches, 0.95),
        spellings_p95: pct(spellings, 0.95),
        broad_p95: pct(broad, 0.95),
        list_p95: pct(lists, 0.95),
        db_bytes,
    }
}

fn main() {
    let n: usize = std::env::var("VEKIL_BENCH_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let enc = run("sqlcipher", true, n);
    let plain = run("plain", false, n);
    let ratio =
        |a: Duration, b: Duration| format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64().max(1e-9));
    println!("\n{n} incidents, 200 clients; one process, same store code.\n");
    println!("| measure | SQLCipher vault | plain SQLite | ratio | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| unlock incl. KDF (scrypt 2^19) | {} | — | — | — |",
        ms(enc.unlock_incl_kdf.unwrap_or_default())
    );
    println!(
        "| unlock excl. KDF | {} | {} | {} | ≤ 50 ms |",
        ms(enc.unlock_excl_kdf),
        ms(plain.unlock_excl_kdf),
        ratio(enc.unlock_excl_kdf, plain.unlock_excl_kdf)
    );
    println!(
        "| save one incident p50 | {} | {} | {} | — |",
        ms(enc.save_p50),
        ms(plain.save_p50),
        ratio(enc.save_p50, plain.save_p50)
    );
    println!(
        "| save one incident p99 | {} | {} | {} | ≤ 10 ms |",
        ms(enc.save_p99),
        ms(plain.save_p99),
        ratio(enc.save_p99, plain.save_p99)
    );
    println!(
        "| FTS search p95 (limit 50) | {} | {} | {} | ≤ 5 ms |",
        ms(enc.search_p95),
        ms(plain.search_p95),
        ratio(enc.search_p95, plain.search_p95)
    );
    println!(
        "| FTS search p95, other spellings (limit 50) | {} | {} | {} | ≤ 5 ms |",
        ms(enc.spellings_p95),
        ms(plain.spellings_p95),
        ratio(enc.spellings_p95, plain.spellings_p95)
    );
    println!(
        "| FTS search p95, a word in every incident | {} | {} | {} | ≤ 20 ms |",
        ms(enc.broad_p95),
        ms(plain.broad_p95),
        ratio(enc.broad_p95, plain.broad_p95)
    );
    println!(
        "| filtered list p95 (limit 50) | {} | {} | {} | — |",
        ms(enc.list_p95),
        ms(plain.list_p95),
        ratio(enc.list_p95, plain.list_p95)
    );
    println!(
        "| bulk import | {:.0} rows/s | {:.0} rows/s | {:.2}× slower | — |",
        enc.bulk_rows_per_s,
        plain.bulk_rows_per_s,
        plain.bulk_rows_per_s / enc.bulk_rows_per_s
    );
    println!(
        "| database size | {:.1} MB | {:.1} MB | — | — |",
        enc.db_bytes as f64 / 1e6,
        plain.db_bytes as f64 / 1e6
    );
}
