//! Encrypted backup and restore at scale: a vault of 100,000 incidents and
//! 1 GB of attachments, backed up to one age file and restored from it.
//!
//! `cargo bench --bench backup` (VEKIL_BENCH_N incidents, default 100,000;
//! VEKIL_BENCH_ATTACH_MB of attachments in 10 MB files, default 1024;
//! VEKIL_BENCH_DIR where the vaults go, default the current folder).
//!
//! Backup and restore each run in a child process (this binary again,
//! with `child-backup`, `child-backup-recipient` / `child-restore`), so
//! that the peak resident memory it reports (`VmHWM`) is theirs alone, not
//! the filling's. A backup child first unlocks the vault (scrypt, as the
//! app did at unlock), then resets the peak (`/proc/self/clear_refs`) so
//! the backup call's own peak is reported apart from the unlock's. The
//! backup is made twice: sealed to the passphrase (checked against the
//! tag the unlock left, then scrypt to seal) and to an age recipient (no
//! scrypt at all: the X25519 seal needs none). Uses the real
//! key-derivation cost. Prints one Markdown table for docs/benchmarks.md.

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

/// Resets this process's peak resident size (`VmHWM`) to the current one
/// (Linux 4.0 and later); false if the kernel refused.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
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

/// Child: one operation, then `seconds process_peak_mib call_peak_mib
/// streaming_peak_mib` on stdout.
fn child(op: &str, vault: &Path, file: &Path, target: &Path) {
    let t;
    let sampler = Sampler::start();
    let mut before_call = 0.0;
    match op {
        "child-backup" | "child-backup-recipient" => {
            let v = Vault::unlock(vault, &pass()).unwrap();
            before_call = status_mib("VmHWM:");
            assert!(reset_peak(), "cannot reset VmHWM (/proc/self/clear_refs)");
            let seal = if op == "child-backup" {
                Seal::Passphrase(pass())
            } else {
                let colleague = age::x25519::Identity::generate().to_public().to_string();
                Seal::Recipients {
                    passphrase: pass(),
                    to: vec![colleague],
                }
            };
            t = Instant::now();
            backup::write(&v, &seal, file, &mut sampler.progress()).unwrap();
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
    let call = status_mib("VmHWM:");
    println!("{elapsed} {} {call} {streaming}", call.max(before_call));
}

/// Time, process peak, the call's own peak, peak while streaming (MiB).
type Measured = (Duration, f64, f64, f64);

fn run_child(op: &str, vault: &Path, file: &Path, target: &Path) -> Measured {
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
    let mut mib = || -> f64 { parts.next().unwrap().parse().unwrap() };
    let (peak, call, streaming) = (mib(), mib(), mib());
    (Duration::from_secs_f64(secs), peak, call, streaming)
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
    let backup = run_child("child-backup", &dir, &file, &target);
    let file_size = std::fs::metadata(&file).unwrap().len();
    let to_colleague = tmp.path().join("vault.colleague.age");
    let recipient = run_child("child-backup-recipient", &dir, &to_colleague, &target);
    std::fs::remove_file(&to_colleague).unwrap();
    let restore = run_child("child-restore", &dir, &file, &target);
    let restored_size = dir_bytes(&target);

    let mbps = |d: Duration| size as f64 / 1e6 / d.as_secs_f64();
    println!(
        "| {n} incidents, {:.2} GB on disk ({mb} MB of attachments); backup file {:.2} GB | time | throughput | peak memory (MiB): process / the call alone / while streaming |",
        size as f64 / 1e9,
        file_size as f64 / 1e9
    );
    println!("|---|---|---|---|");
    let rows = [
        ("backup sealed to the passphrase (passphrase checked without scrypt, scrypt to seal; every table; every file)", backup),
        ("backup sealed to an age recipient (passphrase checked without scrypt; X25519 seal)", recipient),
        ("restore (open, tables, files re-encrypted, history check, key files)", restore),
    ];
    for (what, (time, peak, call, streaming)) in rows {
        println!(
            "| {what} | {:.1} s | {:.0} MB/s | {peak:.0} / {call:.0} / {streaming:.0} |",
            time.as_secs_f64(),
            mbps(time),
        );
    }
    println!(
        "| restored vault on disk | {:.2} GB | | |",
        restored_size as f64 / 1e9
    );
}
