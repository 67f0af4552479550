//! The export/NGO commands through the real `vekil` binary: exit codes,
//! passphrase from the environment, end-to-end lawyer → NGO.

mod export_support;

use export_support::*;
use vekil::model::Kind;

static PASSPHRASE: std::sync::Mutex<&str> = std::sync::Mutex::new(PASS);

/// Runs the real `vekil` binary; the passphrase comes from the
/// environment, never argv. Returns the exit code.
fn run(vault: &std::path::Path, args: &[&str]) -> i32 {
    let pass = *PASSPHRASE.lock().expect("lock");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vekil"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("VEKIL_PASSPHRASE", pass)
        .env_remove("VEKIL_PASSPHRASE_FILE")
        .output()
        .expect("run vekil");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "vekil panicked: {stderr}");
    out.status.code().expect("exit code")
}

#[test]
fn lawyer_to_ngo_through_the_cli() {
    let f = fixture();
    let f_inc = f.inc_consented.to_string();
    let Fixture { tmp, vault, .. } = f;
    drop(vault); // release the vault lock for the CLI
    let lawyer = tmp.path().join("lawyer");
    let ngo_dir = tmp.path().join("ngo");
    drop(new_vault(&ngo_dir));
    let key2 = tmp.path().join("org2.txt");
    assert_eq!(
        run(&ngo_dir, &["keygen", "--out", key2.to_str().expect("utf8")]),
        0
    );
    assert_eq!(
        run(&ngo_dir, &["keygen", "--out", key2.to_str().expect("utf8")]),
        3,
        "keygen overwrote an identity"
    );

    let out = tmp.path().join("log.json");
    assert_eq!(
        run(
            &lawyer,
            &[
                "export",
                "--format",
                "json",
                "--out",
                out.to_str().expect("utf8")
            ]
        ),
        0
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("log")).expect("json");
    assert_valid(&v);
    for fmt in ["csv", "ics", "pdf", "huridocs"] {
        let out = tmp.path().join(format!("out.{fmt}"));
        assert_eq!(
            run(
                &lawyer,
                &[
                    "export",
                    "--format",
                    fmt,
                    "--profile",
                    "ngo",
                    "--to",
                    NGO,
                    "--out",
                    out.to_str().expect("utf8")
                ]
            ),
            0,
            "{fmt}"
        );
        assert!(std::fs::metadata(&out).expect("written").len() > 0);
    }
    let one = tmp.path().join("one.pdf");
    assert_eq!(
        run(
            &lawyer,
            &[
                "export",
                "--format",
                "pdf",
                "--incident",
                &f_inc[..8],
                "--out",
                one.to_str().expect("utf8"),
            ]
        ),
        0,
        "single-incident PDF by id prefix"
    );
    assert!(std::fs::metadata(&one).expect("written").len() > 0);
    assert_eq!(
        run(
            &lawyer,
            &[
                "export",
                "--format",
                "json",
                "--profile",
                "ngo",
                "--preview"
            ]
        ),
        1,
        "ngo needs --to"
    );
    assert_eq!(
        run(
            &lawyer,
            &[
                "export",
                "--format",
                "json",
                "--profile",
                "ngo",
                "--to",
                NGO,
                "--preview"
            ]
        ),
        0
    );
    assert_eq!(
        run(
            &lawyer,
            &["export", "--format", "bundle", "--to", "Nobody", "--out", "x"]
        ),
        1
    );
    assert_eq!(
        run(&lawyer, &["export", "--format", "nonsense", "--out", "x"]),
        1
    );
    assert_eq!(run(&lawyer, &["recipient", "list"]), 0);
    assert_eq!(run(&lawyer, &["signing-key"]), 0);

    let bundle = tmp.path().join("to-ngo.age");
    assert_eq!(
        run(
            &lawyer,
            &[
                "export",
                "--format",
                "bundle",
                "--profile",
                "ngo",
                "--to",
                NGO,
                "--out",
                bundle.to_str().expect("utf8")
            ]
        ),
        0
    );
    let key = tmp.path().join("ngo-key.txt");
    let k = key.to_str().expect("utf8");
    let b = bundle.to_str().expect("utf8");
    // The NGO trusts the lawyer's key (fingerprint compared out of band).
    let pubkey = tmp.path().join("lawyer.pub");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_vekil"))
        .arg("--vault")
        .arg(&lawyer)
        .arg("signing-key")
        .env("VEKIL_PASSPHRASE", PASS)
        .output()
        .expect("signing-key");
    std::fs::write(&pubkey, &printed.stdout).expect("write .pub");
    assert_eq!(
        run(&ngo_dir, &["verify", b, "--identity", k]),
        3,
        "untrusted"
    );
    assert_eq!(
        run(
            &ngo_dir,
            &[
                "signer",
                "trust",
                "Lawyer",
                pubkey.to_str().expect("utf8"),
                "--yes"
            ]
        ),
        0
    );
    assert_eq!(run(&ngo_dir, &["verify", b, "--identity", k]), 0);
    assert_eq!(
        run(
            &ngo_dir,
            &["verify", b, "--identity", key2.to_str().expect("utf8")]
        ),
        3,
        "wrong identity"
    );
    assert_eq!(run(&ngo_dir, &["import", b, "--identity", k]), 0);
    assert_eq!(run(&ngo_dir, &["import", b, "--identity", k]), 0);
    assert_eq!(run(&ngo_dir, &["stats"]), 0);
    assert_eq!(run(&ngo_dir, &["stats", "--json"]), 0);
    let ngo = vekil::Vault::unlock(&ngo_dir, &vekil::secret::Passphrase::new(PASS.into()))
        .expect("unlock");
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    let s = vekil::stats::stats(&ngo).expect("stats");
    assert_eq!(s.incidents, 2);
    assert_eq!(s.by_type.get("access_denied"), Some(&1));
    // Client A: arrested 2025-03-10 08:00, first meeting 2025-03-12 14:00 = 54 h;
    // client B: 2025-04-01 10:00 → 2025-04-03 10:00 = 48 h. Median 51.
    assert_eq!(s.first_meeting.median_hours, Some(51.0));
    assert_eq!(s.first_meeting.clients_measured, 2);
    drop(ngo);

    // Tampered bundle: exit 3.
    let mut bytes = std::fs::read(&bundle).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let bad = tmp.path().join("bad.age");
    std::fs::write(&bad, bytes).expect("write");
    assert_eq!(
        run(
            &ngo_dir,
            &["import", bad.to_str().expect("utf8"), "--identity", k]
        ),
        3
    );

    // Wrong passphrase: exit 2.
    *PASSPHRASE.lock().expect("lock") = "not the passphrase at all";
    assert_eq!(run(&ngo_dir, &["stats"]), 2);
    *PASSPHRASE.lock().expect("lock") = PASS;
}
