//! The vault's encrypted files are ordinary age files: Debian's `age`
//! opens them, so a lawyer's data outlives Vekil itself.

mod common;
use common::Cli;
use std::io::Write;
use std::process::{Command, Stdio};

fn require(tool: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success());
    assert!(
        found.unwrap_or(false),
        "`{tool}` is missing: apt-get install {package} (scripts/deps does this)"
    );
}

/// `age -d` reads passphrases from a terminal only; `script` gives it one.
fn age_decrypt_with_passphrase(file: &std::path::Path, out: &std::path::Path, passphrase: &str) {
    let cmd = format!("age -d -o '{}' '{}'", out.display(), file.display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    writeln!(stdin, "{passphrase}").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "age -d failed on {}", file.display());
}

#[test]
fn stock_age_opens_the_recovery_key_and_attachments() {
    require("age", "age");
    require("script", "bsdutils");
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let code = cli.init();
    cli.ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"]);
    let src = t.path().join("refusal.txt");
    std::fs::write(&src, "Rədd cavabı: müstəntiqin icazəsi yoxdur").unwrap();
    cli.ok(&[
        "evidence",
        "add",
        "--client",
        "C-1",
        "--description",
        "refusal",
        "--attach",
        src.to_str().unwrap(),
    ]);

    // 1. The recovery code opens the key file with the stock tool…
    let key_hex = t.path().join("key.hex");
    age_decrypt_with_passphrase(&cli.vault.join("key.recovery.age"), &key_hex, &code);
    let key = std::fs::read_to_string(&key_hex).unwrap();
    assert_eq!(key.trim().len(), 64);
    // …and that key opens the database with plain SQLCipher.
    let conn = rusqlite::Connection::open(cli.vault.join("vekil.db")).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.trim()))
        .unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM records WHERE kind = 'client'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);

    // 2. The attachment opens with `age -d -i` and the vault's identity.
    let identity: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'attachment_identity'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let id_file = t.path().join("identity.txt");
    std::fs::write(&id_file, format!("{identity}\n")).unwrap();
    let att = std::fs::read_dir(cli.vault.join("attachments"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_file)
        .arg(&att)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, std::fs::read(&src).unwrap());
}
