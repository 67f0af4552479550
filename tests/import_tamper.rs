//! Bad bundles: every tampering, truncation, bomb and traversal case is
//! refused with a message naming what failed, and the NGO vault is left
//! exactly as it was.

mod export_support;

use export_support::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use vekil::export;
use vekil::import::{self, ImportError, ImportOptions, SignedBy};
use vekil::model::Kind;
use vekil::Vault;

struct Env {
    f: Fixture,
    bundle: PathBuf,
    ngo: Vault,
    identity: age::x25519::Identity,
    signer: minisign::PublicKey,
}

fn env() -> Env {
    let f = fixture();
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let bundle = f.tmp.path().join("good.age");
    export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        false,
        vekil::export::Lang::En,
        &bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    let ngo = new_vault(&f.tmp.path().join("ngo"));
    let identity = import::read_identity(&f.ngo_key).expect("identity");
    let signer = export::signing::SigningKey::load_or_create(&f.vault)
        .expect("key")
        .public;
    import::signers::trust(&ngo, "Lawyer", &export::signing::public_key_line(&signer))
        .expect("trust the lawyer");
    Env {
        f,
        bundle,
        ngo,
        identity,
        signer,
    }
}

fn decrypt(e: &Env, path: &Path) -> Vec<u8> {
    let file = std::fs::File::open(path).expect("open");
    let dec = age::Decryptor::new(file).expect("age header");
    let mut r = dec
        .decrypt(std::iter::once(&e.identity as &dyn age::Identity))
        .expect("decrypt");
    let mut out = vec![];
    r.read_to_end(&mut out).expect("read");
    out
}

fn encrypt_to(e: &Env, tar: &[u8], name: &str) -> PathBuf {
    let path = e.f.tmp.path().join(name);
    let r = e.identity.to_public();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("encryptor");
    let mut w = enc
        .wrap_output(std::fs::File::create(&path).expect("create"))
        .expect("wrap");
    w.write_all(tar).expect("write");
    w.finish().expect("finish");
    path
}

/// (name, bytes) of every entry.
fn entries(tar: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .expect("entries")
        .map(|e| {
            let mut e = e.expect("entry");
            let name = e.path().expect("path").to_string_lossy().into_owned();
            let mut b = vec![];
            e.read_to_end(&mut b).expect("read");
            (name, b)
        })
        .collect()
}

fn raw_header(name: &[u8], size: u64, kind: tar::EntryType) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    {
        let u = h.as_ustar_mut().expect("ustar");
        u.name[..name.len()].copy_from_slice(name);
    }
    h.set_size(size);
    h.set_mode(0o600);
    h.set_entry_type(kind);
    h.set_cksum();
    h
}

/// Appends regular-file entries, headers written raw so names are kept as given.
fn append_all<W: Write>(b: &mut tar::Builder<W>, items: &[(String, Vec<u8>)]) {
    for (name, data) in items {
        let h = raw_header(name.as_bytes(), data.len() as u64, tar::EntryType::Regular);
        b.append(&h, data.as_slice()).expect("append");
    }
}

/// A complete archive (with its end-of-archive blocks) of regular files.
fn build(items: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    append_all(&mut b, items);
    b.into_inner().expect("tar")
}

/// Every file of the vault except the open database's, with a digest of
/// its bytes: what a refused import must leave as it was.
fn files_beside_the_database(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                out.push((p.clone(), vec![]));
                walk(&p, out);
            } else if !name.starts_with("vekil.db") {
                let b = std::fs::read(&p).expect("read");
                out.push((p, <sha2::Sha256 as sha2::Digest>::digest(&b).to_vec()));
            }
        }
    }
    let mut out = vec![];
    walk(dir, &mut out);
    out.sort();
    out
}

fn import(e: &Env, path: &Path) -> Result<import::ImportReport, ImportError> {
    import::import(&e.ngo, path, &e.identity, &ImportOptions::default())
}

