//! Vault benchmark: SQLCipher vault vs. the same store on plain SQLite,
//! and a save against the bare engine's single-row commit.
//!
//! `cargo bench --features bench-baseline --bench vault` (N incidents,
//! default 100,000; set VEKIL_BENCH_N to change). Both vaults run the same
//! code path in one process; only the database key differs. The third
//! column is the engine alone: a SQLCipher database with the vault's
//! pragmas and one table of N incident-sized JSON rows, committing one row
//! per transaction. A row counts the pages each commit writes (WAL
//! frames): every one is encrypted, MACed and written. `VEKIL_BENCH_SPLIT=1`
//! adds where a save's time goes: the same saves with parts of the write
//! path turned off, and the engine alone writing the rows a save writes
//! with none of Vekil's code. Prints Markdown tables for docs/benchmarks.md.
//!
//! Searches: a typical mix of whole words, the same names in other
//! spellings, the first two or three letters of a word as the search box
//! sends them while the lawyer types, and a word in every incident.

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

/// The engine alone: N rows of an incident's JSON in one table of a
/// database opened with the vault's pragmas (SQLCipher when `encrypted`),
/// then one row per transaction. Returns the single commits' times and
/// the pages each writes.
fn bare_engine(encrypted: bool, n: usize, clients: &[uuid::Uuid]) -> (Vec<Duration>, f64) {
    let tmp = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(tmp.path().join("bare.db")).unwrap();
    conn.execute_batch(
        "PRAGMA cipher_log_level = NONE;
         PRAGMA cipher_memory_security = ON;",
    )
    .unwrap();
    if encrypted {
        let key = hex::encode([0x5au8; 32]);
        conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
            .unwrap();
    }
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -65536;
         CREATE TABLE rows (seq INTEGER PRIMARY KEY, data TEXT NOT NULL) STRICT;",
    )
    .unwrap();
    let mut rng = Rng(0x5EED_1234_ABCD_0002);
    let mut json = |i: usize| serde_json::to_string(&incident(&mut rng, clients, i)).unwrap();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(10_000);
        let tx = conn.unchecked_transaction().unwrap();
        for i in done..done + batch {
            tx.execute("INSERT INTO rows (data) VALUES (?1)", [json(i)])
                .unwrap();
        }
        tx.commit().unwrap();
        done += batch;
    }
    let mut commit = |i: usize| {
        let row = json(n + i);
        let s = Instant::now();
        let tx = conn.unchecked_transaction().unwrap();
        tx.execute("INSERT INTO rows (data) VALUES (?1)", [row])
            .unwrap();
        tx.commit().unwrap();
        s.elapsed()
    };
    let times = (0..1000).map(&mut commit).collect();
    let pages = pages_per_commit(
        &tmp.path().join("bare.db-wal"),
        &mut |sql| conn.execute_batch(sql).unwrap(),
        &mut || {
            for i in 0..PAGE_COMMITS {
                commit(n + 1000 + i);
            }
        },
    );
    (times, pages)
}

/// 1,000 single saves into `v`, timed.
fn saves(v: &Vault, rng: &mut Rng, clients: &[uuid::Uuid], from: usize) -> Vec<Duration> {
    (0..1000)
        .map(|i| {
            let inc = incident(rng, clients, from + i);
            let s = Instant::now();
            v.insert(inc).unwrap();
            s.elapsed()
        })
        .collect()
}

/// Commits each measure of pages makes.
const PAGE_COMMITS: usize = 200;

