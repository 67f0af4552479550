//! Power-cut safety: a writer killed with SIGKILL at random moments loses
//! nothing it acknowledged, and the vault still opens and verifies, with
//! no false alarm: a writer killed before it could record its change
//! counter in the header and this computer's record leaves the database
//! ahead of both, never behind.

mod common;
use common::Cli;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

const TARGET_SAVES: usize = 500;

#[test]
fn sigkill_during_500_saves_loses_no_acknowledged_save() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    let client = cli
        .ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"])
        .trim()
        .to_owned();

    let mut acked: Vec<String> = Vec::new();
    let mut kills = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15 ^ std::process::id() as u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut sent = 0usize;
    while acked.len() < TARGET_SAVES {
        let mut child = cli
            .cmd(&["incident", "add", "--json", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let remaining = TARGET_SAVES - acked.len();
        let batch: Vec<String> = (0..remaining)
            .map(|i| {
                serde_json::json!({
                    "client_id": client,
                    "type": "access_denied",
                    "occurred": {"at": "2025-03-11T10:00:00+04:00"},
                    "facility": {"name": format!("Facility {}", sent + i)},
                    "reason_given": format!("save number {}", sent + i),
                })
                .to_string()
            })
            .collect();
        sent += remaining;
        let feeder = std::thread::spawn(move || {
            for line in batch {
                if writeln!(stdin, "{line}").is_err() {
                    break; // the writer was killed
                }
            }
        });
        // Kill after a random number of acknowledgements (or let it finish).
        let kill_after = if kills < 8 {
            1 + (next() % 60) as usize
        } else {
            usize::MAX
        };
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut seen = 0;
        let start = Instant::now();
        let mut line = String::new();
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let id = line.trim().to_owned();
                    assert_eq!(id.len(), 36, "ack line: {id:?}");
                    acked.push(id);
                    seen += 1;
                }
            }
            if seen >= kill_after {
                // Land the kill at a random point inside the next save.
                std::thread::sleep(Duration::from_micros(next() % 4000));
                child.kill().unwrap();
                kills += 1;
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "writer too slow"
            );
        }
        let _ = child.wait();
        let _ = feeder.join();
    }
    assert!(kills >= 8, "the test must actually kill the writer");

    // Every acknowledged save is there, once.
    let o = cli.run(&["incident", "list", "--json", "--limit", "100000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("warning"), "a crash raised an alarm: {err}");
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stored: std::collections::HashSet<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    for id in &acked {
        assert!(stored.contains(id), "acknowledged save {id} was lost");
    }
    assert!(stored.len() >= acked.len());
    let v = cli.ok(&["verify-vault"]);
    assert!(v.contains("intact"), "{v}");
}