/// Imports `path` and checks it is refused with a message containing
/// `expect`, that the NGO vault is unchanged and that no file (staged
/// attachment or other) was left behind.
fn refused(e: &Env, path: &Path, expect: &str) -> ImportError {
    let before: Vec<u64> = Kind::ALL
        .iter()
        .map(|k| e.ngo.count(*k).expect("count"))
        .collect();
    let files = files_beside_the_database(e.ngo.dir());
    let err = import(e, path).expect_err("a bad bundle was accepted");
    let msg = err.to_string();
    assert!(
        msg.to_lowercase().contains(&expect.to_lowercase()),
        "expected {expect:?} in: {msg}"
    );
    let after: Vec<u64> = Kind::ALL
        .iter()
        .map(|k| e.ngo.count(*k).expect("count"))
        .collect();
    assert_eq!(before, after, "the NGO vault changed");
    assert_eq!(
        files,
        files_beside_the_database(e.ngo.dir()),
        "a file was left behind"
    );
    let report = e.ngo.verify().expect("verify");
    assert!(report.is_ok(), "{:?}", report.problems);
    // verify alone refuses it too, against the trusted signers or the
    // lawyer's key given once.
    assert!(import::verify(path, &e.identity, SignedBy::TrustedIn(&e.ngo)).is_err());
    assert!(import::verify(path, &e.identity, SignedBy::Key(&e.signer)).is_err());
    err
}

#[test]
fn good_bundle_imports() {
    let e = env();
    import(&e, &e.bundle).expect("import");
    assert_eq!(e.ngo.count(Kind::Incident).expect("count"), 2);
}

#[test]
fn one_byte_changed_anywhere_in_the_file() {
    let e = env();
    let good = std::fs::read(&e.bundle).expect("read");
    let len = good.len();
    // Header, first payload byte, middle, last byte, and a spread between.
    let mut positions = vec![10, 60, len / 3, len / 2, len - 1];
    positions.extend((1..12).map(|i| i * len / 12));
    for pos in positions {
        let mut bad = good.clone();
        bad[pos] ^= 0x01;
        let path = e.f.tmp.path().join(format!("flip-{pos}.age"));
        std::fs::write(&path, &bad).expect("write");
        let err = refused(&e, &path, "");
        let msg = err.to_string();
        assert!(
            msg.contains("altered") || msg.contains("damaged") || msg.contains("not addressed"),
            "byte {pos}: unclear message: {msg}"
        );
    }
}

#[test]
fn one_byte_changed_inside_a_file_of_the_archive() {
    let e = env();
    let tar = decrypt(&e, &e.bundle);
    let mut items = entries(&tar);
    let log = items
        .iter_mut()
        .find(|(n, _)| n == "log.json")
        .expect("log");
    let at = log.1.len() / 2;
    log.1[at] ^= 0x20;
    let path = encrypt_to(&e, &build(&items), "edited-log.age");
    refused(&e, &path, "log.json does not match the signed manifest");
    // …and in the manifest itself.
    let mut items = entries(&tar);
    let m = items
        .iter_mut()
        .find(|(n, _)| n == "manifest.json")
        .expect("manifest");
    let at = m.1.iter().position(|b| *b == b'a').expect("an a");
    m.1[at] = b'b';
    let path = encrypt_to(&e, &build(&items), "edited-manifest.age");
    refused(&e, &path, "signature");
}

#[test]
fn file_added_or_removed() {
    let e = env();
    let tar = decrypt(&e, &e.bundle);
    let mut items = entries(&tar);
    items.push((
        "attachments/".to_string() + &"0".repeat(64),
        b"extra".to_vec(),
    ));
    let path = encrypt_to(&e, &build(&items), "added.age");
    refused(&e, &path, "not in the signed manifest");

    let mut items = entries(&tar);
    items.push(("notes.txt".into(), b"extra".to_vec()));
    let path = encrypt_to(&e, &build(&items), "added2.age");
    refused(&e, &path, "unexpected entry");

    let items: Vec<_> = entries(&tar)
        .into_iter()
        .filter(|(n, _)| !n.starts_with("attachments/"))
        .collect();
    let path = encrypt_to(&e, &build(&items), "removed.age");
    refused(&e, &path, "missing from the archive");

    let items: Vec<_> = entries(&tar)
        .into_iter()
        .filter(|(n, _)| n != "manifest.json.minisig")
        .collect();
    let path = encrypt_to(&e, &build(&items), "unsigned.age");
    refused(&e, &path, "manifest");
}

