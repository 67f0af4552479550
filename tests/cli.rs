//! The `vekil` command line as a user and a script meet it.

mod common;
use common::{data_fingerprint, Cli};

#[test]
fn new_user_flow_init_client_incidents_search_verify_list() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let code = cli.init();
    assert_eq!(code.len(), 39);

    let client = cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
        "--arrested-at",
        "2025-03-10 06:00",
        "--charge",
        "206.3.2",
    ]);
    let client = client.trim();
    for (day, who) in [
        ("11", "Major Əliyev"),
        ("12", "Капитан Петров"),
        ("13", "Lt. Hüseynov"),
    ] {
        cli.ok(&[
            "incident",
            "add",
            "--client",
            "C-001",
            "--facility",
            "Bakı İstintaq Təcridxanası",
            "--type",
            "access_denied",
            "--at",
            &format!("2025-03-{day} 10:00"),
            "--official",
            who,
            "--reason",
            "Müstəntiqin icazəsi yoxdur",
        ]);
    }
    let table = cli.ok(&["incident", "list"]);
    assert_eq!(table.lines().count(), 4, "{table}");

    let hits = cli.ok(&["search", "Петров"]);
    assert!(
        hits.contains("incident") && hits.lines().count() == 2,
        "{hits}"
    );
    let hits = cli.ok(&["search", "icazə", "--json"]);
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 3);

    let list: serde_json::Value =
        serde_json::from_str(&cli.ok(&["incident", "list", "--json", "--client", "C-001"]))
            .unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["client_id"], client);
    assert_eq!(list[0]["type"], "access_denied");
    assert_eq!(list[0]["status"], "draft");
    assert_eq!(list[0]["revision"], 1);

    // Derived: arrested 2025-03-10 06:00, first incident 2025-03-11 10:00.
    let first = list
        .iter()
        .find(|r| {
            r["occurred"]["at"]
                .as_str()
                .unwrap()
                .starts_with("2025-03-11")
        })
        .unwrap();
    let shown: serde_json::Value = serde_json::from_str(&cli.ok(&[
        "incident",
        "show",
        first["id"].as_str().unwrap(),
        "--json",
    ]))
    .unwrap();
    assert_eq!(shown["derived"]["hours_since_arrest"], 28.0);

    let v = cli.ok(&["verify-vault"]);
    // One client, three incidents and the register entry of their facility.
    assert!(v.contains("5 records") && v.contains("intact"), "{v}");
}

#[test]
fn wrong_passphrase_exits_2_writes_no_data_and_backs_off_across_restarts() {
    let t = tempfile::tempdir().unwrap();
    let mut cli = Cli::new(t.path());
    cli.init();
    cli.ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"]);
    let before = data_fingerprint(&cli.vault);

    let good = cli.pass.clone();
    cli.pass = "not the passphrase".into();
    for n in 1..=3 {
        let err = cli.fails(&["client", "list"], 2);
        assert!(err.contains("wrong passphrase"), "{err}");
        assert!(err.contains(&format!("{n} failed attempt")), "{err}");
    }
    // The fourth try comes too soon: refused without trying, in a new process.
    let err = cli.fails(&["client", "list"], 2);
    assert!(err.contains("try again in"), "{err}");
    // Even the right passphrase must wait.
    cli.pass = good;
    let err = cli.fails(&["client", "list"], 2);
    assert!(err.contains("try again in"), "{err}");
    assert_eq!(
        before,
        data_fingerprint(&cli.vault),
        "a failed unlock changed data files"
    );

    std::thread::sleep(std::time::Duration::from_secs(3));
    let list = cli.ok(&["client", "list"]);
    assert!(list.contains("C-1"));
    // Success resets the counter.
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cli.vault.join("vault.json")).unwrap()).unwrap();
    assert_eq!(header["unlock"]["failed_attempts"], 0);
}

