//! Travel mode and quick erase, as a lawyer and a custodian meet them.
//!
//! Library-level tests use the cheap test KDF; the CLI tests run the real
//! binary (real KDF, separate processes, so "across a restart" is real).

mod common;
use common::{all_files, contains, new_vault, pass, recovery_code, Cli, PASS};
use std::path::{Path, PathBuf};
use vekil::model::{Client, EvidenceNote, Incident, IncidentType};
use vekil::secret::{Passphrase, RecoveryCode};
use vekil::store::ListFilter;
use vekil::vault::travel::{self, TravelError};
use vekil::vault::{erase, Vault, VaultError};

const NEW_PASS: &str = "yeni parol: Şəki yolunda qar yağır";

/// Realistic custodians: a colleague at the bar, two NGOs.
const NAMES: [&str; 5] = [
    "Leyla Həsənova (Vəkillər Kollegiyası)",
    "Правозащитный центр «Мемориал»",
    "Example Rights NGO",
    "İlqar Məmmədli",
    "Ассоциация юристов Кавказа",
];

struct Custodian {
    key: PathBuf,
}

/// Makes `n` custodian identities and adds them to the vault's address book.
fn custodians(v: &Vault, root: &Path, n: usize) -> Vec<Custodian> {
    (0..n)
        .map(|i| {
            let key = root.join(format!("custodian-{i}.key"));
            let public = vekil::import::keygen(&key).unwrap();
            vekil::export::recipients::add(v, NAMES[i], &public).unwrap();
            Custodian { key }
        })
        .collect()
}

fn names(n: usize) -> Vec<String> {
    NAMES[..n].iter().map(|s| s.to_string()).collect()
}

/// A vault with records in three scripts, NFD text and a day-only date.
fn filled_vault() -> (tempfile::TempDir, PathBuf, Vault, String) {
    let (t, dir, v, code) = new_vault();
    let c = v.insert(Client::new("Rəşad Məmmədov", "C-001")).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2025-03-11T10:00:00+04:00").unwrap();
    let mut i = Incident::quick(
        c.id,
        "Bakı İstintaq Təcridxanası",
        at,
        IncidentType::AccessDenied,
    );
    i.reason_given = "Свидание не разрешено следователем; Mu\u{0308}stəntiq".into();
    let i = v.insert(i).unwrap();
    let mut e = EvidenceNote::new("Yazılı imtina");
    e.incident_ids = vec![i.id];
    let e = v.insert(e).unwrap();
    let doc = t.path().join("imtina.txt");
    std::fs::write(&doc, "Rədd cavabı: müstəntiqin icazəsi yoxdur").unwrap();
    v.attach_file(e.id, &doc).unwrap();
    (t, dir, v, code)
}

/// Everything a user relies on, as JSON: every record of every kind.
fn records(v: &Vault) -> serde_json::Value {
    let f = ListFilter::default();
    serde_json::json!({
        "clients": v.list::<Client>(&f).unwrap(),
        "incidents": v.list::<Incident>(&f).unwrap(),
        "evidence": v.list::<EvidenceNote>(&f).unwrap(),
    })
}

/// Every file of the vault with its bytes, except the lock file.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = all_files(dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with("vault.lock"))
        .collect();
    v.sort();
    v
}

fn assert_sealed(dir: &Path, code: &str) {
    assert!(matches!(
        Vault::unlock(dir, &pass()),
        Err(VaultError::Sealed)
    ));
    let code = RecoveryCode::parse(code).unwrap();
    assert!(matches!(
        Vault::recover(dir, &code, &Passphrase::new(NEW_PASS.into())),
        Err(VaultError::Sealed)
    ));
}

/// Seals as the CLI and the window do: seal the open vault, then close it.
fn seal_and_close(
    v: Vault,
    pass: &Passphrase,
    names: &[String],
    k: Option<u8>,
) -> Result<travel::TravelStatus, TravelError> {
    let r = travel::seal(&v, pass, names, k);
    drop(v);
    r
}

