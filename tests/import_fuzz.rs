//! Property tests over the importer's parsers: arbitrary and mutated
//! input never panics, never hangs, and is never accepted when altered.
//! Runs in `cargo test` for a few seconds (PROPTEST_CASES raises it).

mod export_support;

use export_support::*;
use proptest::prelude::*;
use std::io::Write;
use std::sync::OnceLock;

struct Shared {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    identity_text: String,
    /// The lawyer's signing key line: every check is against it.
    signer_line: String,
    log: Vec<u8>,
    tar: Vec<u8>,
}

fn shared() -> &'static Shared {
    static S: OnceLock<Shared> = OnceLock::new();
    S.get_or_init(|| {
        let f = fixture();
        let set = vekil::export::select(
            &f.vault,
            &vekil::export::ExportOptions {
                profile: vekil::export::Profile::Ngo,
                recipients: vec![NGO.into()],
                ..Default::default()
            },
        )
        .expect("select");
        let mut log = vec![];
        vekil::export::json::write(&set, None, &mut log).expect("log");
        let r = vekil::export::recipients::get(&f.vault, NGO).expect("recipient");
        let bundle = f.tmp.path().join("b.age");
        vekil::export::bundle::write_to(
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
        let id = vekil::import::read_identity(&f.ngo_key).expect("identity");
        let dec = age::Decryptor::new(std::fs::File::open(&bundle).expect("open")).expect("age");
        let mut tar = vec![];
        std::io::Read::read_to_end(
            &mut dec
                .decrypt(std::iter::once(&id as &dyn age::Identity))
                .expect("decrypt"),
            &mut tar,
        )
        .expect("read");
        let identity_text = std::fs::read_to_string(&f.ngo_key).expect("key");
        let signer_line = vekil::export::signing::public_key_line(
            &vekil::export::signing::SigningKey::load_or_create(&f.vault)
                .expect("signing key")
                .public,
        );
        let dir = f.tmp.path().to_path_buf();
        let Fixture { tmp, .. } = f;
        Shared {
            _tmp: tmp,
            dir,
            identity_text,
            signer_line,
            log,
            tar,
        }
    })
}

fn identity() -> age::x25519::Identity {
    let text = &shared().identity_text;
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("key line");
    line.parse().expect("identity")
}

fn verify(path: &std::path::Path) -> vekil::import::Result<vekil::import::Verified> {
    let pk = vekil::import::signers::parse_key(&shared().signer_line).expect("signer");
    vekil::import::verify(path, &identity(), vekil::import::SignedBy::Key(&pk))
}

fn encrypt(bytes: &[u8]) -> std::path::PathBuf {
    let path = shared()
        .dir
        .join(format!("fuzz-{}.age", uuid::Uuid::new_v4()));
    let r = identity().to_public();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        .expect("encryptor");
    let mut w = enc
        .wrap_output(std::fs::File::create(&path).expect("create"))
        .expect("wrap");
    w.write_all(bytes).expect("write");
    w.finish().expect("finish");
    path
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn log_parser_survives_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = vekil::import::parse_log(&bytes);
    }

    #[test]
    fn log_parser_survives_mutations(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut log = shared().log.clone();
        let i = pos.index(log.len());
        log[i] = byte;
        let _ = vekil::import::parse_log(&log);
    }

    #[test]
    fn mutated_archive_is_never_accepted(pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut tar = shared().tar.clone();
        // Only the meaningful part: entries, not the zero padding at the end.
        let used = tar.len() - 1024;
        let i = pos.index(used);
        let before = tar[i];
        tar[i] ^= flip;
        let path = encrypt(&tar);
        let result = verify(&path);
        let _ = std::fs::remove_file(&path);
        // A flipped byte in a header's unused area (e.g. padding after a
        // name) may be harmless; a flipped byte of content never is.
        if let Ok(v) = result {
            prop_assert!(!v.manifest.files.is_empty());
            prop_assert!(before != tar[i]);
            // Accepted only if the byte was in tar metadata that does not
            // change any entry's name, size or bytes.
            let orig = entries(&shared().tar);
            let now = entries(&tar);
            let block = i / 512 * 512;
            prop_assert!(
                orig == now,
                "byte {} (offset {} in its block) accepted: block {:?}; now readable: {}",
                i,
                i % 512,
                String::from_utf8_lossy(&tar[block..block + 100]),
                now.is_some()
            );
        }
    }

    #[test]
    fn arbitrary_archive_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let path = encrypt(&bytes);
        let result = verify(&path);
        let _ = std::fs::remove_file(&path);
        prop_assert!(result.is_err());
    }

    #[test]
    fn arbitrary_file_is_refused(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let path = shared().dir.join(format!("raw-{}.age", uuid::Uuid::new_v4()));
        std::fs::write(&path, &bytes).expect("write");
        let result = verify(&path);
        let _ = std::fs::remove_file(&path);
        prop_assert!(result.is_err());
    }
}

/// (name, contents) of every entry, or None if unreadable.
fn entries(tar: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut a = tar::Archive::new(tar);
    let mut out = vec![];
    for e in a.entries().ok()? {
        let mut e = e.ok()?;
        let name = e.path_bytes().into_owned();
        let mut b = vec![];
        std::io::Read::read_to_end(&mut e, &mut b).ok()?;
        out.push((name, b));
    }
    Some(out)
}