#[test]
fn invalid_records_are_refused_naming_the_field_and_change_nothing() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    let client = cli
        .ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"])
        .trim()
        .to_owned();
    let before = cli.ok(&["incident", "list", "--json"]);
    let dir = t.path();
    let good = serde_json::json!({
        "client_id": client, "type": "access_denied",
        "occurred": {"at": "2025-03-11T10:00:00+04:00", "precision": "minute"},
        "facility": {"name": "IVS No. 1"}
    });
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_string_lossy().into_owned()
    };
    let cases: Vec<(String, &str)> = vec![
        // missing required field
        (
            {
                let mut v = good.clone();
                v.as_object_mut().unwrap().remove("facility");
                write("missing.json", v.to_string().as_bytes())
            },
            "facility",
        ),
        // end before start
        (
            {
                let mut v = good.clone();
                v["requested_at"] = "2025-03-11T10:00:00+04:00".into();
                v["refused_at"] = "2025-03-11T09:00:00+04:00".into();
                write("order.json", v.to_string().as_bytes())
            },
            "refused_at",
        ),
        // unknown enum value
        (
            {
                let mut v = good.clone();
                v["type"] = "coffee_spilled".into();
                write("enum.json", v.to_string().as_bytes())
            },
            "coffee_spilled",
        ),
        // 10 MB string
        (
            {
                let mut v = good.clone();
                v["notes"] = "x".repeat(10 * 1024 * 1024).into();
                write("huge.json", v.to_string().as_bytes())
            },
            "notes",
        ),
        // unknown field (a typo must not be dropped silently)
        (
            {
                let mut v = good.clone();
                v["reson_given"] = "typo".into();
                write("typo.json", v.to_string().as_bytes())
            },
            "reson_given",
        ),
        // invalid UTF-8
        (
            {
                let mut b = good.to_string().into_bytes();
                let i = b.len() - 5;
                b[i] = 0xff;
                write("utf8.json", &b)
            },
            "utf8.json",
        ),
        // malformed JSON
        (write("broken.json", b"{\"client_id\": "), "broken.json"),
        // unknown client
        (
            {
                let mut v = good.clone();
                v["client_id"] = "00000000-0000-4000-8000-000000000000".into();
                write("ref.json", v.to_string().as_bytes())
            },
            "client_id",
        ),
    ];
    for (file, needle) in &cases {
        let err = cli.fails(&["incident", "add", "--json", file], 3);
        assert!(
            err.contains(needle),
            "refusing {file}: expected {needle:?} in: {err}"
        );
    }
    // A file with one good and one bad record is refused whole.
    let mut bad = good.clone();
    bad["facility"]["name"] = "".into();
    let mixed = write(
        "mixed.json",
        serde_json::json!([good, bad]).to_string().as_bytes(),
    );
    let err = cli.fails(&["incident", "add", "--json", &mixed], 3);
    assert!(err.contains("facility.name"), "{err}");

    // Bad flags too.
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--client",
            "C-1",
            "--facility",
            "X",
            "--type",
            "nope",
        ],
        3,
    );
    assert!(err.contains("type"), "{err}");
    let err = cli.fails(
        &[
            "incident",
            "add",
            "--client",
            "C-1",
            "--facility",
            "X",
            "--type",
            "other",
            "--at",
            "31/31/2025",
        ],
        3,
    );
    assert!(err.contains("occurred"), "{err}");
    assert_eq!(before, cli.ok(&["incident", "list", "--json"]));
    assert!(cli.ok(&["verify-vault"]).contains("intact"));

    // And the good record goes in.
    let ok = write("good.json", good.to_string().as_bytes());
    cli.ok(&["incident", "add", "--json", &ok]);
}