fn open_files(
    dir: &Path,
    files: &[PathBuf],
    new: &Passphrase,
) -> Result<(Vault, RecoveryCode), TravelError> {
    let releases = files
        .iter()
        .map(|p| travel::Release::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    travel::open(dir, &releases, new)
}

fn release(c: &Custodian, request: &Path, out: &Path) -> travel::ReleaseReceipt {
    let info = travel::read_request(request).unwrap();
    travel::release(request, &c.key, &info.code, out).unwrap()
}

#[test]
fn library_seal_then_passphrase_and_recovery_code_both_fail() {
    let (t, dir, v, code) = new_vault();
    let cs = custodians(&v, t.path(), 1);
    let s = seal_and_close(v, &pass(), &names(1), None).unwrap();
    assert_eq!((s.threshold, s.custodians.len()), (1, 1));
    assert_sealed(&dir, &code);
    assert!(!dir.join("key.passphrase.age").exists());
    assert!(!dir.join("key.recovery.age").exists());
    assert!(Vault::status(&dir).sealed);
    drop(cs);
}

#[test]
fn seal_refuses_a_wrong_passphrase_and_bad_custodian_choices_and_changes_nothing() {
    let (t, dir, v, _) = new_vault();
    custodians(&v, t.path(), 3);
    drop(v);
    let before = snapshot(&dir);
    let open = || Vault::unlock(&dir, &pass()).unwrap();
    let wrong = Passphrase::new("not the passphrase at all".into());
    let cases: Vec<(Result<_, _>, &str)> = vec![
        (
            seal_and_close(open(), &wrong, &names(1), None),
            "wrong passphrase",
        ),
        (
            seal_and_close(open(), &pass(), &[], None),
            "at least one custodian",
        ),
        (
            seal_and_close(open(), &pass(), &["Nobody".into()], None),
            "no recipient named",
        ),
        (
            seal_and_close(open(), &pass(), &names(3), None),
            "--threshold",
        ),
        (
            seal_and_close(open(), &pass(), &names(3), Some(4)),
            "between 1 and",
        ),
        (
            seal_and_close(open(), &pass(), &names(3), Some(0)),
            "between 1 and",
        ),
        (
            seal_and_close(
                open(),
                &pass(),
                &[NAMES[2].into(), NAMES[2].to_uppercase()],
                Some(1),
            ),
            "named twice",
        ),
    ];
    for (r, why) in cases {
        let e = r.unwrap_err();
        assert!(e.to_string().contains(why), "{e} (expected {why})");
        assert_eq!(snapshot(&dir), before, "{why} changed the vault");
    }
    Vault::unlock(&dir, &pass()).unwrap();
}

#[test]
fn request_release_open_restores_every_record_and_verify_passes() {
    let (t, dir, v, _) = filled_vault();
    let cs = custodians(&v, t.path(), 3);
    let want = records(&v);
    seal_and_close(v, &pass(), &names(3), Some(2)).unwrap();

    let request = t.path().join("request.json");
    let pending = travel::request(&dir, &request).unwrap();
    assert_eq!(travel::read_request(&request).unwrap().code, pending.code);
    assert_eq!(
        travel::status(&dir).unwrap().unwrap().request.unwrap().code,
        pending.code,
        "the lawyer can see the code again"
    );
    let r1 = t.path().join("release-1.json");
    let r3 = t.path().join("release-3.json");
    assert_eq!(release(&cs[0], &request, &r1).custodian, NAMES[0]);
    release(&cs[2], &request, &r3);
    // The releases hold no case data in the clear.
    for r in [&r1, &r3] {
        let text = std::fs::read_to_string(r).unwrap();
        assert!(!text.contains("Məmmədov") && !text.contains("C-001"));
    }

    let (v, code) = open_files(&dir, &[r1, r3], &Passphrase::new(NEW_PASS.into())).unwrap();
    assert_eq!(records(&v), want);
    assert!(v.verify().unwrap().is_ok());
    drop(v);
    assert!(!dir.join("travel").exists(), "one-time key and shares gone");
    assert!(!Vault::status(&dir).sealed);
    // The new passphrase and the new recovery code open it; the old ones do not.
    assert!(matches!(
        Vault::unlock(&dir, &pass()),
        Err(VaultError::WrongPassphrase { .. })
    ));
    let v = Vault::unlock(&dir, &Passphrase::new(NEW_PASS.into())).unwrap();
    assert_eq!(records(&v), want);
    drop(v);
    Vault::recover(&dir, &code, &pass()).unwrap();
}

#[test]
fn k_of_n_works_and_k_minus_one_fails() {
    let (t, dir, v, _) = filled_vault();
    let cs = custodians(&v, t.path(), 5);
    let want = records(&v);
    seal_and_close(v, &pass(), &names(5), Some(3)).unwrap();
    let request = t.path().join("request.json");
    travel::request(&dir, &request).unwrap();
    let rel: Vec<PathBuf> = cs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let out = t.path().join(format!("release-{i}.json"));
            release(c, &request, &out);
            out
        })
        .collect();
    let before = snapshot(&dir);
    let new = Passphrase::new(NEW_PASS.into());
    // Two different custodians, and the same release given twice, are two.
    for two in [
        vec![rel[0].clone(), rel[4].clone()],
        vec![rel[1].clone(), rel[3].clone(), rel[1].clone()],
    ] {
        match open_files(&dir, &two, &new) {
            Err(TravelError::TooFewReleases { have: 2, need: 3 }) => {}
            other => panic!("expected too few releases, got {other:?}"),
        }
        assert_eq!(snapshot(&dir), before);
    }
    let (v, _) = open_files(
        &dir,
        &[rel[4].clone(), rel[1].clone(), rel[2].clone()],
        &new,
    )
    .unwrap();
    assert_eq!(records(&v), want);
}

