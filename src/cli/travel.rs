//! CLI commands for travel mode and quick erase: `travel seal|status|
//! request|release|open` and `erase`.
//!
//! Each command is a thin wrapper over `vault::travel` and `vault::erase`,
//! the same functions the desktop app calls. The custodian's `release`
//! needs no vault at all.

use super::{input, CliError, EXIT_DATA, EXIT_USAGE};
use crate::vault::erase;
use crate::vault::travel::{self, TravelError};
use crate::Vault;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Travel mode and erase, flattened into the main command list.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    /// Seal the vault for travel so that only your custodians can release it.
    #[command(subcommand)]
    Travel(TravelCommand),
    /// Destroy the vault's keys at once, then its data. Works locked or sealed.
    Erase {
        /// Do not ask for confirmation.
        #[arg(long)]
        now: bool,
    },
    /// Opt-in: erase the vault after N failed unlocks in a row (N ≥ 5), or `off`.
    WipeAfter {
        /// The number of failures, or `off`.
        #[arg(value_name = "N|off")]
        limit: String,
    },
}

/// `vekil travel …`
#[derive(Debug, clap::Subcommand)]
pub enum TravelCommand {
    /// Wrap the database key to custodians and destroy the passphrase and recovery key files.
    Seal {
        /// A custodian from the address book (`vekil recipient list`); repeatable.
        #[arg(long = "custodian", value_name = "NAME")]
        custodians: Vec<String>,
        /// With several custodians: how many must release the vault together.
        #[arg(long, value_name = "K")]
        threshold: Option<u8>,
    },
    /// Whether the vault is sealed, its custodians, and the pending request's code.
    Status,
    /// After the trip: write a release request for your custodians.
    Request {
        /// Where to write the request.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Custodian: release your share of a request to the lawyer.
    Release {
        /// The request the lawyer sent.
        request: PathBuf,
        /// Your age identity file (from `vekil keygen` or `age-keygen`).
        #[arg(long, value_name = "KEY")]
        identity: PathBuf,
        /// Where to write the release.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The code the lawyer read to you (asked for on the terminal if absent).
        #[arg(long, value_name = "DIGITS")]
        code: Option<String>,
    },
    /// Open a sealed vault with your custodians' releases and a new passphrase.
    Open {
        /// Release files, one per custodian.
        #[arg(required = true, value_name = "RELEASE")]
        releases: Vec<PathBuf>,
    },
}

impl From<TravelError> for CliError {
    fn from(e: TravelError) -> Self {
        use TravelError as T;
        let code = match &e {
            T::NoCustodian
            | T::UnknownCustodian(_)
            | T::DuplicateCustodian(_)
            | T::BadThreshold { .. }
            | T::ThresholdRequired(_)
            | T::TooManyCustodians
            | T::BadCustodianKey { .. }
            | T::AlreadySealed
            | T::NotSealed
            | T::NoRequest
            | T::BadIdentity(_) => EXIT_USAGE,
            _ => EXIT_DATA,
        };
        match e {
            T::Vault(v) => v.into(),
            e => CliError {
                code,
                message: e.to_string(),
            },
        }
    }
}

/// Runs one command. `dir` is the vault folder (not needed by `release`).
pub(super) fn run(
    cmd: Commands,
    dir: Option<PathBuf>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let need_dir = || {
        dir.clone().ok_or_else(|| {
            CliError::usage("no vault directory: pass --vault DIR or set VEKIL_VAULT".into())
        })
    };
    match cmd {
        Commands::Erase { now } => erase_cmd(&need_dir()?, now, out),
        Commands::WipeAfter { limit } => wipe_after_cmd(&need_dir()?, &limit, out),
        Commands::Travel(TravelCommand::Release {
            request,
            identity,
            out: file,
            code,
        }) => release_cmd(&request, &identity, &file, code, out),
        Commands::Travel(t) => travel_cmd(&need_dir()?, t, out),
    }
}

fn travel_cmd(dir: &Path, cmd: TravelCommand, out: &mut impl Write) -> Result<(), CliError> {
    if !Vault::status(dir).exists {
        return Err(crate::vault::VaultError::NotFound(dir.into()).into());
    }
    match cmd {
        TravelCommand::Seal {
            custodians,
            threshold,
        } => {
            let pass = input::passphrase()?;
            let vault = Vault::unlock(dir, &pass)?;
            let s = travel::seal(&vault, &pass, &custodians, threshold)?;
            drop(vault);
            writeln!(
                out,
                "Sealed for travel. Neither the passphrase nor the recovery code opens this vault now."
            )?;
            print_custodians(out, &s)?;
            writeln!(
                out,
                "\nAfter the trip: `vekil travel request --out FILE`, send FILE to your custodians,\n\
                 read each of them the code by phone, then `vekil travel open RELEASE…`.\n\
                 See docs/design/travel.md."
            )?;
        }
        TravelCommand::Status => match travel::status(dir)? {
            None => writeln!(out, "Not sealed.")?,
            Some(s) => {
                writeln!(out, "Sealed for travel on {}.", s.sealed_at)?;
                print_custodians(out, &s)?;
                match &s.request {
                    Some(r) => writeln!(
                        out,
                        "\nRequest made {}; confirmation code: {}",
                        r.created_at, r.code
                    )?,
                    None => writeln!(out, "\nNo release request yet.")?,
                }
            }
        },
        TravelCommand::Request { out: file } => {
            let r = travel::request(dir, &file)?;
            writeln!(out, "Request written to {}.", file.display())?;
            writeln!(
                out,
                "Send it to your custodians and read each of them this code by phone:\n"
            )?;
            writeln!(out, "    {}\n", r.code)?;
            writeln!(
                out,
                "Then open the vault with their releases: `vekil travel open RELEASE…`."
            )?;
        }
        TravelCommand::Open { releases } => {
            let releases = releases
                .iter()
                .map(|p| travel::Release::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            travel::check_releases(dir, &releases)?;
            let new = input::new_passphrase(false)?;
            let (vault, code) = travel::open(dir, &releases, &new)?;
            vault.close()?;
            writeln!(out, "Released. The vault opens with your new passphrase.\n")?;
            writeln!(
                out,
                "New recovery code (shown only this once; write it on paper now):\n"
            )?;
            writeln!(out, "    {}\n", code.expose_secret())?;
            writeln!(out, "The old recovery code no longer opens anything.")?;
        }
        TravelCommand::Release { .. } => {
            return Err(CliError::usage("unexpected command".into()));
        }
    }
    Ok(())
}

fn print_custodians(out: &mut impl Write, s: &travel::TravelStatus) -> Result<(), CliError> {
    writeln!(
        out,
        "Custodians ({} of {} must release it):",
        s.threshold,
        s.custodians.len()
    )?;
    for c in &s.custodians {
        writeln!(out, "  {}  fingerprint {}", c.name, c.fingerprint)?;
    }
    Ok(())
}

fn release_cmd(
    request: &Path,
    identity: &Path,
    file: &Path,
    code: Option<String>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let info = travel::read_request(request)?;
    writeln!(out, "Release request from vault {}", info.vault_id)?;
    writeln!(out, "made {}; ", info.created_at)?;
    writeln!(out, "confirmation code: {}\n", info.code)?;
    let typed = match code {
        Some(c) => c,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(CliError::usage(
                    "pass --code with the code the lawyer reads to you by phone".into(),
                ));
            }
            eprint!("Type the code the lawyer reads to you: ");
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| CliError::usage(format!("cannot read the code: {e}")))?;
            line
        }
    };
    let r = travel::release(request, identity, &typed, file)?;
    writeln!(
        out,
        "Released {}'s share to {}. Send it back to the lawyer; it opens nothing without the lawyer's laptop.",
        r.custodian,
        file.display()
    )?;
    Ok(())
}

