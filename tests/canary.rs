//! Plaintext never reaches the disk: unique canary strings written through
//! the CLI (records and an attachment) appear nowhere under the vault or
//! the temp directory, in any file, once the vault is closed.

mod common;
use common::{all_files, contains, Cli};

#[test]
fn canaries_are_nowhere_on_disk() {
    let t = tempfile::tempdir().unwrap();
    let cli = Cli::new(t.path());
    let started = std::time::SystemTime::now();
    cli.init();
    let tag = format!("{:x}", std::process::id() as u64 * 7919 + 0xC0FFEE);
    let name = format!("CanaryName{tag}");
    let reason = format!("CanaryReason{tag} Müstəntiq");
    let note = format!("CanaryNote{tag} Заметка");
    let file_text = format!("CanaryAttachment{tag} scanned page");
    cli.ok(&[
        "client",
        "add",
        "--name",
        &name,
        "--pseudonym",
        "C-1",
        "--notes",
        &note,
    ]);
    let inc = cli.ok(&[
        "incident",
        "add",
        "--client",
        "C-1",
        "--facility",
        &format!("CanaryFacility{tag}"),
        "--type",
        "access_denied",
        "--reason",
        &reason,
    ]);
    let src_dir = tempfile::tempdir().unwrap(); // outside the scanned dirs: the user's own file
    let src = src_dir.path().join("scan.txt");
    std::fs::write(&src, &file_text).unwrap();
    cli.ok(&[
        "evidence",
        "add",
        "--incident",
        inc.trim(),
        "--description",
        &note,
        "--attach",
        src.to_str().unwrap(),
    ]);
    cli.ok(&["search", &format!("CanaryReason{tag}")]);
    cli.ok(&["verify-vault"]);

    let needles = [
        name.as_str(),
        &reason,
        &note,
        &file_text,
        &format!("CanaryFacility{tag}"),
    ];
    let mut scanned = 0usize;
    let mut check = |files: Vec<(std::path::PathBuf, Vec<u8>)>| {
        for (path, bytes) in files {
            scanned += 1;
            for n in &needles {
                assert!(
                    !contains(&bytes, n.as_bytes()),
                    "canary {n:?} found in {}",
                    path.display()
                );
                let utf16: Vec<u8> = n.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
                assert!(
                    !contains(&bytes, &utf16),
                    "UTF-16 canary in {}",
                    path.display()
                );
            }
        }
    };
    check(all_files(&cli.vault));
    check(all_files(&cli.tmp));
    // The system temp dir: every file touched since the test began.
    let recent: Vec<_> = all_files(&std::env::temp_dir())
        .into_iter()
        .filter(|(p, b)| {
            !p.starts_with(src_dir.path())
                && b.len() < 64 << 20
                && std::fs::metadata(p)
                    .and_then(|m| m.modified())
                    .map(|m| m >= started)
                    .unwrap_or(false)
        })
        .collect();
    check(recent);
    assert!(scanned >= 5, "scanned only {scanned} files");
}