#[test]
fn every_bad_release_step_is_refused_and_the_vault_stays_sealed_and_unchanged() {
    let (t, dir, v, code) = filled_vault();
    let cs = custodians(&v, t.path(), 2);
    let (_t2, dir_b, vb, _) = new_vault();
    // Vault B trusts the same custodians (a reused key, another vault).
    for (i, c) in cs.iter().enumerate() {
        let public = std::fs::read_to_string(&c.key).unwrap();
        let public = public
            .lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .unwrap()
            .to_owned();
        vekil::export::recipients::add(&vb, NAMES[i], &public).unwrap();
    }
    seal_and_close(vb, &pass(), &names(2), Some(2)).unwrap();
    seal_and_close(v, &pass(), &names(2), Some(2)).unwrap();

    let p = |n: &str| t.path().join(n);
    // An earlier request, released, then replaced by a new one.
    travel::request(&dir, &p("old-request.json")).unwrap();
    release(&cs[0], &p("old-request.json"), &p("old-release.json"));
    travel::request(&dir, &p("request.json")).unwrap();
    release(&cs[0], &p("request.json"), &p("good-0.json"));
    travel::request(&dir_b, &p("request-b.json")).unwrap();
    release(&cs[1], &p("request-b.json"), &p("release-b.json"));

    let before = snapshot(&dir);
    let new = Passphrase::new(NEW_PASS.into());
    let info = travel::read_request(&p("request.json")).unwrap();

    // Custodian side: a key that is no custodian's, a wrong code.
    let stranger = p("stranger.key");
    vekil::import::keygen(&stranger).unwrap();
    let e = travel::release(&p("request.json"), &stranger, &info.code, &p("x.json")).unwrap_err();
    assert!(matches!(e, TravelError::NotACustodian(_)), "{e}");
    let e = travel::release(
        &p("request.json"),
        &cs[1].key,
        "000 000 000 000 000",
        &p("x.json"),
    )
    .unwrap_err();
    assert!(matches!(e, TravelError::CodeMismatch), "{e}");
    assert!(!p("x.json").exists(), "a refused release writes nothing");

    // A request whose one-time key was swapped in transit shows another code.
    let mut req: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("request.json")).unwrap()).unwrap();
    req["one_time_public_key"] = age::x25519::Identity::generate()
        .to_public()
        .to_string()
        .into();
    std::fs::write(p("swapped.json"), serde_json::to_vec(&req).unwrap()).unwrap();
    let e = travel::release(&p("swapped.json"), &cs[1].key, &info.code, &p("x.json")).unwrap_err();
    assert!(matches!(e, TravelError::CodeMismatch), "{e}");

    // Lawyer side: tampered releases of every kind.
    let good: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p("good-0.json")).unwrap()).unwrap();
    let write = |name: &str, v: &serde_json::Value| {
        std::fs::write(p(name), serde_json::to_vec(v).unwrap()).unwrap();
        p(name)
    };
    let mut flipped = good.clone();
    let payload = good["payload"].as_str().unwrap();
    let mid = payload.len() / 2;
    let c = if &payload[mid..=mid] == "A" { "B" } else { "A" };
    flipped["payload"] = format!("{}{c}{}", &payload[..mid], &payload[mid + 1..]).into();
    let mut other_index = good.clone();
    other_index["index"] = 2.into();
    // A well-formed release by someone else: right ids, the public one-time
    // key from the request, a share of their own making.
    let mut forged = good.clone();
    let one_time: age::x25519::Recipient = req_key(&p("request.json"));
    let fake_payload = serde_json::json!({
        "vault_id": good["vault_id"], "seal_id": good["seal_id"],
        "request_id": good["request_id"], "index": 2,
        "share": hex::encode([7u8; 32]),
    });
    forged["index"] = 2.into();
    forged["payload"] = armor_to(&one_time, &serde_json::to_vec(&fake_payload).unwrap()).into();
    let not_json = p("garbage.json");
    std::fs::write(&not_json, "Свидание не разрешено").unwrap();

    type Expect = fn(&TravelError) -> bool;
    let cases: Vec<(Vec<PathBuf>, Expect, &str)> = vec![
        (
            vec![p("good-0.json"), p("release-b.json")],
            |e| matches!(e, TravelError::ReleaseForAnotherVault(_)),
            "another vault",
        ),
        (
            vec![p("good-0.json"), p("old-release.json")],
            |e| matches!(e, TravelError::ReleaseReplayed(_)),
            "replayed",
        ),
        (
            vec![write("flipped.json", &flipped)],
            |e| matches!(e, TravelError::ReleaseTampered(_)),
            "bit flip",
        ),
        (
            vec![p("good-0.json"), write("index.json", &other_index)],
            |e| matches!(e, TravelError::ReleaseTampered(_)),
            "envelope edited",
        ),
        (
            vec![p("good-0.json"), write("forged.json", &forged)],
            |e| matches!(e, TravelError::ReleaseTampered(_)),
            "forged share",
        ),
        (
            vec![p("good-0.json"), not_json.clone()],
            |e| matches!(e, TravelError::NotTravelFile { .. }),
            "not a release",
        ),
        (
            vec![p("good-0.json")],
            |e| matches!(e, TravelError::TooFewReleases { have: 1, need: 2 }),
            "too few",
        ),
    ];
    for (files, ok, why) in cases {
        let e = open_files(&dir, &files, &new).unwrap_err();
        assert!(ok(&e), "{why}: got {e}");
        let msg = e.to_string();
        assert!(!msg.contains('\n') && msg.len() < 300, "{why}: {msg}");
        assert_eq!(snapshot(&dir), before, "{why} changed the vault");
        assert_sealed(&dir, &code);
    }
    // The good releases still work afterwards.
    release(&cs[1], &p("request.json"), &p("good-1.json"));
    open_files(&dir, &[p("good-0.json"), p("good-1.json")], &new).unwrap();
    // …and cannot be used again once the vault is open.
    let e = open_files(&dir, &[p("good-0.json"), p("good-1.json")], &new).unwrap_err();
    assert!(matches!(e, TravelError::NotSealed), "{e}");
}