#[test]
fn manifest_resigned_with_another_key() {
    let e = env();
    let tar = decrypt(&e, &e.bundle);
    let mut items = entries(&tar);
    // The attacker edits the log, fixes the manifest and re-signs it.
    let log = items
        .iter_mut()
        .find(|(n, _)| n == "log.json")
        .expect("log");
    log.1 = String::from_utf8(log.1.clone())
        .expect("utf8")
        .replace("Client A-17", "Client Z-99")
        .into_bytes();
    let new_log = log.1.clone();
    let kp = minisign::KeyPair::generate_unencrypted_keypair().expect("keypair");
    let m = items.iter().find(|(n, _)| n == "manifest.json").expect("m");
    let mut manifest: serde_json::Value = serde_json::from_slice(&m.1).expect("json");
    for f in manifest["files"].as_array_mut().expect("files") {
        if f["path"] == "log.json" {
            f["sha256"] = hex::encode(sha2::Digest::finalize(
                <sha2::Sha256 as sha2::Digest>::new_with_prefix(&new_log),
            ))
            .into();
            f["size"] = new_log.len().into();
        }
    }
    manifest["signing_public_key"] = kp.pk.to_base64().into();
    let mbytes = serde_json::to_vec_pretty(&manifest).expect("json");
    let sig = minisign::sign(
        Some(&kp.pk),
        &kp.sk,
        mbytes.as_slice(),
        Some("forged"),
        Some(export::signing::UNTRUSTED_COMMENT),
    )
    .expect("sign")
    .into_string();
    for (n, b) in items.iter_mut() {
        if n == "manifest.json" {
            *b = mbytes.clone();
        } else if n == "manifest.json.minisig" {
            *b = sig.clone().into_bytes();
        }
    }
    let path = encrypt_to(&e, &build(&items), "resigned.age");
    let err = refused(&e, &path, "does not trust");
    assert!(matches!(err, ImportError::UntrustedSigner { .. }), "{err}");

    // Also after the lawyer's own bundle was imported.
    import(&e, &e.bundle).expect("first import");
    let err = refused(&e, &path, "vekil signer trust NAME");
    assert!(matches!(err, ImportError::UntrustedSigner { .. }), "{err}");

    // Checked against the lawyer's key given once (`verify --signer`).
    let err = import::verify(&path, &e.identity, SignedBy::Key(&e.signer))
        .expect_err("re-signed bundle verified");
    assert!(matches!(err, ImportError::WrongSigner { .. }), "{err}");
    assert!(err.to_string().contains("not by the given key"), "{err}");
}

#[test]
fn bundle_for_another_recipient() {
    let e = env();
    let other = age::x25519::Identity::generate();
    let dec = import::verify(&e.bundle, &other, SignedBy::Key(&e.signer))
        .expect_err("wrong key accepted");
    assert!(matches!(dec, ImportError::NotAddressed), "{dec}");
    assert!(dec.to_string().contains("not addressed to this key"));
    let before = e.ngo.count(Kind::Incident).expect("count");
    assert!(import::import(&e.ngo, &e.bundle, &other, &ImportOptions::default()).is_err());
    assert_eq!(e.ngo.count(Kind::Incident).expect("count"), before);
}

#[test]
fn truncated_file() {
    let e = env();
    let good = std::fs::read(&e.bundle).expect("read");
    for keep in [0, 20, 200, good.len() / 2, good.len() - 17, good.len() - 1] {
        let path = e.f.tmp.path().join(format!("trunc-{keep}.age"));
        std::fs::write(&path, &good[..keep]).expect("write");
        let err = refused(&e, &path, "");
        let msg = err.to_string();
        assert!(
            msg.contains("truncated") || msg.contains("not an encrypted Vekil bundle"),
            "truncated at {keep}: {msg}"
        );
    }
    // A truncated archive inside a well-formed encryption.
    let tar = decrypt(&e, &e.bundle);
    let path = encrypt_to(&e, &tar[..tar.len() / 2], "tar-trunc.age");
    refused(&e, &path, "");
}

#[test]
fn traversal_links_and_huge_sizes() {
    let e = env();
    let tar = decrypt(&e, &e.bundle);
    let items = entries(&tar);
    let (first, rest) = items.split_at(2);
    let outside = e.f.tmp.path().join("escaped.txt");

    // `../` names.
    for name in [
        "../escaped.txt".to_string(),
        format!("{}", outside.display()),
        "attachments/../../escaped.txt".into(),
    ] {
        let planted = [(name, b"owned".to_vec())];
        let path = encrypt_to(
            &e,
            &build(&[first, &planted, rest].concat()),
            "traversal.age",
        );
        refused(&e, &path, "unexpected entry");
        assert!(!outside.exists(), "something was written outside the vault");
    }

    // A symlink with an allowed name.
    let mut b = tar::Builder::new(Vec::new());
    append_all(&mut b, first);
    let mut h = raw_header(b"log.json", 0, tar::EntryType::Symlink);
    h.set_link_name("/etc/passwd").expect("link");
    h.set_cksum();
    b.append(&h, std::io::empty()).expect("append");
    let path = encrypt_to(&e, &b.into_inner().expect("tar"), "symlink.age");
    refused(&e, &path, "not a regular file");

    // A declared 100 GB entry (a tar bomb) is refused before reading.
    let mut t = build(first);
    t.truncate(t.len() - 1024); // drop the end-of-archive blocks
    let name = format!("attachments/{}", "a".repeat(64));
    t.extend_from_slice(raw_header(name.as_bytes(), 100 << 30, tar::EntryType::Regular).as_bytes());
    t.extend_from_slice(&[0u8; 4096]);
    let path = encrypt_to(&e, &t, "bomb.age");
    refused(&e, &path, "safety limit");

    // A log.json declaring 1 GiB.
    let mut t = build(first);
    t.truncate(t.len() - 1024);
    t.extend_from_slice(raw_header(b"log.json", 1 << 30, tar::EntryType::Regular).as_bytes());
    let path = encrypt_to(&e, &t, "biglog.age");
    refused(&e, &path, "safety limit");
}