fn wipe_after_cmd(dir: &Path, limit: &str, out: &mut impl Write) -> Result<(), CliError> {
    let n = match limit {
        "off" => None,
        n => Some(n.parse::<u32>().map_err(|_| {
            CliError::usage(format!(
                "{n:?} is not a number; write a number of failures (at least 5) or `off`"
            ))
        })?),
    };
    if !Vault::status(dir).exists {
        return Err(crate::vault::VaultError::NotFound(dir.into()).into());
    }
    let pass = input::passphrase()?;
    let vault = Vault::unlock(dir, &pass)?;
    vault.set_wipe_after_failures(&pass, n)?;
    match n {
        None => writeln!(out, "Wipe after failed unlocks is off.")?,
        Some(n) => writeln!(
            out,
            "After {n} wrong passphrases or recovery codes in a row, this vault will be erased.\n\
             Anyone can trigger it: a child or a colleague typing. It stops guessing through\n\
             Vekil; it does not protect against a copy of the disk made earlier."
        )?,
    }
    Ok(())
}

fn erase_cmd(dir: &Path, now: bool, out: &mut impl Write) -> Result<(), CliError> {
    if !now {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::usage(
                "erase asks for confirmation on a terminal; pass --now to erase without asking"
                    .into(),
            ));
        }
        eprint!(
            "This destroys the keys of the vault at {} at once; nothing but a backup or your\n\
             custodians can bring the data back. Type ERASE to go on: ",
            dir.display()
        );
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
        if line.trim() != "ERASE" {
            return Err(CliError::usage("not erased; nothing was changed".into()));
        }
    }
    let r = erase::erase(dir)?;
    writeln!(
        out,
        "Erased. {} key file(s) destroyed in {} ms; {} other file(s) removed in {} ms.",
        r.key_files_destroyed, r.keys_gone_ms, r.files_removed, r.total_ms
    )?;
    if !r.folder_removed {
        writeln!(
            out,
            "The folder {} stays: it holds files that are not Vekil's.",
            dir.display()
        )?;
    }
    Ok(())
}