fn req_key(request: &Path) -> age::x25519::Recipient {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(request).unwrap()).unwrap();
    v["one_time_public_key"].as_str().unwrap().parse().unwrap()
}

fn armor_to(r: &age::x25519::Recipient, plain: &[u8]) -> String {
    use std::io::Write;
    let enc = age::Encryptor::with_recipients(std::iter::once(r as _)).unwrap();
    let mut out = vec![];
    let armor =
        age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor).unwrap();
    let mut w = enc.wrap_output(armor).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap().finish().unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_interrupted_seal_or_release_never_leaves_a_vault_without_a_key() {
    // A crash after the header was sealed but before the key files were
    // destroyed: the next unlock attempt finishes the job.
    let (t, dir, v, code) = new_vault();
    custodians(&v, t.path(), 1);
    let kept = std::fs::read(dir.join("key.passphrase.age")).unwrap();
    seal_and_close(v, &pass(), &names(1), None).unwrap();
    std::fs::write(dir.join("key.passphrase.age"), &kept).unwrap();
    assert_sealed(&dir, &code);
    assert!(!dir.join("key.passphrase.age").exists());
}

#[test]
fn erase_works_while_sealed_and_while_open_elsewhere() {
    let (t, dir, v, _) = filled_vault();
    custodians(&v, t.path(), 1);
    seal_and_close(v, &pass(), &names(1), None).unwrap();
    travel::request(&dir, &t.path().join("req.json")).unwrap();
    let r = erase::erase(&dir).unwrap();
    assert_eq!(r.key_files_destroyed, 2, "share and one-time key");
    assert!(r.folder_removed && !dir.exists());

    let (_t, dir, v, _) = new_vault();
    let r = erase::erase(&dir).unwrap();
    assert_eq!(r.key_files_destroyed, 2);
    assert!(!dir.exists());
    drop(v);
    assert!(matches!(
        Vault::unlock(&dir, &pass()),
        Err(VaultError::NotFound(_))
    ));
}

