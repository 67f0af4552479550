//! Forged bundles against an NGO vault (issue 10, point 4).
//!
//! The NGO's age public key is public, so anyone can send it a bundle.
//! Each attack here is built inside the test with the stock Debian tools
//! (`minisign` makes a fresh signing key and signs the manifest, `tar`
//! packs, `age` encrypts to the NGO) and must be refused with a sentence
//! that says what was wrong, leaving every file of the NGO vault
//! byte-for-byte as it was (the vault is closed and every file hashed
//! before and after). The positive path is here too: a trusted lawyer's
//! later bundle still updates that lawyer's own records, and importing
//! it twice changes nothing.

mod export_support;

use export_support::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use uuid::Uuid;
use vekil::export;
use vekil::import::{self, ImportError, ImportOptions, ImportReport, SignedBy};
use vekil::model::*;
use vekil::secret::Passphrase;
use vekil::Vault;

fn trust(ngo: &Vault, name: &str, key: &str) {
    import::signers::trust(ngo, name, key).expect("trust signer");
}

fn import_bundle(
    ngo: &Vault,
    path: &Path,
    id: &age::x25519::Identity,
) -> Result<ImportReport, ImportError> {
    import::import(ngo, path, id, &ImportOptions::default())
}

fn verify_trusted(ngo: &Vault, path: &Path, id: &age::x25519::Identity) -> Result<(), ImportError> {
    import::verify(path, id, SignedBy::TrustedIn(ngo)).map(|_| ())
}

/// A signing key made by the stock `minisign -G`, as a lawyer (or an
/// attacker) without Vekil would make one.
struct StockKey {
    secret: PathBuf,
    public: PathBuf,
    line: String,
    key_id: String,
}