/// Pages one commit writes, on average: the WAL's growth while `commit`
/// makes [`PAGE_COMMITS`] commits with the automatic checkpoint off, in
/// frames (a page and its 24-byte header). Every page a commit changes is
/// encrypted, MACed and written once, so this is the work a commit cannot
/// avoid.
fn pages_per_commit(
    wal: &std::path::Path,
    pragmas: &mut dyn FnMut(&str),
    commit: &mut dyn FnMut(),
) -> f64 {
    pragmas("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0;");
    let before = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
    commit();
    let after = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
    // The page size as the WAL's header gives it (bytes 8–11, big-endian):
    // SQLCipher answers `PRAGMA page_size` with its own setting's name.
    let mut header = [0u8; 12];
    std::io::Read::read_exact(&mut std::fs::File::open(wal).unwrap(), &mut header).unwrap();
    let page_size = f64::from(u32::from_be_bytes([
        header[8], header[9], header[10], header[11],
    ]));
    pragmas("PRAGMA wal_autocheckpoint = 1000; PRAGMA wal_checkpoint(TRUNCATE);");
    // The WAL's own 32-byte header is written with the first frame.
    let wal_header = if before == 0 { 32.0 } else { 0.0 };
    (after.saturating_sub(before) as f64 - wal_header) / (page_size + 24.0) / PAGE_COMMITS as f64
}

/// Pages one save into `v` writes (see [`pages_per_commit`]).
fn pages_per_save(
    v: &Vault,
    wal: &std::path::Path,
    rng: &mut Rng,
    clients: &[uuid::Uuid],
    from: usize,
) -> f64 {
    pages_per_commit(wal, &mut |sql| v.bench_pragmas(sql).unwrap(), &mut || {
        for i in 0..PAGE_COMMITS {
            v.insert(incident(rng, clients, from + i)).unwrap();
        }
    })
}

/// Where a save's time goes: the same 1,000 saves with parts of the write
/// path turned off (`vekil::store::bench_knobs`) or the commit's pragmas
/// changed, p50 and p99 each.
fn split(
    v: &Vault,
    wal: &std::path::Path,
    rng: &mut Rng,
    clients: &[uuid::Uuid],
    n: usize,
) -> Vec<(String, Duration, Duration, f64)> {
    use vekil::store::bench_knobs;
    let mut out = vec![];
    let mut from = n + 10_000;
    let mut run = |label: &str, fts: bool, revision: bool, checks: bool, pragmas: (&str, &str)| {
        v.bench_pragmas(pragmas.0).unwrap();
        bench_knobs::set(fts, revision, checks);
        let t = saves(v, rng, clients, from);
        let pages = pages_per_save(v, wal, rng, clients, from + 1000);
        bench_knobs::set(false, false, false);
        v.bench_pragmas(pragmas.1).unwrap();
        from += 1000 + PAGE_COMMITS;
        out.push((label.to_owned(), pct(t.clone(), 0.50), pct(t, 0.99), pages));
    };
    let none = ("", "");
    run("full save", false, false, false, none);
    run("without the full-text row", true, false, false, none);
    run(
        "without the revision (row, MAC, counters in `meta`)",
        false,
        true,
        false,
        none,
    );
    run(
        "without validation, reference checks, NFC and facility link",
        false,
        false,
        true,
        none,
    );
    run(
        "without all three (records row and its indexes only)",
        true,
        true,
        true,
        none,
    );
    run(
        "full save, `synchronous = NORMAL` (no fsync at commit)",
        false,
        false,
        false,
        ("PRAGMA synchronous = NORMAL;", "PRAGMA synchronous = FULL;"),
    );
    run(
        "full save, no automatic checkpoint",
        false,
        false,
        false,
        (
            "PRAGMA wal_autocheckpoint = 0;",
            "PRAGMA wal_autocheckpoint = 1000; PRAGMA wal_checkpoint(TRUNCATE);",
        ),
    );
    // FTS5 merges its segments inside the commit that brings a level to
    // `automerge` segments (8 since migration 0008; FTS5's default is 4).
    run(
        "full save, full-text merging at 4 segments (FTS5's default, before migration 0008)",
        false,
        false,
        false,
        (
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 4);",
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8);",
        ),
    );
    run(
        "full save, full-text merging only at 16 segments (`automerge` = 0)",
        false,
        false,
        false,
        (
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 0);",
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', 8);",
        ),
    );
    // The engine alone, last, as it leaves a history that no longer
    // verifies; right before it, the full save once more, so that both
    // meet the index in the same state (the first rows above still merge
    // the segments the bulk import left).
    run(
        "full save, again (the index as the next row meets it)",
        false,
        false,
        false,
        none,
    );
    let t = v.bench_engine_rows(1000).unwrap();
    let pages = pages_per_commit(wal, &mut |sql| v.bench_pragmas(sql).unwrap(), &mut || {
        v.bench_engine_rows(PAGE_COMMITS).unwrap();
    });
    out.push((
        "the engine alone writing a save's rows (records row, full-text row, revision, `meta`), none of Vekil's code".into(),
        pct(t.clone(), 0.50),
        pct(t, 0.99),
        pages,
    ));
    out
}

