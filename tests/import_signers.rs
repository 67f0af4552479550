//! The organisation's trusted signers (issue 10, point 4): trusting,
//! listing and removing keys, through the library and the `vekil` binary
//! in the order an NGO uses them; and a vault from before record origins,
//! whose imported records no bundle may replace until the NGO says whose
//! they are.

mod export_support;

use export_support::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use vekil::export::{self, signing::SigningKey};
use vekil::import::{self, signers, ImportError, ImportOptions, SignedBy};
use vekil::model::{Client, Kind};
use vekil::secret::Passphrase;
use vekil::store::Origin;
use vekil::vault::VaultOptions;
use vekil::Vault;

fn lawyer_bundle(f: &Fixture, name: &str) -> PathBuf {
    let out = f.tmp.path().join(name);
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        false,
        vekil::export::Lang::En,
        &out,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    out
}

fn lawyer_key(f: &Fixture) -> minisign::PublicKey {
    SigningKey::load_or_create(&f.vault).expect("key").public
}

/// The fingerprint computed here from its definition: SHA-256 of the key
/// line, first 10 bytes, upper-case hex in groups of four.
fn expected_fingerprint(line: &str) -> String {
    let d = <sha2::Sha256 as sha2::Digest>::digest(line.as_bytes());
    hex::encode_upper(&d[..10])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn import_default(
    ngo: &Vault,
    path: &Path,
    f: &Fixture,
) -> Result<import::ImportReport, ImportError> {
    let id = import::read_identity(&f.ngo_key).expect("identity");
    import::import(ngo, path, &id, &ImportOptions::default())
}

#[test]
fn trusting_listing_and_removing_signers() {
    let f = fixture();
    let ngo = new_vault(&f.tmp.path().join("ngo"));
    let pk = lawyer_key(&f);
    let line = export::signing::public_key_line(&pk);
    let pub_file = format!(
        "untrusted comment: minisign public key {}\n{line}\n",
        export::signing::key_id(&pk)
    );
    let bundle = lawyer_bundle(&f, "b.age");

    // Nothing is trusted by default, whatever the bundle says.
    assert!(signers::list(&ngo).expect("list").is_empty());
    let err = import_default(&ngo, &bundle, &f).expect_err("untrusted bundle imported");
    assert!(matches!(err, ImportError::UntrustedSigner { .. }), "{err}");

    // Bad input changes nothing.
    for (name, key) in [
        ("", line.as_str()),
        ("Vəkil Əliyev", "RWnotakey"),
        ("Vəkil Əliyev", ""),
    ] {
        assert!(signers::trust(&ngo, name, key).is_err(), "{name:?} {key:?}");
    }
    assert!(signers::list(&ngo).expect("list").is_empty());

    // Trusted from the .pub file's text; again is a no-op, any case.
    let s = signers::trust(&ngo, "Vəkil Əliyev", &pub_file).expect("trust");
    assert_eq!(s.key_id, export::signing::key_id(&pk));
    assert_eq!(s.public_key, line);
    assert_eq!(s.fingerprint, expected_fingerprint(&line));
    assert_eq!(signers::fingerprint(&pk), s.fingerprint);
    assert_eq!(
        signers::trust(&ngo, "VƏKIL ƏLIYEV", &line)
            .expect("again")
            .name,
        "Vəkil Əliyev"
    );
    // A key is trusted under one name; a name holds one key.
    let err = signers::trust(&ngo, "Другой юрист", &line).expect_err("two names");
    assert!(
        matches!(err, ImportError::KeyAlreadyTrusted { .. }),
        "{err}"
    );
    let other = minisign::KeyPair::generate_unencrypted_keypair().expect("keypair");
    let err = signers::trust(&ngo, "Vəkil Əliyev", &other.pk.to_base64()).expect_err("swap");
    assert!(matches!(err, ImportError::SignerNameTaken { .. }), "{err}");
    assert!(err.to_string().contains(&s.key_id), "{err}");

    let r = import_default(&ngo, &bundle, &f).expect("import");
    assert_eq!(r.signer, "Vəkil Əliyev");
    let list = signers::list(&ngo).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].records, 6,
        "2 clients, a case, 2 incidents, an evidence note"
    );

    // Removed: its records stay, its bundles are refused again.
    assert!(signers::remove(&ngo, "vəkil əliyev").expect("remove"));
    assert!(!signers::remove(&ngo, "Vəkil Əliyev").expect("remove again"));
    assert_eq!(ngo.count(Kind::Incident).expect("count"), 2);
    assert!(matches!(
        import_default(&ngo, &bundle, &f),
        Err(ImportError::UntrustedSigner { .. })
    ));
    // Trusted again (under any name), the records are still its own.
    signers::trust(&ngo, "Rüstəm Vəkil", &line).expect("trust again");
    let r = import_default(&ngo, &bundle, &f).expect("import again");
    assert!(
        r.counts["incident"].keys().all(|k| k == "unchanged"),
        "{r:?}"
    );
    assert_eq!(signers::list(&ngo).expect("list")[0].records, 6);

    // A key given once to `verify` is checked, not trusted.
    let id = import::read_identity(&f.ngo_key).expect("identity");
    let v = import::verify(&bundle, &id, SignedBy::Key(&pk)).expect("verify");
    assert_eq!(v.signer.name, None);
    assert_eq!(signers::list(&ngo).expect("list").len(), 1);
    let err = import::verify(&bundle, &id, SignedBy::Key(&other.pk)).expect_err("other key");
    assert!(matches!(err, ImportError::WrongSigner { .. }), "{err}");
}

