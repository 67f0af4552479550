//! Encrypted backup and restore at scale: a vault of 100,000 incidents and
//! 1 GB of attachments, backed up to one age file and restored from it.
//!
//! `cargo bench --bench backup` (VEKIL_BENCH_N incidents, default 100,000;
//! VEKIL_BENCH_ATTACH_MB of attachments in 10 MB files, default 1024;
//! VEKIL_BENCH_DIR where the vaults go, default the current folder).
//!
//! Backup and restore each run in a child process (this binary again,
//! with `child-backup` / `child-restore`), so that the peak resident
//! memory it reports (`VmHWM`) is theirs alone, not the filling's. Uses
//! the real key-derivation cost. Prints one Markdown table for
//! docs/benchmarks.md.

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{dir_bytes, env_usize, fill};
use vekil::secret::Passphrase;
use vekil::vault::backup::{self, Opener, Phase, Progress, Seal};
use vekil::vault::{UnlockOptions, Vault};

const PASS: &str = "benchmark passphrase for backups";
fn pass() -> Passphrase {
    Passphrase::new(PASS.into())
}

/// A line of `/proc/self/status` in MiB (`VmHWM`: peak, `VmRSS`: now).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Samples the resident memory every 10 ms while `streaming` is set:
/// the key derivations before and after (scrypt at 2^19 takes 512 MiB, as
/// every unlock does) are left out, the tables and files are not.
struct Sampler {
    streaming: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl Sampler {
    fn start() -> Self {
        let streaming = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let (s, d, p) = (streaming.clone(), done.clone(), peak_kib.clone());
        let thread = std::thread::spawn(move || {
            while !d.load(Ordering::Relaxed) {
                if s.load(Ordering::Relaxed) {
                    let kib = (status_mib("VmRSS:") * 1024.0) as u64;
                    p.fetch_max(kib, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        Self {
            streaming,
            done,
            peak_kib,
            thread,
        }
    }

    /// The progress callback: streaming is the tables and the files.
    fn progress(&self) -> impl FnMut(Progress) + '_ {
        let mut last = None;
        move |p: Progress| {
            if last != Some(p.phase) && std::env::var_os("VEKIL_BENCH_TRACE").is_some() {
                eprintln!("  {:?}: {:.0} MiB resident", p.phase, status_mib("VmRSS:"));
            }
            last = Some(p.phase);
            let on = matches!(p.phase, Phase::Records | Phase::Attachments);
            self.streaming.store(on, Ordering::Relaxed);
        }
    }

    fn stop(self) -> f64 {
        self.done.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

/// Child: one operation, then `seconds peak_mib streaming_peak_mib` on
/// stdout.
fn child(op: &str, vault: &Path, file: &Path, target: &Path) {
    let t;
    let sampler = Sampler::start();
    match op {
        "child-backup" => {
            let v = Vault::unlock(vault, &pass()).unwrap();
            t = Instant::now();
            backup::write(&v, &Seal::Passphrase(pass()), file, &mut sampler.progress()).unwrap();
            v.close().unwrap();
        }
        "child-restore" => {
            t = Instant::now();
            let r = backup::restore(
                file,
                target,
                &Opener::Secret(pass()),
                None,
                &UnlockOptions::default(),
                &mut sampler.progress(),
            )
            .unwrap();
            r.vault.close().unwrap();
        }
        _ => unreachable!(),
    }
    let elapsed = t.elapsed().as_secs_f64();
    let streaming = sampler.stop();
    println!("{elapsed} {} {streaming}", status_mib("VmHWM:"));
}

fn run_child(op: &str, vault: &Path, file: &Path, target: &Path) -> (Duration, f64, f64) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([op])
        .arg(vault)
        .arg(file)
        .arg(target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{op}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next().unwrap().parse().unwrap();
    let peak: f64 = parts.next().unwrap().parse().unwrap();
    let streaming: f64 = parts.next().unwrap().parse().unwrap();
    (Duration::from_secs_f64(secs), peak, streaming)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(op) = args.get(1).filter(|a| a.starts_with("child-")) {
        child(
            op,
            Path::new(&args[2]),
            Path::new(&args[3]),
            Path::new(&args[4]),
        );
        return;
    }
    let n = env_usize("VEKIL_BENCH_N", 100_000);
    let mb = env_usize("VEKIL_BENCH_ATTACH_MB", 1024);
    let tmp =
        tempfile::tempdir_in(std::env::var_os("VEKIL_BENCH_DIR").unwrap_or(".".into())).unwrap();
    let dir = tmp.path().join("vault");
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();

    eprintln!("filling: {n} incidents, {mb} MB of attachments…");
    let t = Instant::now();
    fill(&dir, &pass(), n, mb, &scratch);
    eprintln!("filled in {:.0} s", t.elapsed().as_secs_f64());
    let size = dir_bytes(&dir);

    let file = tmp.path().join("vault.backup.age");
    let target = tmp.path().join("restored");
    let (backup_time, backup_peak, backup_stream) = run_child("child-backup", &dir, &file, &target);
    let file_size = std::fs::metadata(&file).unwrap().len();
    let (restore_time, restore_peak, restore_stream) =
        run_child("child-restore", &dir, &file, &target);
    let restored_size = dir_bytes(&target);

    let mbps = |d: Duration| size as f64 / 1e6 / d.as_secs_f64();
    println!(
        "| {n} incidents, {:.2} GB on disk ({mb} MB of attachments); backup file {:.2} GB | time | throughput | peak memory: whole run / while streaming |",
        size as f64 / 1e9,
        file_size as f64 / 1e9
    );
    println!("|---|---|---|---|");
    println!(
        "| backup (passphrase check and seal, scrypt; every table; every file) | {:.1} s | {:.0} MB/s | {:.0} / {:.0} MiB |",
        backup_time.as_secs_f64(),
        mbps(backup_time),
        backup_peak,
        backup_stream
    );
    println!(
        "| restore (open, tables, files re-encrypted, history check, key files) | {:.1} s | {:.0} MB/s | {:.0} / {:.0} MiB |",
        restore_time.as_secs_f64(),
        mbps(restore_time),
        restore_peak,
        restore_stream
    );
    println!(
        "| restored vault on disk | {:.2} GB | | |",
        restored_size as f64 / 1e9
    );
}