struct Figures {
    unlock_incl_kdf: Option<Duration>,
    unlock_excl_kdf: Duration,
    bulk_rows_per_s: f64,
    save_p50: Duration,
    save_p99: Duration,
    engine_p50: Duration,
    engine_p99: Duration,
    split: Vec<(String, Duration, Duration, f64)>,
    save_pages: f64,
    engine_pages: f64,
    search_p95: Duration,
    spellings_p95: Duration,
    typing_p95: Duration,
    broad_p95: Duration,
    list_p95: Duration,
    db_bytes: u64,
    index_bytes: f64,
    relay: Duration,
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

    // Single saves, each its own transaction with fsync, and the bare
    // engine's single-row commits right after, on the same disk.
    eprintln!("[{label}] 1,000 single saves…");
    let saves = saves(&v, &mut rng, &clients, n);
    let wal = dir.join("vekil.db-wal");
    let save_pages = pages_per_save(&v, &wal, &mut rng, &clients, n + 1000);
    eprintln!("[{label}] the bare engine: {n} rows, then 1,000 single-row commits…");
    let (engine, engine_pages) = bare_engine(encrypted, n, &clients);

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
    // While typing: the box searches from the second letter, and a short
    // last word is a prefix that many words share (Əl: Əliyev, Ma: Major
    // and Məmmədov, Pr: Prosecutor's in every incident).
    let typed = ["Əl", "Ma", "Məm", "Pr", "Gə", "Qu", "Hü", "Сл", "Mü", "Ba"];
    let mut typing = Vec::new();
    for i in 0..300 {
        let q = SearchQuery {
            text: typed[i % typed.len()].into(),
            limit: Some(50),
            ..Default::default()
        };
        let s = Instant::now();
        let hits = v.search(&q).unwrap();
        typing.push(s.elapsed());
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
    let split = if encrypted && std::env::var_os("VEKIL_BENCH_SPLIT").is_some() {
        eprintln!("[{label}] where a save's time goes…");
        split(&v, &wal, &mut rng, &clients, n)
    } else {
        vec![]
    };
    // The full-text index's own pages (its tables and their b-trees),
    // which the database size also counts with free pages and the rest.
    let index_bytes = v
        .bench_number("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'")
        .unwrap();
    v.close().unwrap();
    let db_bytes = std::fs::metadata(dir.join("vekil.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    // What opening a vault of schema 6 costs once: migration 0007 lays the
    // index out anew (run here on the current index, as one transaction;
    // it leaves the rows in the opposite order, so it comes last).
    let v = open(false);
    let relay = Instant::now();
    v.bench_pragmas(&format!(
        "BEGIN IMMEDIATE; {} COMMIT;",
        include_str!("../migrations/0007_search_newest_first.sql")
    ))
    .unwrap();
    let relay = relay.elapsed();
    v.close().unwrap();
    Figures {
        unlock_incl_kdf,
        unlock_excl_kdf: t.open,
        bulk_rows_per_s,
        save_p50: pct(saves.clone(), 0.50),
        save_p99: pct(saves, 0.99),
        engine_p50: pct(engine.clone(), 0.50),
        engine_p99: pct(engine, 0.99),
        split,
        save_pages,
        engine_pages,
        search_p95: pct(searches, 0.95),
        spellings_p95: pct(spellings, 0.95),
        typing_p95: pct(typing, 0.95),
        broad_p95: pct(broad, 0.95),
        list_p95: pct(lists, 0.95),
        db_bytes,
        index_bytes,
        relay,
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
    println!(
        "| measure | SQLCipher vault | plain SQLite | bare SQLCipher commit | vault ÷ plain | vault ÷ bare | target |"
    );
    println!("|---|---|---|---|---|---|---|");
    let row = |m: &str, e: Duration, p: Duration, target: &str| {
        println!(
            "| {m} | {} | {} | — | {} | — | {target} |",
            ms(e),
            ms(p),
            ratio(e, p)
        )
    };
    println!(
        "| unlock incl. KDF (scrypt 2^19) | {} | — | — | — | — | ~1 s KDF |",
        ms(enc.unlock_incl_kdf.unwrap_or_default())
    );
    row(
        "unlock excl. KDF",
        enc.unlock_excl_kdf,
        plain.unlock_excl_kdf,
        "≤ 50 ms",
    );
    println!(
        "| save one incident p50 | {} | {} | {} | {} | {} | ≤ 2× bare |",
        ms(enc.save_p50),
        ms(plain.save_p50),
        ms(enc.engine_p50),
        ratio(enc.save_p50, plain.save_p50),
        ratio(enc.save_p50, enc.engine_p50)
    );
    println!(
        "| save one incident p99 | {} | {} | {} | {} | {} | ≤ 2× bare, ≤ 10 ms |",
        ms(enc.save_p99),
        ms(plain.save_p99),
        ms(enc.engine_p99),
        ratio(enc.save_p99, plain.save_p99),
        ratio(enc.save_p99, enc.engine_p99)
    );
    println!(
        "| pages one save writes (WAL frames) | {:.1} | {:.1} | {:.1} | — | {:.1}× | — |",
        enc.save_pages,
        plain.save_pages,
        enc.engine_pages,
        enc.save_pages / enc.engine_pages.max(1e-9)
    );
    row(
        "FTS search p95 (limit 50)",
        enc.search_p95,
        plain.search_p95,
        "≤ 5 ms",
    );
    row(
        "FTS search p95, other spellings (limit 50)",
        enc.spellings_p95,
        plain.spellings_p95,
        "≤ 5 ms",
    );
    row(
        "FTS search p95, 2–3 letters as typed (limit 50)",
        enc.typing_p95,
        plain.typing_p95,
        "≤ 5 ms",
    );
    row(
        "FTS search p95, a word in every incident",
        enc.broad_p95,
        plain.broad_p95,
        "≤ 20 ms",
    );
    row(
        "filtered list p95 (limit 50)",
        enc.list_p95,
        plain.list_p95,
        "—",
    );
    println!(
        "| bulk import | {:.0} rows/s | {:.0} rows/s | — | {:.2}× slower | — | — |",
        enc.bulk_rows_per_s,
        plain.bulk_rows_per_s,
        plain.bulk_rows_per_s / enc.bulk_rows_per_s
    );
    println!(
        "| database size | {:.1} MB | {:.1} MB | — | — | — | — |",
        enc.db_bytes as f64 / 1e6,
        plain.db_bytes as f64 / 1e6
    );
    println!(
        "| full-text index (its tables' pages) | {:.1} MB | {:.1} MB | — | — | — | — |",
        enc.index_bytes / 1e6,
        plain.index_bytes / 1e6
    );
    row(
        "upgrade: laying the index out anew (migration 0007)",
        enc.relay,
        plain.relay,
        "—",
    );
    if !enc.split.is_empty() {
        println!("\nWhere a save's time goes (SQLCipher vault, 1,000 saves each):\n");
        println!("| save | p50 | p99 | pages written |");
        println!("|---|---|---|---|");
        for (label, p50, p99, pages) in &enc.split {
            println!("| {label} | {} | {} | {pages:.1} |", ms(*p50), ms(*p99));
        }
        println!(
            "| bare SQLCipher single-row commit | {} | {} | {:.1} |",
            ms(enc.engine_p50),
            ms(enc.engine_p99),
            enc.engine_pages
        );
    }
}