#[test]
fn usage_errors_exit_1_and_secrets_are_not_arguments() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.fails(&["frobnicate"], 1);
    cli.fails(&["init", "--passphrase", "x"], 1);
    cli.init();
    let err = cli.fails(&["incident", "add", "--client", "C-1"], 1);
    assert!(err.contains("--facility is required"), "{err}");
    let help = cli.ok(&["--help"]);
    assert!(help.contains("VEKIL_PASSPHRASE_FILE") && help.contains("Exit codes"));
    // No passphrase and no terminal: a clear sentence, not a hang.
    let o = cli
        .cmd(&["client", "list"])
        .env_remove("VEKIL_PASSPHRASE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Passphrase needed"));
}

#[test]
fn passphrase_from_file_passwd_and_recover() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let code = cli.init();
    cli.ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"]);
    let pfile = t.path().join("pass.txt");
    std::fs::write(&pfile, "correct horse battery staple\n").unwrap();
    let o = cli
        .cmd(&["client", "list"])
        .env_remove("VEKIL_PASSPHRASE")
        .env("VEKIL_PASSPHRASE_FILE", &pfile)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // passwd
    let o = cli
        .cmd(&["passwd"])
        .env("VEKIL_NEW_PASSPHRASE", "second passphrase 2")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    cli.fails(&["client", "list"], 2);
    let o = cli
        .cmd(&["client", "list"])
        .env("VEKIL_PASSPHRASE", "second passphrase 2")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("C-1"));

    // recover with a sloppily typed code
    let sloppy = code.to_lowercase().replace('-', " ");
    let o = cli
        .cmd(&["recover"])
        .env("VEKIL_RECOVERY_CODE", &sloppy)
        .env("VEKIL_NEW_PASSPHRASE", "third passphrase 3")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = cli
        .cmd(&["client", "list"])
        .env("VEKIL_PASSPHRASE", "third passphrase 3")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("C-1"));
    // a wrong code
    let o = cli
        .cmd(&["recover"])
        .env(
            "VEKIL_RECOVERY_CODE",
            "0000-0000-0000-0000-0000-0000-0000-0000",
        )
        .env("VEKIL_NEW_PASSPHRASE", "fourth passphrase 4")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wrong recovery code"));
}

