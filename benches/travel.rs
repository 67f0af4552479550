//! Travel mode and erase at scale: seal, open and erase a vault of
//! 100,000 incidents and 1 GB of attachments.
//!
//! `cargo bench --bench travel` (VEKIL_BENCH_N incidents, default 100,000;
//! VEKIL_BENCH_ATTACH_MB of attachments in 10 MB files, default 1024).
//! Uses the real key-derivation cost. Prints one Markdown table for
//! docs/benchmarks.md.

mod support;

use std::time::{Duration, Instant};
use support::{dir_bytes, env_usize, fill};
use vekil::secret::Passphrase;
use vekil::vault::{erase, travel, Vault};

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let n = env_usize("VEKIL_BENCH_N", 100_000);
    let mb = env_usize("VEKIL_BENCH_ATTACH_MB", 1024);
    let tmp =
        tempfile::tempdir_in(std::env::var_os("VEKIL_BENCH_DIR").unwrap_or(".".into())).unwrap();
    let dir = tmp.path().join("vault");
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let pass = Passphrase::new("benchmark passphrase for travel".into());

    eprintln!("filling: {n} incidents, {mb} MB of attachments…");
    let t = Instant::now();
    fill(&dir, &pass, n, mb, &scratch);
    eprintln!("filled in {:.0} s", t.elapsed().as_secs_f64());
    let size = dir_bytes(&dir);

    // Custodians: three identities in the address book; seal 2 of 3.
    let v = Vault::unlock(&dir, &pass).unwrap();
    let mut keys = vec![];
    let names: Vec<String> = [
        "Leyla Həsənova",
        "Правозащитный центр",
        "Example Rights NGO",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (i, name) in names.iter().enumerate() {
        let key = scratch.join(format!("custodian-{i}.key"));
        let public = vekil::import::keygen(&key).unwrap();
        vekil::export::recipients::add(&v, name, &public).unwrap();
        keys.push(key);
    }

    let t = Instant::now();
    travel::seal(&v, &pass, &names, Some(2)).unwrap();
    drop(v);
    let seal = t.elapsed();

    let request = scratch.join("request.json");
    let t = Instant::now();
    let code = travel::request(&dir, &request).unwrap().code;
    let request_time = t.elapsed();
    let mut releases = vec![];
    let t = Instant::now();
    for (i, key) in keys.iter().take(2).enumerate() {
        let out = scratch.join(format!("release-{i}.json"));
        travel::release(&request, key, &code, &out).unwrap();
        releases.push(out);
    }
    let release_time = t.elapsed() / 2;

    let new = Passphrase::new("the new passphrase after the trip".into());
    let t = Instant::now();
    let releases: Vec<travel::Release> = releases
        .iter()
        .map(|p| travel::Release::read(p).unwrap())
        .collect();
    let (v, _) = travel::open(&dir, &releases, &new).unwrap();
    let open = t.elapsed();
    v.close().unwrap();

    let t = Instant::now();
    let r = erase::erase(&dir).unwrap();
    let erase_wall = t.elapsed();
    assert!(r.folder_removed);

    println!(
        "| {n} incidents, {:.2} GB on disk ({mb} MB of attachments) | time |",
        size as f64 / 1e9
    );
    println!("|---|---|");
    println!(
        "| seal, 2 of 3 custodians (includes re-checking the passphrase, scrypt 2^19) | {} |",
        ms(seal)
    );
    println!(
        "| request (one-time key, request file) | {} |",
        ms(request_time)
    );
    println!(
        "| release, per custodian (custodian's machine) | {} |",
        ms(release_time)
    );
    println!("| open with 2 releases (check, combine, prove on the database, new key files at 2^19 and 2^16) | {} |", ms(open));
    println!(
        "| erase: every key file gone ({} files) | {} ms |",
        r.key_files_destroyed, r.keys_gone_ms
    );
    println!(
        "| erase: everything removed ({} files) | {} ms (wall {}) |",
        r.files_removed,
        r.total_ms,
        ms(erase_wall)
    );
}