// ---- the command line -------------------------------------------------

fn keygen(cli: &Cli, name: &str, file: &str) -> (PathBuf, String) {
    let key = cli.tmp.join(file);
    let public = cli.ok(&["keygen", "--out", key.to_str().unwrap()]);
    cli.ok(&["recipient", "add", name, public.trim()]);
    (key, public.trim().to_owned())
}

fn code_in(out: &str) -> String {
    out.lines()
        .map(str::trim)
        .find(|l| l.len() == 19 && l.chars().all(|c| c.is_ascii_digit() || c == ' '))
        .unwrap_or_else(|| panic!("no code in {out}"))
        .to_owned()
}

#[test]
fn cli_seal_request_release_open() {
    let t = tempfile::tempdir().unwrap();
    let mut cli = Cli::new(t.path());
    let old_code = cli.init();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
    ]);
    cli.ok(&[
        "incident",
        "add",
        "--client",
        "C-001",
        "--facility",
        "Bakı İVS No. 2",
        "--type",
        "access_denied",
        "--at",
        "2025-03-11",
        "--reason",
        "Свидание не разрешено следователем",
    ]);
    let want = cli.ok(&["incident", "list", "--json"]);
    let (k1, _) = keygen(&cli, NAMES[0], "c1.key");
    let (k2, _) = keygen(&cli, NAMES[1], "c2.key");

    let err = cli.fails(
        &[
            "travel",
            "seal",
            "--custodian",
            NAMES[0],
            "--custodian",
            NAMES[1],
        ],
        1,
    );
    assert!(err.contains("--threshold"), "{err}");
    let out = cli.ok(&[
        "travel",
        "seal",
        "--custodian",
        NAMES[0],
        "--custodian",
        NAMES[1],
        "--threshold",
        "2",
    ]);
    assert!(
        out.contains("Sealed for travel") && out.contains("2 of 2"),
        "{out}"
    );

    // Sealed: the passphrase and the recovery code both fail, exit 2.
    let err = cli.fails(&["incident", "list"], 2);
    assert!(
        err.contains("This vault is sealed for travel. Ask your custodian to release it"),
        "{err}"
    );
    let mut rec = cli.cmd(&["recover"]);
    rec.env("VEKIL_RECOVERY_CODE", &old_code)
        .env("VEKIL_NEW_PASSPHRASE", NEW_PASS);
    let o = rec.output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sealed for travel"));

    let request = cli.tmp.join("request.json");
    let out = cli.ok(&["travel", "request", "--out", request.to_str().unwrap()]);
    let code = code_in(&out);
    assert!(cli.ok(&["travel", "status"]).contains(&code));

    let rel = |key: &Path, n: u8| {
        let file = cli.tmp.join(format!("release-{n}.json"));
        let o = cli.ok(&[
            "travel",
            "release",
            request.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
            "--code",
            &code.replace(' ', "-"),
        ]);
        assert!(o.contains(&code), "the custodian is shown the code: {o}");
        file
    };
    let (r1, r2) = (rel(&k1, 1), rel(&k2, 2));
    // Without --code and without a terminal the custodian is asked to pass it.
    let err = cli.fails(
        &[
            "travel",
            "release",
            request.to_str().unwrap(),
            "--identity",
            k1.to_str().unwrap(),
            "--out",
            cli.tmp.join("r.json").to_str().unwrap(),
        ],
        1,
    );
    assert!(err.contains("--code"), "{err}");

    let err = cli.fails(&["travel", "open", r1.to_str().unwrap()], 3);
    assert!(err.contains("2 different custodians"), "{err}");
    let mut open = cli.cmd(&["travel", "open", r1.to_str().unwrap(), r2.to_str().unwrap()]);
    open.env("VEKIL_NEW_PASSPHRASE", NEW_PASS);
    let o = open.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let new_code = recovery_code(&String::from_utf8(o.stdout).unwrap());
    assert_ne!(new_code, old_code);

    cli.pass = NEW_PASS.into();
    assert_eq!(cli.ok(&["incident", "list", "--json"]), want);
    assert!(cli.ok(&["verify-vault"]).contains("intact"));
    let mut rec = cli.cmd(&["recover"]);
    rec.env("VEKIL_RECOVERY_CODE", &new_code)
        .env("VEKIL_NEW_PASSPHRASE", PASS);
    assert!(rec.output().unwrap().status.success());
}