#[test]
fn second_writer_gets_vault_in_use() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    cli.ok(&["client", "add", "--name", "A B", "--pseudonym", "C-1"]);
    // A streaming add holds the vault open while it waits for input.
    let mut holder = cli
        .cmd(&["client", "add", "--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    use std::io::{BufRead, Write};
    writeln!(stdin, r#"{{"full_name": "C D", "pseudonym": "C-2"}}"#).unwrap();
    stdin.flush().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim().len(), 36, "holder acknowledged: {line}");

    let err = cli.fails(&["client", "list"], 2);
    assert!(err.contains("in use"), "{err}");
    drop(stdin);
    assert!(holder.wait().unwrap().success());
    assert!(cli.ok(&["client", "list"]).contains("C-2"));
}

#[test]
fn cases_hearings_deadlines_timeline_agenda_and_evidence() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Leyla Həsənova",
        "--pseudonym",
        "C-7",
    ]);
    let case = cli.ok(&[
        "case",
        "add",
        "--client",
        "C-7",
        "--number",
        "1(101)-123/2025",
        "--court",
        "Baku Grave Crimes Court",
    ]);
    let case = case.trim();
    let soon = (chrono::Local::now() + chrono::Duration::days(3))
        .format("%Y-%m-%d 10:00")
        .to_string();
    cli.ok(&[
        "hearing",
        "add",
        "--case",
        &case[..8],
        "--at",
        &soon,
        "--kind",
        "detention_extension",
    ]);
    cli.ok(&[
        "deadline",
        "add",
        "--case",
        &case[..8],
        "--due",
        &soon,
        "--kind",
        "appeal",
        "--rule",
        "CPC 384: 20 days",
    ]);
    let inc = cli.ok(&[
        "incident",
        "add",
        "--client",
        "C-7",
        "--facility",
        "IVS",
        "--type",
        "access_delayed",
        "--case",
        &case[..8],
    ]);
    let scan = t.path().join("scan.txt");
    std::fs::write(&scan, "the refusal letter").unwrap();
    let ev = cli.ok(&[
        "evidence",
        "add",
        "--incident",
        &inc.trim()[..8],
        "--description",
        "Written refusal",
        "--attach",
        scan.to_str().unwrap(),
        "--custody",
        "Lawyer: received from the duty officer",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&cli.ok(&["evidence", "show", ev.trim(), "--json"])).unwrap();
    use sha2::Digest;
    let expected = hex::encode(sha2::Sha256::digest(b"the refusal letter"));
    assert_eq!(shown["attachments"][0]["sha256"], expected.as_str());
    assert_eq!(shown["custody"][0]["who"], "Lawyer");

    let tl = cli.ok(&["timeline", &case[..8]]);
    assert!(
        tl.contains("hearing") && tl.contains("deadline") && tl.contains("incident"),
        "{tl}"
    );
    let agenda = cli.ok(&["agenda", "--days", "30"]);
    assert!(
        agenda.contains("detention extension") && agenda.contains("appeal"),
        "{agenda}"
    );
    let deadlines: serde_json::Value =
        serde_json::from_str(&cli.ok(&["deadline", "list", "--json"])).unwrap();
    let deadline = deadlines[0]["id"].as_str().unwrap().to_owned();
    cli.ok(&["deadline", "edit", &deadline, "--done"]);
    let agenda = cli.ok(&["agenda"]);
    assert!(
        !agenda.contains("Deadline"),
        "a met deadline stays off the agenda: {agenda}"
    );

    // The case cannot be deleted while its hearing refers to it.
    let err = cli.fails(&["case", "delete", &case[..8]], 3);
    assert!(err.contains("still referenced"), "{err}");
    let hist = cli.ok(&["evidence", "history", ev.trim()]);
    assert!(
        hist.contains("create") && hist.contains("update") && hist.contains("attachments"),
        "{hist}"
    );
    assert!(cli.ok(&["verify-vault"]).contains("1 attachments"));
}

/// Runs the CLI as a user the permission bits apply to: when the tests run
/// as root (as in CI), root ignores them, so the files are handed to
/// `nobody` and the CLI runs as `nobody`.
struct Unprivileged {
    uid: Option<u32>,
    /// The CLI binary, where that user can reach it.
    bin: std::path::PathBuf,
}

impl Unprivileged {
    const NOBODY: u32 = 65534;

    /// Hands everything under `root` to the user the CLI will run as.
    fn for_tree(root: &std::path::Path) -> Self {
        let is_root = std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
            .unwrap_or(false);
        if !is_root {
            return Self {
                uid: None,
                bin: common::bin(),
            };
        }
        fn chown_all(p: &std::path::Path) {
            std::os::unix::fs::chown(p, Some(Unprivileged::NOBODY), Some(Unprivileged::NOBODY))
                .unwrap();
            if p.is_dir() {
                for e in std::fs::read_dir(p).unwrap() {
                    chown_all(&e.unwrap().path());
                }
            }
        }
        chown_all(root);
        let bin = Self::reachable_cli(root);
        Self::assert_reaches(&bin);
        Self {
            uid: Some(Self::NOBODY),
            bin,
        }
    }