/// Opens the database with the key from the recovery key file, as the
/// README says anyone holding the recovery code can.
fn raw_db(dir: &Path, code: &str) -> rusqlite::Connection {
    let bytes = std::fs::read(dir.join("key.recovery.age")).expect("key file");
    let dec = age::Decryptor::new_buffered(&bytes[..]).expect("age");
    let id = age::scrypt::Identity::new(age::secrecy::SecretString::from(code.to_owned()));
    let mut hex_key = String::new();
    dec.decrypt(std::iter::once(&id as _))
        .expect("recovery code")
        .read_to_string(&mut hex_key)
        .expect("key");
    let conn = rusqlite::Connection::open(dir.join("vekil.db")).expect("open");
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex_key.trim()))
        .expect("key");
    conn
}

/// A vault that imported bundles before origins were recorded (schema 2,
/// the lawyer's key pinned by trust on first use): after the upgrade its
/// records are of unknown origin. The lawyer's next bundle is refused,
/// naming the way out; with `adopt_unknown` it is imported and the
/// records it names become the lawyer's, while the NGO's own record,
/// which the bundle does not name, stays unknown.
#[test]
fn a_vault_from_before_origins_adopts_only_when_asked() {
    let f = fixture();
    let bundle = lawyer_bundle(&f, "b.age");
    let pk = lawyer_key(&f);
    let line = export::signing::public_key_line(&pk);
    let dir = f.tmp.path().join("ngo");
    let (ngo, code) = Vault::create_with(
        &dir,
        &Passphrase::new(PASS.into()),
        &VaultOptions { kdf_log_n: 10 },
    )
    .expect("create");
    let code = code.expose_secret().to_owned();
    // What a schema-2 import left: the lawyer's records, ids and all.
    let id = import::read_identity(&f.ngo_key).expect("identity");
    let v = import::verify(&bundle, &id, SignedBy::Key(&pk)).expect("verify");
    let tar = {
        let dec = age::Decryptor::new(std::fs::File::open(&bundle).expect("open")).expect("age");
        let mut out = vec![];
        dec.decrypt(std::iter::once(&id as &dyn age::Identity))
            .expect("decrypt")
            .read_to_end(&mut out)
            .expect("read");
        out
    };
    let log = tar::Archive::new(&tar[..])
        .entries()
        .expect("entries")
        .filter_map(|e| e.ok())
        .find_map(|mut e| {
            (e.path().ok()?.to_str()? == "log.json").then(|| {
                let mut b = vec![];
                e.read_to_end(&mut b).expect("log");
                b
            })
        })
        .expect("log.json");
    let parsed = import::parse_log(&log).expect("log");
    ngo.write(|w| {
        for r in &parsed.clients {
            w.put_stored(r, &Origin::Local)?;
        }
        for r in &parsed.cases {
            w.put_stored(r, &Origin::Local)?;
        }
        for r in &parsed.incidents {
            w.put_stored(r, &Origin::Local)?;
        }
        for r in &parsed.evidence {
            w.put_stored(r, &Origin::Local)?;
        }
        Ok(())
    })
    .expect("seed");
    let own = ngo
        .insert(Client::new("Səbinə Əliyeva", "NGO-01"))
        .expect("the NGO's own client")
        .id;
    ngo.close().expect("close");
    {
        let conn = raw_db(&dir, &code);
        conn.execute_batch(&format!(
            "DROP TABLE facility_names;
             DROP TABLE signers;
             ALTER TABLE records DROP COLUMN origin;
             INSERT INTO meta (key, value) VALUES ('trusted_signer:{}', '{line}');
             PRAGMA user_version = 2;",
            v.manifest.vault_id
        ))
        .expect("downgrade to schema 2");
    }

    // The upgrade: no pin became a trusted signer.
    let ngo = Vault::unlock(&dir, &Passphrase::new(PASS.into())).expect("unlock");
    assert!(signers::list(&ngo).expect("list").is_empty());
    assert!(matches!(
        import_default(&ngo, &bundle, &f),
        Err(ImportError::UntrustedSigner { .. })
    ));
    signers::trust(&ngo, "Lawyer", &line).expect("trust");
    let err = import_default(&ngo, &bundle, &f).expect_err("unknown records replaced");
    let msg = err.to_string();
    assert!(matches!(err, ImportError::Refused(_)), "{msg}");
    assert!(msg.contains("--adopt-unknown"), "{msg}");
    assert!(msg.contains(&f.client_a.to_string()), "{msg}");
    assert_eq!(signers::list(&ngo).expect("list")[0].records, 0);

    let r = import::import(
        &ngo,
        &bundle,
        &id,
        &ImportOptions {
            adopt_unknown: true,
        },
    )
    .expect("import, adopting");
    assert_eq!(r.adopted, 6, "{r:?}");
    assert!(
        r.counts["incident"].keys().all(|k| k == "unchanged"),
        "{r:?}"
    );
    assert_eq!(signers::list(&ngo).expect("list")[0].records, 6);
    assert!(ngo.verify().expect("verify").is_ok());
    // The NGO's own client was not named by the bundle: still unknown, so
    // the lawyer's bundles cannot take it.
    ngo.write(|w| {
        assert_eq!(w.origin_of(Kind::Client, own)?, Some(Origin::Unknown));
        assert_eq!(
            w.origin_of(Kind::Client, f.client_a)?,
            Some(signers::origin(&pk))
        );
        Ok(())
    })
    .expect("read origins");
}