impl StockKey {
    fn fresh(dir: &Path, name: &str) -> Self {
        let secret = dir.join(format!("{name}.key"));
        let public = dir.join(format!("{name}.pub"));
        let out = tool("minisign", "minisign")
            .args(["-G", "-W", "-p"])
            .arg(&public)
            .arg("-s")
            .arg(&secret)
            .output()
            .expect("minisign -G");
        assert!(
            out.status.success(),
            "minisign -G: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&public).expect("public key file");
        let mut lines = text.lines();
        let key_id = lines
            .next()
            .and_then(|l| l.rsplit(' ').next())
            .expect("key id in the comment")
            .to_owned();
        let line = lines.next().expect("key line").trim().to_owned();
        Self {
            secret,
            public,
            line,
            key_id,
        }
    }

    /// The fingerprint an NGO compares over the phone: SHA-256 of the key
    /// line, first 10 bytes, upper-case hex in groups of four.
    fn fingerprint(&self) -> String {
        let d = Sha256::digest(self.line.as_bytes());
        hex::encode_upper(&d[..10])
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a forged bundle carries.
#[derive(Default, Clone)]
struct Content {
    vault_id: String,
    clients: Vec<Value>,
    cases: Vec<Value>,
    incidents: Vec<Value>,
    evidence: Vec<Value>,
    attachments: Vec<Vec<u8>>,
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn run_ok(cmd: &mut std::process::Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds a bundle with stock tools: `minisign -S` signs the manifest
/// with `key`, `tar` packs, `age -r` encrypts to the NGO.
fn forge(dir: &Path, name: &str, key: &StockKey, ngo_public: &str, c: &Content) -> PathBuf {
    forge_signed_with(dir, name, key, ngo_public, c, |manifest| {
        run_ok(
            tool("minisign", "minisign")
                .arg("-S")
                .arg("-s")
                .arg(&key.secret)
                .arg("-m")
                .arg(manifest)
                .args([
                    "-c",
                    export::signing::UNTRUSTED_COMMENT,
                    "-t",
                    "made by hand",
                ]),
            "minisign -S",
        );
    })
}

/// [`forge`], with `sign` writing `manifest.json.minisig` beside the
/// manifest it is given.
fn forge_signed_with(
    dir: &Path,
    name: &str,
    key: &StockKey,
    ngo_public: &str,
    c: &Content,
    sign: impl FnOnce(&Path),
) -> PathBuf {
    let work = dir.join(format!("forge-{name}"));
    std::fs::create_dir_all(work.join("attachments")).expect("mkdir");
    let log = json!({
        "format": "vekil-incident-log",
        "version": 1,
        "generated_at": "2025-05-02T08:00:00Z",
        "profile": "ngo",
        "recipients": [NGO],
        "source": {"vault_id": c.vault_id, "signing_key_id": key.key_id},
        "clients": c.clients,
        "cases": c.cases,
        "incidents": c.incidents,
        "evidence": c.evidence,
    });
    let log = serde_json::to_vec_pretty(&log).expect("log");
    std::fs::write(work.join("log.json"), &log).expect("write log");
    let mut files =
        vec![json!({"path": "log.json", "sha256": sha256_hex(&log), "size": log.len()})];
    let mut entries = vec![
        "manifest.json".to_string(),
        "manifest.json.minisig".into(),
        "log.json".into(),
    ];
    for a in &c.attachments {
        let sha = sha256_hex(a);
        let path = format!("attachments/{sha}");
        std::fs::write(work.join(&path), a).expect("write attachment");
        files.push(json!({"path": path, "sha256": sha, "size": a.len()}));
        entries.push(path);
    }
    let manifest = json!({
        "format": "vekil-bundle-manifest",
        "version": 1,
        "created_at": "2025-05-02T08:00:00Z",
        "vault_id": c.vault_id,
        "signing_key_id": key.key_id,
        "signing_public_key": key.line,
        "profile": "ngo",
        "recipients": [NGO],
        "files": files,
    });
    std::fs::write(
        work.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).expect("manifest"),
    )
    .expect("write manifest");
    sign(&work.join("manifest.json"));
    let tar = dir.join(format!("{name}.tar"));
    run_ok(
        tool("tar", "tar")
            .args(["--format=ustar", "-cf"])
            .arg(&tar)
            .arg("-C")
            .arg(&work)
            .args(&entries),
        "tar -c",
    );
    let out = dir.join(format!("{name}.age"));
    run_ok(
        tool("age", "age")
            .args(["-r", ngo_public, "-o"])
            .arg(&out)
            .arg(&tar),
        "age -r",
    );
    out
}

fn value<T: Record>(s: &Stored<T>) -> Value {
    serde_json::to_value(s).expect("record JSON")
}

fn stored<T: Record>(id: Uuid, revision: u32, data: T) -> Stored<T> {
    let now = chrono::Utc::now();
    Stored {
        id,
        revision,
        created_at: now,
        updated_at: now,
        data,
    }
}

/// Every file and folder under `dir`, relative, with the SHA-256 of its
/// bytes ("dir" for folders).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).expect("prefix").display().to_string();
            if p.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &p, out);
            } else {
                out.insert(rel, sha256_hex(&std::fs::read(&p).expect("read file")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn unlock(dir: &Path) -> Vault {
    Vault::unlock(dir, &Passphrase::new(PASS.into())).expect("unlock NGO vault")
}

/// Lawyer A (a Vekil vault whose key the NGO trusts and whose first
/// bundle it imported), lawyer B (a stock minisign key the NGO trusts,
/// whose first bundle it imported) and the NGO vault, closed.
struct World {
    f: Fixture,
    ngo_dir: PathBuf,
    identity: age::x25519::Identity,
    a_vault_id: String,
    b: StockKey,
    b_vault_id: String,
    b_client: Stored<Client>,
    b_incident: Stored<Incident>,
    /// A client the NGO itself recorded.
    ngo_client: Uuid,
}

fn b_records() -> (Stored<Client>, Stored<Incident>) {
    // NFD "ü" and Azerbaijani Latin; the facility in Russian.
    let mut client = Client::new("Gu\u{308}lnarə Hüseynova", "Client G-05");
    client.arrested_at = Some(EventTime {
        at: t("2025-04-20T00:00:00+04:00"),
        precision: DatePrecision::Day,
    });
    let client = stored(Uuid::new_v4(), 1, client);
    let mut inc = Incident::quick(
        client.id,
        "Изолятор временного содержания, Гянджа",
        t("2025-04-21T10:15:00+04:00"),
        IncidentType::AccessDenied,
    );
    inc.reason_given = "Müstəntiq görüşə icazə vermədi".into();
    inc.consent = vec![Consent {
        recipient: NGO.into(),
        granted: true,
        include_health: false,
        recorded_on: None,
    }];
    (client, stored(Uuid::new_v4(), 1, inc))
}

fn world() -> World {
    let f = fixture();
    let ngo_dir = f.tmp.path().join("ngo");
    let ngo = new_vault(&ngo_dir);
    let identity = import::read_identity(&f.ngo_key).expect("identity");

    let a_bundle = f.tmp.path().join("a1.age");
    let set = select_for_ngo(&f.vault);
    let r = export::recipients::get(&f.vault, NGO).expect("recipient");
    let summary = export::bundle::write_to(
        &f.vault,
        &set,
        &[r],
        false,
        vekil::export::Lang::En,
        &a_bundle,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    let a_key = export::signing::SigningKey::load_or_create(&f.vault).expect("key");
    trust(
        &ngo,
        "Lawyer A",
        &export::signing::public_key_line(&a_key.public),
    );
    import_bundle(&ngo, &a_bundle, &identity).expect("A's first bundle");

    let b = StockKey::fresh(f.tmp.path(), "lawyer-b");
    trust(
        &ngo,
        "Lawyer B",
        &std::fs::read_to_string(&b.public).expect("B's .pub file"),
    );
    let (b_client, b_incident) = b_records();
    let b_vault_id = Uuid::new_v4().to_string();
    let first = forge(
        f.tmp.path(),
        "b1",
        &b,
        &f.ngo_public,
        &Content {
            vault_id: b_vault_id.clone(),
            clients: vec![value(&b_client)],
            incidents: vec![value(&b_incident)],
            ..Default::default()
        },
    );
    import_bundle(&ngo, &first, &identity).expect("B's first bundle");

    let ngo_client = ngo
        .insert(Client::new("Səbinə Əliyeva", "NGO-01"))
        .expect("local client")
        .id;
    ngo.close().expect("close");
    World {
        a_vault_id: summary.manifest.vault_id,
        f,
        ngo_dir,
        identity,
        b,
        b_vault_id,
        b_client,
        b_incident,
        ngo_client,
    }
}

impl World {
    fn forge(&self, name: &str, key: &StockKey, c: &Content) -> PathBuf {
        forge(self.f.tmp.path(), name, key, &self.f.ngo_public, c)
    }

    /// Imports `bundle`, which must be refused; checks the NGO vault is
    /// byte-for-byte unchanged and returns the error.
    fn refused(&self, bundle: &Path) -> ImportError {
        let before = snapshot(&self.ngo_dir);
        let ngo = unlock(&self.ngo_dir);
        let err =
            import_bundle(&ngo, bundle, &self.identity).expect_err("a forged bundle was accepted");
        let report = ngo.verify().expect("verify");
        assert!(report.is_ok(), "{:?}", report.problems);
        ngo.close().expect("close");
        assert_eq!(
            before,
            snapshot(&self.ngo_dir),
            "the NGO vault changed: {err}"
        );
        err
    }

    fn a_incident(&self) -> Stored<Incident> {
        self.f.vault.get(self.f.inc_health).expect("A's incident")
    }

    /// A's incident as an attacker rewrites it: same id, higher revision.
    fn a_incident_rewritten(&self) -> Value {
        let mut s = self.a_incident();
        s.revision = 99;
        s.data.reason_given = "Vəkil özü gəlmədi (forged)".into();
        value(&s)
    }
}

fn assert_untrusted(err: &ImportError, key: &StockKey) {
    let msg = err.to_string();
    assert!(
        matches!(err, ImportError::UntrustedSigner { .. }),
        "{err:?}"
    );
    assert!(msg.contains(&key.fingerprint()), "no fingerprint in: {msg}");
    assert!(msg.contains(&key.key_id), "no key id in: {msg}");
    assert!(
        msg.contains(&format!("vekil signer trust NAME {}", key.line)),
        "no trust command in: {msg}"
    );
}

/// (a) A fresh key claims to be lawyer A by carrying A's vault id: the
/// vault id is informative only, so the bundle is from an unknown signer.
#[test]
fn attack_a_reusing_a_trusted_lawyers_vault_id_is_refused() {
    let w = world();
    let attacker = StockKey::fresh(w.f.tmp.path(), "attacker");
    let mut extra = Client::new("Ramil Quliyev", "Client X-01");
    extra.place_of_detention = "Bakı İstintaq Təcridxanası".into();
    let extra = stored(Uuid::new_v4(), 1, extra);
    let bundle = w.forge(
        "reuse-vault-id",
        &attacker,
        &Content {
            vault_id: w.a_vault_id.clone(),
            clients: vec![value(&extra)],
            incidents: vec![w.a_incident_rewritten()],
            attachments: vec!["Saxta sənəd / Поддельный документ".as_bytes().to_vec()],
            ..Default::default()
        },
    );
    let err = w.refused(&bundle);
    assert_untrusted(&err, &attacker);
    let ngo = unlock(&w.ngo_dir);
    let v =
        verify_trusted(&ngo, &bundle, &w.identity).expect_err("verify accepted an unknown signer");
    assert_untrusted(&v, &attacker);
}

/// (b) A record of lawyer A's, carried at a higher revision: refused when
/// the signer is unknown, and also when it is lawyer B, whom the NGO
/// trusts but who is not the record's origin. The same for a record the
/// NGO created itself.
#[test]
fn attack_b_a_higher_revision_of_anothers_record_is_refused() {
    let w = world();
    let attacker = StockKey::fresh(w.f.tmp.path(), "attacker");
    let content = Content {
        vault_id: Uuid::new_v4().to_string(),
        incidents: vec![w.a_incident_rewritten()],
        attachments: vec![b"\xff\xd8\xff\xe0 forged scan".to_vec()],
        ..Default::default()
    };
    assert_untrusted(
        &w.refused(&w.forge("b-untrusted", &attacker, &content)),
        &attacker,
    );

    // Lawyer B's key signs it: B is trusted, but the incident is A's.
    let content = Content {
        vault_id: w.b_vault_id.clone(),
        ..content
    };
    let err = w.refused(&w.forge("b-by-b", &w.b, &content));
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("incident {}", w.f.inc_health)),
        "kind and id not named: {msg}"
    );
    assert!(msg.contains("Lawyer A"), "the owner is not named: {msg}");

    // A record the NGO made itself is not B's to replace either.
    let mut local = Client::new("Səbinə Əliyeva", "NGO-01");
    local.notes = "forged".into();
    let content = Content {
        vault_id: w.b_vault_id.clone(),
        clients: vec![value(&stored(w.ngo_client, 7, local))],
        ..Default::default()
    };
    let err = w.refused(&w.forge("b-local", &w.b, &content));
    let msg = err.to_string();
    assert!(msg.contains(&format!("client {}", w.ngo_client)), "{msg}");
    assert!(msg.contains("this vault"), "{msg}");
}

/// (c) Lawyer B's bundle links its records to lawyer A's: through an
/// incident's `client_id` and `case_id`, an evidence note's `incident_ids`,
/// and a case's `client_ids`. Each is refused, naming the link.
#[test]
fn attack_c_links_to_another_lawyers_records_are_refused() {
    let w = world();
    let mut inc = w.b_incident.data.clone();
    inc.client_id = w.f.client_a;
    let by_client = stored(Uuid::new_v4(), 1, inc);

    let mut inc = w.b_incident.data.clone();
    inc.case_id = Some(w.f.case_a);
    let by_case = stored(Uuid::new_v4(), 1, inc);

    let mut ev = EvidenceNote::new("Rədd cavabının surəti");
    ev.incident_ids = vec![w.f.inc_consented];
    let by_evidence = stored(Uuid::new_v4(), 1, ev);

    let mut case = Case::new(w.b_client.id, "2-2025/0042");
    case.client_ids.push(w.f.client_b);
    let by_case_clients = stored(Uuid::new_v4(), 1, case);

    let cases: [(&str, Content, String); 4] = [
        (
            "client_id",
            Content {
                incidents: vec![value(&by_client)],
                ..Default::default()
            },
            w.f.client_a.to_string(),
        ),
        (
            "case_id",
            Content {
                incidents: vec![value(&by_case)],
                ..Default::default()
            },
            w.f.case_a.to_string(),
        ),
        (
            "incident_ids",
            Content {
                evidence: vec![value(&by_evidence)],
                attachments: vec!["Отказ в свидании".as_bytes().to_vec()],
                ..Default::default()
            },
            w.f.inc_consented.to_string(),
        ),
        (
            "client_ids",
            Content {
                clients: vec![value(&w.b_client)],
                cases: vec![value(&by_case_clients)],
                ..Default::default()
            },
            w.f.client_b.to_string(),
        ),
    ];
    for (field, mut content, target) in cases {
        content.vault_id = w.b_vault_id.clone();
        let err = w.refused(&w.forge(&format!("c-{field}"), &w.b, &content));
        let msg = err.to_string();
        assert!(msg.contains(field), "{field}: link not named: {msg}");
        assert!(msg.contains(&target), "{field}: target not named: {msg}");
    }
}

/// The lawyer's later bundles still update that lawyer's own records, and
/// a second import of the same bundle changes no byte of the vault.
#[test]
fn a_trusted_lawyers_later_bundle_updates_their_own_records() {
    let w = world();
    // Lawyer A edits an incident and sends a new bundle.
    let cur = w.a_incident();
    let mut data = cur.data.clone();
    data.reason_given.push_str(" (yenilənib)");
    w.f.vault
        .update(w.f.inc_health, cur.revision, data)
        .expect("update");
    let a2 = w.f.tmp.path().join("a2.age");
    let set = select_for_ngo(&w.f.vault);
    let r = export::recipients::get(&w.f.vault, NGO).expect("recipient");
    export::bundle::write_to(
        &w.f.vault,
        &set,
        &[r],
        true,
        vekil::export::Lang::En,
        &a2,
        false,
        &mut |_| {},
    )
    .expect("bundle");
    // Lawyer B updates theirs with stock tools.
    let mut b_inc = w.b_incident.clone();
    b_inc.revision = 2;
    b_inc.data.status = RecordStatus::Final;
    let b2 = w.forge(
        "b2",
        &w.b,
        &Content {
            vault_id: w.b_vault_id.clone(),
            clients: vec![value(&w.b_client)],
            incidents: vec![value(&b_inc)],
            attachments: vec!["Şikayət ərizəsi".as_bytes().to_vec()],
            ..Default::default()
        },
    );

    let ngo = unlock(&w.ngo_dir);
    let r = import_bundle(&ngo, &a2, &w.identity).expect("A's second bundle");
    assert_eq!(r.counts["incident"]["replaced"], 1, "{r:?}");
    let got: Stored<Incident> = ngo.get(w.f.inc_health).expect("incident");
    assert!(got.data.reason_given.ends_with("(yenilənib)"));
    let r = import_bundle(&ngo, &b2, &w.identity).expect("B's second bundle");
    assert_eq!(r.counts["incident"]["replaced"], 1, "{r:?}");
    assert_eq!(r.attachments, 1);
    assert!(ngo.verify().expect("verify").is_ok());
    ngo.close().expect("close");

    for bundle in [&a2, &b2] {
        let before = snapshot(&w.ngo_dir);
        let ngo = unlock(&w.ngo_dir);
        let r = import_bundle(&ngo, bundle, &w.identity).expect("again");
        for counts in r.counts.values() {
            assert!(
                counts.keys().all(|k| k == "unchanged"),
                "a second import changed something: {r:?}"
            );
        }
        ngo.close().expect("close");
        let after = snapshot(&w.ngo_dir);
        let changed: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .collect();
        assert!(
            changed.is_empty(),
            "a second import changed the vault: {changed:?}"
        );
    }
}

/// (d) The bundle is read once: its attachments are checked and staged in
/// the same pass as the signature and the log, so a file that changes
/// while it is imported (served from a pipe, a FUSE mount, a USB stick
/// that answers differently) cannot slip a different attachment in. The
/// bundle comes through a named pipe that serves the genuine bundle on
/// the first open and a validly signed one with another attachment on any
/// later open; a second pass would read the latter.
#[test]
fn attack_d_a_bundle_that_changes_between_reads_is_read_once() {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    // Linux's value (Debian is the platform Vekil ships for).
    const O_NONBLOCK: i32 = 0o4000;
    let w = world();
    let genuine_bytes = "Şikayətin əsli / Оригинал жалобы".as_bytes().to_vec();
    let swapped_bytes = "Saxta / Подмена".as_bytes().to_vec();
    let mut note = EvidenceNote::new("Şikayət");
    note.incident_ids = vec![w.b_incident.id];
    note.attachments = vec![AttachmentRef {
        sha256: sha256_hex(&genuine_bytes),
        file_name: "şikayət.txt".into(),
        size: genuine_bytes.len() as u64,
        media_type: "text/plain".into(),
    }];
    let note = stored(Uuid::new_v4(), 1, note);
    let content = Content {
        vault_id: w.b_vault_id.clone(),
        evidence: vec![value(&note)],
        attachments: vec![genuine_bytes.clone()],
        ..Default::default()
    };
    let genuine = std::fs::read(w.forge("d-genuine", &w.b, &content)).expect("read");
    let swapped = std::fs::read(w.forge(
        "d-swapped",
        &w.b,
        &Content {
            attachments: vec![swapped_bytes],
            ..content
        },
    ))
    .expect("read");

    let fifo = w.f.tmp.path().join("bundle.age");
    run_ok(tool("mkfifo", "coreutils").arg(&fifo), "mkfifo");
    let opens = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    // Serves one whole bundle per open: once a reader has the pipe, a new
    // pipe is renamed over the path before the old one's writer closes,
    // so a reader still draining the first never sees the second, and a
    // second open always finds a fresh pipe with a writer waiting.
    let server = {
        let (fifo, opens, done) = (fifo.clone(), opens.clone(), done.clone());
        let dir = w.f.tmp.path().to_path_buf();
        std::thread::spawn(move || loop {
            let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&fifo) else {
                return;
            };
            if done.load(Ordering::SeqCst) {
                return;
            }
            let n = opens.fetch_add(1, Ordering::SeqCst);
            let _ = f.write_all(if n == 0 { &genuine } else { &swapped });
            let next = dir.join(format!("next-{n}.fifo"));
            run_ok(tool("mkfifo", "coreutils").arg(&next), "mkfifo");
            std::fs::rename(&next, &fifo).expect("rename pipe");
        })
    };
    let ngo = unlock(&w.ngo_dir);
    let result = import_bundle(&ngo, &fifo, &w.identity);
    done.store(true, Ordering::SeqCst);
    // Wakes the server, which waits for a reader.
    while !server.is_finished() {
        drop(
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(O_NONBLOCK)
                .open(&fifo),
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.join().expect("server thread");
    assert_eq!(
        opens.load(Ordering::SeqCst),
        1,
        "the bundle was read more than once"
    );
    let r = result.expect("the genuine bundle imports");
    assert_eq!(r.attachments, 1);
    assert_eq!(
        &ngo.read_attachment(&sha256_hex(&genuine_bytes))
            .expect("stored")[..],
        &genuine_bytes[..]
    );
    assert!(ngo.verify().expect("verify").is_ok());
}

/// A minisign key id is 8 bytes chosen by whoever makes the key, so an
/// attacker can give a fresh key lawyer A's key id. Trust is the whole
/// key: the bundle is refused and the message says it is not A's key.
#[test]
fn a_fresh_key_that_copies_a_trusted_key_id_is_refused() {
    let w = world();
    let a = export::signing::SigningKey::load_or_create(&w.f.vault)
        .expect("key")
        .public;
    let kp = minisign::KeyPair::generate_unencrypted_keypair().expect("keypair");
    let mut sk = kp.sk.to_bytes();
    sk[54..62].copy_from_slice(a.keynum());
    let mut pk = kp.pk.to_bytes();
    pk[2..10].copy_from_slice(a.keynum());
    let sk = minisign::SecretKey::from_bytes(&sk).expect("secret key");
    let pk = minisign::PublicKey::from_bytes(&pk).expect("public key");
    assert_eq!(export::signing::key_id(&pk), export::signing::key_id(&a));
    // Stock minisign refuses a key file whose checksum no longer matches,
    // so this one key is written in minisign's format but signed with the
    // minisign crate; the rest of the bundle is still stock tools.
    let impostor = StockKey {
        secret: PathBuf::new(),
        public: PathBuf::new(),
        line: pk.to_base64(),
        key_id: export::signing::key_id(&pk),
    };
    let content = Content {
        vault_id: w.a_vault_id.clone(),
        incidents: vec![w.a_incident_rewritten()],
        ..Default::default()
    };
    let bundle = forge_signed_with(
        w.f.tmp.path(),
        "impostor",
        &impostor,
        &w.f.ngo_public,
        &content,
        |manifest| {
            let bytes = std::fs::read(manifest).expect("manifest");
            let sig = minisign::sign(
                Some(&pk),
                &sk,
                bytes.as_slice(),
                Some("made by hand"),
                Some(export::signing::UNTRUSTED_COMMENT),
            )
            .expect("sign")
            .into_string();
            std::fs::write(manifest.with_extension("json.minisig"), sig).expect("write signature");
        },
    );
    let err = w.refused(&bundle);
    assert_untrusted(&err, &impostor);
    assert!(err.to_string().contains("Lawyer A"), "{err}");
}