    /// The CLI binary, linked into `root`'s tree: a checkout inside a
    /// private folder (such as `mktemp -d`'s 0700) is out of `nobody`'s
    /// reach, `root` (handed to `nobody`) is not. A hard link opens no file
    /// for writing, so no program started meanwhile can hold it open and
    /// make running it fail ("text file busy"); a copy only where the two
    /// are on different file systems.
    fn reachable_cli(root: &std::path::Path) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = root.join("cli");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("vekil");
        if std::fs::hard_link(common::bin(), &bin).is_err() {
            std::fs::copy(common::bin(), &bin).unwrap();
        }
        bin
    }

    /// `nobody` must be able to walk to the CLI binary; the test would
    /// otherwise fail on a bare "permission denied" at spawn.
    fn assert_reaches(exe: &std::path::Path) {
        use std::os::unix::fs::PermissionsExt;
        for dir in exe.ancestors().skip(1) {
            let Ok(meta) = std::fs::metadata(dir) else {
                continue;
            };
            assert!(
                meta.permissions().mode() & 0o001 != 0,
                "this test runs the CLI as `nobody`, who cannot enter {} (mode {:o}): \
                 run the tests from a folder others may enter (chmod o+x)",
                dir.display(),
                meta.permissions().mode() & 0o777
            );
        }
    }

    /// `cli`'s command for `args`, run as that user.
    fn cmd(&self, cli: &Cli, args: &[&str]) -> std::process::Command {
        let mut c = cli.cmd_of(&self.bin, args);
        if let Some(uid) = self.uid {
            use std::os::unix::process::CommandExt;
            c.uid(uid).gid(uid);
        }
        c
    }
}

fn set_mode_all(p: &std::path::Path, dir_mode: u32, file_mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if p.is_dir() { dir_mode } else { file_mode };
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            set_mode_all(&e.unwrap().path(), dir_mode, file_mode);
        }
    }
}

#[test]
fn a_vault_in_a_folder_that_cannot_be_written_opens_read_only() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
    ]);
    let case = cli.ok(&[
        "case",
        "add",
        "--client",
        "C-001",
        "--number",
        "1(101)-123/2025",
    ]);
    cli.ok(&[
        "incident",
        "add",
        "--client",
        "C-001",
        "--facility",
        "Bakı İstintaq Təcridxanası",
        "--type",
        "access_denied",
        "--case",
        &case.trim()[..8],
        "--at",
        "2025-03-11 10:00",
        "--reason",
        "Müstəntiqin icazəsi yoxdur",
    ]);
    // A copy that nobody may change: folder 0555, files 0444.
    let as_user = Unprivileged::for_tree(t.path());
    set_mode_all(&cli.vault, 0o555, 0o444);
    let before = common::all_files(&cli.vault);
    let run = |args: &[&str]| as_user.cmd(&cli, args).output().unwrap();

    let o = run(&["client", "list"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Rəşad Məmmədov"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("open read-only because its folder cannot be written"),
        "{err}"
    );
    for args in [
        &["search", "icazə"][..],
        &["timeline", &case.trim()[..8]],
        &["incident", "list", "--json"],
    ] {
        let o = run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Bakı"),
            "{args:?}"
        );
    }
    let out = cli.tmp.join("export.json");
    let o = run(&["export", "--format", "json", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("Müstəntiqin icazəsi yoxdur"));

    // A write: one sentence, exit 2, and what to do.
    let o = run(&[
        "client",
        "add",
        "--name",
        "Nigar Əhmədova",
        "--pseudonym",
        "C-002",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("read-only") && last.contains("copy the whole vault folder"),
        "{err}"
    );
    // A wrong passphrase cannot be counted there, and says so.
    let o = {
        let mut c = as_user.cmd(&cli, &["client", "list"]);
        c.env("VEKIL_PASSPHRASE", "not the passphrase");
        c.output().unwrap()
    };
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("could not be counted"));

    assert_eq!(
        before,
        common::all_files(&cli.vault),
        "the read-only vault changed"
    );
    assert!(!cli.vault.join("vekil.db-wal").exists() && !cli.vault.join("vekil.db-shm").exists());
    set_mode_all(&cli.vault, 0o700, 0o600);
}

