//! The logind watcher against a private bus with the test-only fake logind
//! (`tests/e2e/fake_logind.py`, Debian's `dbus-daemon` and
//! `python3-dbus-next`, installed by `scripts/deps`).
//!
//! What the E2E suite cannot show: the inhibitor is released only *after*
//! the key is dropped, however long that takes, and it is held exactly
//! while a key is in memory.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use vekil_desktop::lock::LockReason;

struct Fake {
    bus: Child,
    logind: Child,
    stdin: ChildStdin,
    events: Receiver<(serde_json::Value, Instant)>,
    address: String,
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.logind.kill();
        let _ = self.logind.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl Fake {
    fn start() -> Self {
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus-daemon, see scripts/deps)");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("bus address");
        let address = address.trim().to_owned();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/e2e/fake_logind.py");
        let mut logind = Command::new("/usr/bin/python3")
            .arg(script)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &address)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the fake logind (Debian python3 with python3-dbus-next)");
        let stdin = logind.stdin.take().expect("stdin");
        let out = BufReader::new(logind.stdout.take().expect("stdout"));
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in out.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    let _ = tx.send((v, Instant::now()));
                }
            }
        });
        let mut fake = Self {
            bus,
            logind,
            stdin,
            events,
            address,
        };
        fake.expect("ready");
        fake
    }

    fn send(&mut self, command: &str) -> Instant {
        let at = Instant::now();
        writeln!(self.stdin, "{command}").expect("write to the fake");
        self.stdin.flush().expect("flush");
        at
    }

    fn expect(&mut self, event: &str) -> (serde_json::Value, Instant) {
        loop {
            let (v, at) = self
                .events
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no {event:?} event from the fake logind"));
            if v["event"] == event {
                return (v, at);
            }
        }
    }

    fn nothing_for(&mut self, wait: Duration) {
        if let Ok((v, _)) = self.events.recv_timeout(wait) {
            panic!("unexpected event from the fake logind: {v}");
        }
    }
}

#[test]
fn the_inhibitor_is_held_while_a_key_is_in_memory_and_released_after_it_is_dropped() {
    let mut fake = Fake::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (keyed_tx, keyed) = watch::channel(false);
    let keyed_tx = std::sync::Arc::new(keyed_tx);
    let (lock_tx, locks) = mpsc::channel();
    let address = fake.address.clone();
    let drop_key = std::sync::Arc::clone(&keyed_tx);
    rt.spawn(async move {
        let conn = zbus::connection::Builder::address(address.as_str())
            .build()
            .await
            .expect("private bus");
        let lock = move |reason: LockReason| {
            let drop_key = std::sync::Arc::clone(&drop_key);
            let lock_tx = lock_tx.clone();
            async move {
                let _ = lock_tx.send(reason);
                if reason == LockReason::Sleep {
                    // A slow lock: the key goes 300 ms after the signal.
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        drop_key.send_replace(false);
                    });
                }
            }
        };
        let _ = vekil_desktop::sleep::watch(&conn, keyed, lock, |_, _| {}).await;
    });

    // Locked: no inhibitor. Unlocked: a delay inhibitor for sleep.
    fake.nothing_for(Duration::from_millis(500));
    keyed_tx.send_replace(true);
    let (taken, _) = fake.expect("inhibit");
    assert_eq!(
        (&taken["what"], &taken["who"], &taken["mode"]),
        (&"sleep".into(), &"Vekil".into(), &"delay".into())
    );

    // The fake keeps its own copy of the descriptor for 1 s after handing
    // it out; from then on, end-of-file means the app closed its copy.
    std::thread::sleep(Duration::from_millis(1200));
    // Sleep: lock first, release only once the key is gone.
    let sent = fake.send("sleep");
    let (released, at) = fake.expect("released");
    assert_eq!(released["id"], taken["id"]);
    assert_eq!(
        locks.recv_timeout(Duration::from_secs(5)).ok(),
        Some(LockReason::Sleep)
    );
    assert!(
        at - sent >= Duration::from_millis(300),
        "the inhibitor was released {:?} after the signal, before the key was dropped",
        at - sent
    );
    assert!(!*keyed_tx.borrow());

    // Unlock again: a new inhibitor; a plain lock (no sleep) releases it.
    fake.send("resume");
    keyed_tx.send_replace(true);
    let (again, _) = fake.expect("inhibit");
    assert_ne!(again["id"], taken["id"]);
    keyed_tx.send_replace(false);
    let (released, _) = fake.expect("released");
    assert_eq!(released["id"], again["id"]);

    // The session's Lock signal asks for a lock.
    keyed_tx.send_replace(true);
    fake.expect("inhibit");
    fake.send("lock");
    assert_eq!(
        locks.recv_timeout(Duration::from_secs(5)).ok(),
        Some(LockReason::Session)
    );
    rt.shutdown_timeout(Duration::from_secs(1));
}
