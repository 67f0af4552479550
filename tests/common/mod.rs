//! Shared fixtures: temporary vaults and a runner for the `vekil` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use vekil::secret::Passphrase;
use vekil::vault::{Vault, VaultOptions};

pub const PASS: &str = "correct horse battery staple";

/// Fast key derivation for library-level tests (the CLI uses the real cost).
pub fn fast() -> VaultOptions {
    VaultOptions { kdf_log_n: 10 }
}

pub fn pass() -> Passphrase {
    Passphrase::new(PASS.into())
}

/// A new vault in a fresh temporary directory.
pub fn new_vault() -> (tempfile::TempDir, PathBuf, Vault, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("vault");
    let (v, code) = Vault::create_with(&dir, &pass(), &fast()).expect("create vault");
    let code = code.expose_secret().to_owned();
    (tmp, dir, v, code)
}

/// The CLI binary the tests run. VEKIL_BIN runs the same tests against
/// another build, e.g. to show that a regression test fails on main.
pub fn bin() -> PathBuf {
    std::env::var_os("VEKIL_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_vekil").into())
        .into()
}

/// Runs `vekil` against `vault` with the passphrase in the environment and
/// temp files confined to `tmp`.
pub struct Cli {
    pub vault: PathBuf,
    pub tmp: PathBuf,
    pub pass: String,
}

impl Cli {
    pub fn new(root: &Path) -> Self {
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp).expect("tmp");
        Self {
            vault: root.join("vault"),
            tmp,
            pass: PASS.into(),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        self.cmd_of(&bin(), args)
    }

    /// [`Self::cmd`], running the CLI binary at `bin`.
    pub fn cmd_of(&self, bin: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(bin);
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.tmp)
            .env("TMPDIR", &self.tmp)
            .env("VEKIL_VAULT", &self.vault)
            .env("VEKIL_PASSPHRASE", &self.pass)
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run vekil")
    }

    /// Runs and insists on success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "vekil {args:?} failed ({:?}):\n{}",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).expect("utf-8 stdout")
    }

    /// Runs, expects `code`; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(
            o.status.code(),
            Some(code),
            "vekil {args:?}: stderr was {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "panic: {err}"
        );
        err
    }

    pub fn init(&self) -> String {
        let out = self.ok(&["init"]);
        recovery_code(&out)
    }
}

/// The recovery code printed by `vekil init`.
pub fn recovery_code(out: &str) -> String {
    out.lines()
        .map(str::trim)
        .find(|l| l.len() == 39 && l.matches('-').count() == 7)
        .unwrap_or_else(|| panic!("no recovery code in: {out}"))
        .to_owned()
}

/// Every file under `dir`, with its bytes.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![];
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p, b));
        }
    }
    out
}

/// A digest of every file's content in the vault except the header (which
/// records failed unlock attempts) and the lock file.
pub fn data_fingerprint(vault: &Path) -> Vec<(PathBuf, u64)> {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<_> = all_files(vault)
        .into_iter()
        .filter(|(p, _)| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n != "vault.json" && n != "vault.lock"
        })
        .map(|(p, b)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            b.hash(&mut h);
            (p, h.finish())
        })
        .collect();
    v.sort();
    v
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A figure of this process's `/proc/self/status` in KiB (`VmHWM`: peak
/// resident memory, `VmRSS`: now), for the tests that bound memory.
pub fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("a memory figure")
}