#[test]
fn cli_erase_leaves_no_key_bytes_and_neither_secret_opens_anything() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let code = cli.init();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
    ]);
    let src = cli.tmp.join("imtina.txt");
    std::fs::write(&src, "Rədd cavabı").unwrap();
    cli.ok(&[
        "evidence",
        "add",
        "--client",
        "C-001",
        "--description",
        "imtina",
        "--attach",
        src.to_str().unwrap(),
    ]);
    let keys: Vec<Vec<u8>> = ["key.passphrase.age", "key.recovery.age"]
        .iter()
        .map(|n| std::fs::read(cli.vault.join(n)).unwrap())
        .collect();

    // Without a terminal and without --now, nothing happens.
    let err = cli.fails(&["erase"], 1);
    assert!(err.contains("--now"), "{err}");
    assert!(cli.vault.join("key.passphrase.age").exists());

    let out = cli.ok(&["erase", "--now"]);
    assert!(out.starts_with("Erased. 2 key file(s) destroyed"), "{out}");
    // No 32-byte run of either key file is left anywhere under the root
    // (the age header line is common to all age files, so the runs are
    // taken from the encrypted body).
    for (path, bytes) in all_files(t.path()) {
        for k in &keys {
            let body = &k[k.len() - 64..];
            for w in body.windows(32) {
                assert!(!contains(&bytes, w), "{} holds key bytes", path.display());
            }
        }
    }
    assert!(!cli.vault.exists());
    let err = cli.fails(&["client", "list"], 3);
    assert!(err.contains("no vault found"), "{err}");
    let mut rec = cli.cmd(&["recover"]);
    rec.env("VEKIL_RECOVERY_CODE", &code)
        .env("VEKIL_NEW_PASSPHRASE", NEW_PASS);
    assert!(!rec.output().unwrap().status.success());
}

// ---- interoperability with stock age -----------------------------------