/// Runs `vekil` with `input` on standard input.
fn with_stdin(cli: &Cli, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = cli
        .cmd(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn case_text_can_come_from_standard_input_instead_of_the_command_line() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    cli.init();
    let o = with_stdin(
        &cli,
        &["client", "add", "--name", "-", "--pseudonym", "C-001"],
        "Rəşad Məmmədov\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let id = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    let shown: serde_json::Value =
        serde_json::from_str(&cli.ok(&["client", "show", &id, "--json"])).unwrap();
    assert_eq!(shown["full_name"], "Rəşad Məmmədov");

    // Several lines and Cyrillic arrive as typed (only the final newline
    // goes), NFD text composed (all text is NFC at intake); a repeatable
    // flag takes `-` for one of its values.
    let notes = "Birinci sətir\nВторая строка: Капитан Петров\nSe\u{0301}n\u{0327}";
    let o = with_stdin(
        &cli,
        &[
            "incident",
            "add",
            "--client",
            "C-001",
            "--facility",
            "IVS No. 1",
            "--type",
            "access_denied",
            "--official",
            "Major Əliyev",
            "--official",
            "-",
        ],
        "Капитан Петров\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let inc = String::from_utf8(o.stdout).unwrap().trim().to_owned();
    let o = with_stdin(
        &cli,
        &["incident", "edit", &inc, "--notes", "-"],
        &format!("{notes}\n"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown: serde_json::Value =
        serde_json::from_str(&cli.ok(&["incident", "show", &inc, "--json"])).unwrap();
    assert_eq!(
        shown["notes"],
        "Birinci sətir\nВторая строка: Капитан Петров\nS\u{e9}\u{146}"
    );
    assert_eq!(shown["officials"][1]["name"], "Капитан Петров");

    // Search words too.
    let o = with_stdin(&cli, &["search", "-"], "Петров\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("incident"));

    // Standard input is one stream: two `-` are refused before anything
    // is read or saved.
    let before = cli.ok(&["client", "list", "--json"]);
    for args in [
        &[
            "client",
            "add",
            "--name",
            "-",
            "--notes",
            "-",
            "--pseudonym",
            "C-2",
        ][..],
        &["client", "add", "--name", "-", "--json", "-"],
    ] {
        let o = with_stdin(&cli, args, "x\n");
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("standard input"));
    }
    assert_eq!(before, cli.ok(&["client", "list", "--json"]));
    assert!(cli.ok(&["--help"]).contains("--notes -"));
}

#[test]
fn the_cli_cannot_dump_core_or_be_read_by_other_processes_of_its_user() {
    use std::os::unix::fs::MetadataExt;
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let as_user = Unprivileged::for_tree(t.path());
    // `search -` waits for its words on standard input, before any vault
    // is touched: a live process to look at from outside.
    let mut c = as_user.cmd(&cli, &["search", "-"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", child.id()));
    let core_limit = || {
        let limits = std::fs::read_to_string(proc_dir.join("limits")).unwrap_or_default();
        limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .map(|l| {
                l.split_whitespace()
                    .skip(4)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    // The kernel gives the /proc files of a non-dumpable process to root,
    // whoever runs it (the CLI runs as `nobody` here when the tests run as
    // root, or as the tester's own user otherwise).
    let owner = || {
        std::fs::metadata(proc_dir.join("status"))
            .map(|m| m.uid())
            .ok()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while (core_limit() != "0 0" || owner() != Some(0)) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (limit, owned_by) = (core_limit(), owner());
    drop(child.stdin.take());
    let _ = child.wait();
    assert_eq!(limit, "0 0", "core dumps are still allowed");
    assert_eq!(owned_by, Some(0), "the process is still dumpable");
}

#[test]
fn secrets_given_in_the_environment_are_not_inherited_by_child_processes() {
    // What `vekil` does first; then any child (of Vekil or of a library)
    // starts without them.
    for var in vekil::cli::SECRET_VARS {
        std::env::set_var(var, "gizli parol: Şəki, İsmayıllı");
    }
    vekil::cli::take_secret_env();
    let out = std::process::Command::new("env").output().unwrap();
    let env = String::from_utf8_lossy(&out.stdout);
    for var in vekil::cli::SECRET_VARS {
        assert!(!env.contains(var), "{var} was inherited");
    }
    assert!(!env.contains("Şəki"));
}
