//! CLI commands for the organisation's side of trust: `signer trust`,
//! `signer list`, `signer remove`, and `verify`/`import`, which accept a
//! bundle only from a trusted signer.
//!
//! An organisation uses them in this order: the lawyer reads out the
//! fingerprint that `vekil signing-key` prints; the organisation runs
//! `vekil signer trust NAME KEY`, compares the fingerprint it shows, and
//! confirms; from then on `vekil import` accepts that lawyer's bundles.
//! A bundle from any other key is refused with its fingerprint and the
//! exact `vekil signer trust` command to run once it has been compared.

use super::export::Failure;
use super::output;
use crate::import::{self, signers, ImportOptions, SignedBy};
use crate::Vault;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// `vekil signer …`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum SignerCommand {
    /// Trust a lawyer's signing key, after comparing its fingerprint with
    /// the lawyer in person or by phone.
    Trust {
        /// Your name for the lawyer (shown when their bundles are imported).
        name: String,
        /// Their minisign public key: the base64 line, or their .pub file.
        key: String,
        /// Do not ask: the fingerprint has been compared (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// List trusted signers with key ids, fingerprints and record counts.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stop trusting a signer. Records already imported stay.
    Remove {
        /// The signer's name.
        name: String,
    },
}

fn usage(m: impl Into<String>) -> Failure {
    Failure {
        code: super::EXIT_USAGE,
        message: m.into(),
    }
}

/// A key given on the command line: a `.pub` file, or the key line itself.
pub(super) fn read_key(s: &str) -> Result<String, Failure> {
    if Path::new(s).is_file() {
        let meta = std::fs::metadata(s)
            .map_err(|e| usage(format!("cannot read the key file {s}: {e}")))?;
        if meta.len() > 64 * 1024 {
            return Err(usage(format!(
                "{s} is too large to be a minisign public key file"
            )));
        }
        return std::fs::read_to_string(s)
            .map_err(|e| usage(format!("cannot read the key file {s}: {e}")));
    }
    Ok(s.to_owned())
}

/// Shows the key and asks, on a terminal, whether to trust it.
fn confirm(name: &str, pk: &minisign::PublicKey, yes: bool) -> Result<(), Failure> {
    use crate::export::signing::{key_id, public_key_line};
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "Signer:      {name}");
    let _ = writeln!(err, "Key id:      {}", key_id(pk));
    let _ = writeln!(err, "Fingerprint: {}", signers::fingerprint(pk));
    let _ = writeln!(err, "Key:         {}", public_key_line(pk));
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "nothing was trusted: compare the fingerprint above with the lawyer, then run the \
             command again in a terminal, or with --yes in a script",
        ));
    }
    let _ = writeln!(
        err,
        "\nAsk the lawyer to read the fingerprint that `vekil signing-key` prints on their own \
         computer, in person or by phone (not through the channel the key came by)."
    );
    let _ = write!(err, "Does it match exactly? Type yes to trust this key: ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| usage(format!("cannot read the answer from the terminal: {e}")))?;
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(usage("nothing was trusted: the answer was not yes"))
    }
}

/// Runs `vekil signer …`.
pub fn run(
    cmd: &SignerCommand,
    open: &mut dyn FnMut() -> Result<Vault, Failure>,
) -> Result<(), Failure> {
    match cmd {
        SignerCommand::Trust { name, key, yes } => {
            let text = read_key(key)?;
            let pk = signers::parse_key(&text)?;
            let vault = open()?;
            confirm(name, &pk, *yes)?;
            let s = signers::trust(&vault, name, &text)?;
            println!(
                "trusted {}: key id {}, fingerprint {}",
                s.name, s.key_id, s.fingerprint
            );
        }
        SignerCommand::List { json } => {
            let vault = open()?;
            let list = signers::list(&vault)?;
            if *json {
                let text = serde_json::to_string_pretty(&list).map_err(|e| Failure {
                    code: super::EXIT_DATA,
                    message: format!("cannot encode the list: {e}"),
                })?;
                println!("{text}");
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            s.key_id.clone(),
                            s.fingerprint.clone(),
                            s.records.to_string(),
                            s.added_at.clone(),
                        ]
                    })
                    .collect();
                output::table(
                    &mut std::io::stdout().lock(),
                    &["NAME", "KEY ID", "FINGERPRINT", "RECORDS", "TRUSTED SINCE"],
                    &rows,
                )
                .map_err(|e| usage(format!("cannot write output: {e}")))?;
            }
        }
        SignerCommand::Remove { name } => {
            let vault = open()?;
            if !signers::remove(&vault, name)? {
                return Err(import::ImportError::UnknownSigner(name.clone()).into());
            }
            println!("{name} is no longer trusted; its records stay in the vault");
        }
    }
    Ok(())
}

/// Runs `vekil verify`: against the trusted signers, or, with `signer`,
/// against that one key only (which is not trusted or remembered).
pub fn verify(
    bundle: &Path,
    identity: &Path,
    signer: Option<&str>,
    open: &mut dyn FnMut() -> Result<Vault, Failure>,
) -> Result<(), Failure> {
    let id = import::read_identity(identity)?;
    let v = match signer {
        Some(s) => {
            let pk = signers::parse_key(&read_key(s)?)?;
            import::verify(bundle, &id, SignedBy::Key(&pk))?
        }
        None => {
            let vault = open()?;
            import::verify(bundle, &id, SignedBy::TrustedIn(&vault))?
        }
    };
    println!(
        "OK: signature and all {} file hashes verified",
        v.manifest.files.len()
    );
    println!("manifest SHA-256 {}", v.manifest_sha256);
    let who = match &v.signer.name {
        Some(n) => format!("trusted signer {n:?}"),
        None => "the given key".into(),
    };
    println!(
        "signed by {who}: key {}, fingerprint {}, on {}",
        v.signer.key_id, v.signer.fingerprint, v.manifest.created_at
    );
    Ok(())
}

/// Runs `vekil import`.
pub fn import(
    bundle: &Path,
    identity: &Path,
    adopt_unknown: bool,
    open: &mut dyn FnMut() -> Result<Vault, Failure>,
) -> Result<(), Failure> {
    let id = import::read_identity(identity)?;
    let vault = open()?;
    eprintln!("checking {}", bundle.display());
    // One line on a terminal, redrawn in place; nothing when piped.
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let imported = import::import_with(
        &vault,
        bundle,
        &id,
        &ImportOptions { adopt_unknown },
        &mut |n| {
            if terminal {
                eprint!("\r\x1b[2K  merged {n} records");
                shown = true;
            }
        },
    );
    if shown {
        eprint!("\r\x1b[2K");
    }
    let r = imported?;
    println!(
        "from trusted signer {:?} (key {})",
        r.signer, r.signing_key_id
    );
    for (kind, counts) in &r.counts {
        let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!("{kind}: {}", parts.join(", "));
    }
    if r.attachments > 0 {
        println!("attachments: {}", r.attachments);
    }
    if r.adopted > 0 {
        println!(
            "adopted: {} record(s) imported before Vekil kept senders are now {:?}'s",
            r.adopted, r.signer
        );
    }
    for c in &r.conflicts {
        println!("conflict: {c}");
    }
    Ok(())
}