#[test]
fn not_a_bundle_and_bad_identity() {
    let e = env();
    let path = e.f.tmp.path().join("plain.txt");
    std::fs::write(&path, "hello").expect("write");
    refused(&e, &path, "not an encrypted Vekil bundle");
    let key = e.f.tmp.path().join("bad-key.txt");
    std::fs::write(&key, "# nothing here\n").expect("write");
    match import::read_identity(&key) {
        Ok(_) => panic!("bad identity accepted"),
        Err(err) => assert!(err.to_string().contains("age identity"), "{err}"),
    }
    assert!(age::x25519::Identity::from_str("x").is_err());
}

#[test]
fn keygen_file_is_private_and_refuses_overwrite() {
    let e = env();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&e.f.ngo_key)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        import::keygen(&e.f.ngo_key).is_err(),
        "overwrote an identity"
    );
    let text = std::fs::read_to_string(&e.f.ngo_key).expect("read");
    assert!(text.contains(&format!("# public key: {}", e.f.ngo_public)));
}

/// A bundle signed by the real lawyer key whose log is internally broken
/// (evidence pointing at an incident that is not there): refused before
/// anything, attachments included, is written to the NGO vault.
#[test]
fn signed_but_inconsistent_log_writes_nothing() {
    let e = env();
    let tar = decrypt(&e, &e.bundle);
    let mut items = entries(&tar);
    let log = items
        .iter_mut()
        .find(|(n, _)| n == "log.json")
        .expect("log");
    let mut v: serde_json::Value = serde_json::from_slice(&log.1).expect("json");
    v["incidents"] = serde_json::json!([]);
    v["cases"] = serde_json::json!([]);
    log.1 = serde_json::to_vec_pretty(&v).expect("json");
    let new_log = log.1.clone();
    let m = items.iter().find(|(n, _)| n == "manifest.json").expect("m");
    let mut manifest: serde_json::Value = serde_json::from_slice(&m.1).expect("json");
    for f in manifest["files"].as_array_mut().expect("files") {
        if f["path"] == "log.json" {
            f["sha256"] = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&new_log)).into();
            f["size"] = new_log.len().into();
        }
    }
    let mbytes = serde_json::to_vec_pretty(&manifest).expect("json");
    let key = export::signing::SigningKey::load_or_create(&e.f.vault).expect("key");
    let sig = key.sign(&mbytes, "re-signed by the lawyer").expect("sign");
    for (n, b) in items.iter_mut() {
        if n == "manifest.json" {
            *b = mbytes.clone();
        } else if n == "manifest.json.minisig" {
            *b = sig.clone().into_bytes();
        }
    }
    let path = encrypt_to(&e, &build(&items), "inconsistent.age");
    import::verify(&path, &e.identity, SignedBy::TrustedIn(&e.ngo))
        .expect("signature and hashes are fine");
    let err = import(&e, &path).expect_err("inconsistent log accepted");
    assert!(
        err.to_string()
            .contains("neither in the bundle nor in this vault"),
        "{err}"
    );
    for k in Kind::ALL {
        assert_eq!(e.ngo.count(k).expect("count"), 0, "{k} written");
    }
    assert!(e.ngo.verify().expect("verify").is_ok());
    let stored = std::fs::read_dir(e.ngo.dir().join("attachments"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "attachments were stored for a refused import");
    assert!(
        !e.ngo.dir().join(import::STAGING_DIR).exists(),
        "staged attachments were left behind"
    );
}