#[test]
fn stock_age_decrypts_the_sealed_share_with_the_custodian_key() {
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v age"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`age` is missing: apt-get install age (scripts/deps does this)"
    );
    let (t, dir, v, _) = filled_vault();
    let cs = custodians(&v, t.path(), 2);
    seal_and_close(v, &pass(), &names(2), Some(2)).unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("vault.json")).unwrap()).unwrap();
    let request = t.path().join("request.json");
    travel::request(&dir, &request).unwrap();
    let req: serde_json::Value = serde_json::from_slice(&std::fs::read(&request).unwrap()).unwrap();

    for (i, c) in cs.iter().enumerate() {
        // The share as kept in the vault folder, and as carried in the request.
        let in_folder = dir.join(format!("travel/share-{}.age", i + 1));
        let from_request = t.path().join(format!("from-request-{i}.age"));
        std::fs::write(&from_request, req["shares"][i]["sealed"].as_str().unwrap()).unwrap();
        for file in [&in_folder, &from_request] {
            let o = std::process::Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&c.key)
                .arg(file)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let share: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(share["format"], "vekil-travel-share");
            assert_eq!(share["vault_id"], header["vault_id"]);
            assert_eq!(share["custodian"], NAMES[i]);
            assert_eq!(share["index"], i + 1);
            assert_eq!(share["share"].as_str().unwrap().len(), 64);
        }
        // …and the other custodian's key does not open it.
        let o = std::process::Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&cs[1 - i].key)
            .arg(&in_folder)
            .output()
            .unwrap();
        assert!(!o.status.success());
    }
}

// ---- wipe after failed unlocks -------------------------------------------

/// Runs a command that must fail with `code`, waiting out the back-off.
fn fails_after_backoff(cli: &Cli, args: &[&str], code: i32) -> String {
    loop {
        let err = cli.fails(args, code);
        if !err.contains("try again in") {
            return err;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

#[test]
fn cli_wipe_after_n_failures_counts_across_restarts_and_erases() {
    let t = tempfile::tempdir().unwrap();
    let mut cli = Cli::new(t.path());
    cli.init();
    cli.ok(&[
        "client",
        "add",
        "--name",
        "Rəşad Məmmədov",
        "--pseudonym",
        "C-001",
    ]);
    let err = cli.fails(&["wipe-after", "4"], 3);
    assert!(err.contains("at least 5"), "{err}");
    let out = cli.ok(&["wipe-after", "5"]);
    assert!(out.contains("a child or a colleague"), "{out}");

    let good = cli.pass.clone();
    cli.pass = "Şəki yolunda qar yağır, yanlış".into();
    // Every attempt is a new process: the count lives in the vault header.
    for n in 1..=4 {
        let err = fails_after_backoff(&cli, &["client", "list"], 2);
        assert!(err.contains(&format!("{n} failed attempt")), "{err}");
        let header: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cli.vault.join("vault.json")).unwrap()).unwrap();
        assert_eq!(header["unlock"]["failed_attempts"], n);
        assert_eq!(header["wipe_after_failures"], 5);
    }
    assert!(cli.vault.join("key.passphrase.age").exists(), "not yet");
    let err = fails_after_backoff(&cli, &["client", "list"], 2);
    assert!(
        err.contains("5 failed unlocks in a row: this vault was erased"),
        "{err}"
    );
    assert!(!cli.vault.exists());
    cli.pass = good;
    let err = cli.fails(&["client", "list"], 3);
    assert!(err.contains("no vault found"), "{err}");
}

#[test]
fn wipe_limit_needs_the_passphrase_and_can_be_turned_off() {
    let (_t, dir, v, _) = new_vault();
    let wrong = Passphrase::new("not the passphrase at all".into());
    assert!(matches!(
        v.set_wipe_after_failures(&wrong, Some(5)),
        Err(VaultError::WrongPassphrase { .. })
    ));
    assert_eq!(v.wipe_after_failures().unwrap(), None);
    v.set_wipe_after_failures(&pass(), Some(7)).unwrap();
    assert_eq!(v.wipe_after_failures().unwrap(), Some(7));
    v.set_wipe_after_failures(&pass(), None).unwrap();
    assert_eq!(v.wipe_after_failures().unwrap(), None);
    drop(v);
    // Off by default and when off, failures only back off.
    for _ in 0..3 {
        assert!(Vault::unlock(&dir, &Passphrase::new("yanlış parol, yanlış".into())).is_err());
    }
    assert!(dir.join("key.passphrase.age").exists());
}