/// Runs the real binary against `vault`; returns (code, stdout, stderr).
fn vekil(vault: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vekil"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("VEKIL_PASSPHRASE", PASS)
        .env_remove("VEKIL_PASSPHRASE_FILE")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run vekil");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "vekil panicked: {stderr}");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

/// The NGO's commands in the order it uses them.
#[test]
fn an_ngo_trusts_a_lawyer_through_the_cli() {
    let f = fixture();
    let bundle = lawyer_bundle(&f, "b.age");
    let b = bundle.to_str().expect("utf8");
    let k = f.ngo_key.to_str().expect("utf8").to_owned();
    let k = k.as_str();
    let lawyer = f.vault.dir().to_path_buf();
    let ngo = f.tmp.path().join("ngo");
    drop(new_vault(&ngo));
    let Fixture { tmp, vault, .. } = f;
    drop(vault); // release the lawyer's vault for the binary

    // The lawyer prints the key (stdout, a .pub file) and its fingerprint.
    let (code, pub_text, said) = vekil(&lawyer, &["signing-key"]);
    assert_eq!(code, 0);
    let line = pub_text.lines().nth(1).expect("key line").to_owned();
    let fingerprint = expected_fingerprint(&line);
    assert!(said.contains(&fingerprint), "{said}");
    let pub_file = tmp.path().join("lawyer.pub");
    std::fs::write(&pub_file, &pub_text).expect("write .pub");
    let p = pub_file.to_str().expect("utf8");

    // An untrusted bundle: exit 3, one sentence with the fingerprint and
    // the command.
    let (code, _, err) = vekil(&ngo, &["import", b, "--identity", k]);
    assert_eq!(code, 3, "{err}");
    let refusal: Vec<&str> = err.lines().filter(|l| l.starts_with("vekil: ")).collect();
    assert_eq!(refusal.len(), 1, "{err}");
    assert!(refusal[0].contains(&fingerprint), "{err}");
    let command = refusal[0]
        .split("run: ")
        .nth(1)
        .expect("a command to run")
        .trim()
        .to_owned();
    assert_eq!(command, format!("vekil signer trust NAME {line}"));
    let (code, _, err) = vekil(&ngo, &["verify", b, "--identity", k]);
    assert_eq!(code, 3, "{err}");

    // Off a terminal, trust needs --yes, and shows the fingerprint first.
    let (code, _, err) = vekil(&ngo, &["signer", "trust", "Vəkil Əliyev", p]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&fingerprint) && err.contains("--yes"), "{err}");
    let (_, listed, _) = vekil(&ngo, &["signer", "list", "--json"]);
    assert_eq!(listed.trim(), "[]");

    // The command from the refusal, with a name and --yes.
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    args[2] = "Vəkil Əliyev";
    args.push("--yes");
    let (code, out, err) = vekil(&ngo, &args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&fingerprint), "{out}");

    let (code, out, err) = vekil(&ngo, &["verify", b, "--identity", k]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("trusted signer \"Vəkil Əliyev\""), "{out}");
    let (code, out, err) = vekil(&ngo, &["import", b, "--identity", k]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("from trusted signer \"Vəkil Əliyev\""),
        "{out}"
    );
    assert!(out.contains("incident: 2 added"), "{out}");

    let (code, out, _) = vekil(&ngo, &["signer", "list"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Vəkil Əliyev") && out.contains(&fingerprint),
        "{out}"
    );
    let (_, json, _) = vekil(&ngo, &["signer", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(list[0]["records"], 6);
    assert_eq!(list[0]["public_key"], line.as_str());

    // `verify --signer` checks against one key without any vault.
    let nowhere = tmp.path().join("no-vault-here");
    let (code, out, err) = vekil(&nowhere, &["verify", b, "--identity", k, "--signer", p]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the given key"), "{out}");
    assert!(!nowhere.exists());

    // Removed, the lawyer's bundles are refused again; removing twice is
    // a usage error.
    assert_eq!(vekil(&ngo, &["signer", "remove", "Vəkil Əliyev"]).0, 0);
    assert_eq!(vekil(&ngo, &["signer", "remove", "Vəkil Əliyev"]).0, 1);
    assert_eq!(vekil(&ngo, &["import", b, "--identity", k]).0, 3);
}
