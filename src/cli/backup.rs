//! `vekil backup` and `vekil restore`: thin wrappers over
//! `vault::backup`, the same functions the desktop app calls.
//!
//! The interface: a backup is sealed to the passphrase by default (the
//! one the vault is unlocked with), to the recovery code with
//! `--to-recovery-code`, or to age public keys with `--to NAME|age1…`
//! (repeatable). `restore` reads which from the file itself: a backup
//! sealed to age keys needs `--identity KEY`; one sealed to a secret takes
//! the passphrase or the recovery code from the usual variables or the
//! terminal. Secrets never come from the command line.

use super::{input, notices, CliError, EXIT_DATA, EXIT_LOCKED, EXIT_USAGE};
use crate::secret::Passphrase;
use crate::vault::backup::{self, BackupError, Needs, Opener, Phase, Progress, Seal};
use crate::vault::{UnlockOptions, Vault, VaultError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Backup and restore, flattened into the main command list.
#[derive(Debug, clap::Subcommand)]
pub enum Commands {
    /// Write the whole vault (records, history, evidence files, keys) to one encrypted file.
    Backup {
        /// The new backup file (never replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Seal it to the recovery code instead of the passphrase.
        #[arg(long, conflicts_with = "to")]
        to_recovery_code: bool,
        /// Seal it to an age public key instead: a name from the address
        /// book or an `age1…` key (repeatable).
        #[arg(long = "to", value_name = "NAME|age1…")]
        to: Vec<String>,
    },
    /// Recreate a vault from a backup in a new, empty folder (--vault DIR).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// For a backup sealed to age keys: your age identity file.
        #[arg(long, value_name = "KEY")]
        identity: Option<PathBuf>,
    },
}

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> Self {
        use BackupError as B;
        let code = match &e {
            B::WrongPassphrase
            | B::WrongRecoveryCode
            | B::WrongSecret(_)
            | B::WrongIdentity(_)
            | B::Cancelled(_) => EXIT_LOCKED,
            B::NoRecipient
            | B::BadRecipient { .. }
            | B::OutputExists(_)
            | B::NotAFile(_)
            | B::NeedsIdentity(_)
            | B::NeedsSecret(_)
            | B::BadIdentity(_)
            | B::NewPassphraseNeeded => EXIT_USAGE,
            _ => EXIT_DATA,
        };
        match e {
            B::Vault(v) => v.into(),
            B::Core(c) => (*c).into(),
            e => CliError {
                code,
                message: e.to_string(),
            },
        }
    }
}

/// Runs one command on the vault folder `dir`.
pub(super) fn run(cmd: Commands, dir: &Path, out: &mut impl Write) -> Result<(), CliError> {
    match cmd {
        Commands::Backup {
            out: file,
            to_recovery_code,
            to,
        } => backup_cmd(dir, &file, to_recovery_code, to, out),
        Commands::Restore { file, identity } => restore_cmd(dir, &file, identity, out),
    }
}

fn backup_cmd(
    dir: &Path,
    file: &Path,
    to_recovery_code: bool,
    to: Vec<String>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if !Vault::status(dir).exists {
        return Err(VaultError::NotFound(dir.into()).into());
    }
    let pass = input::passphrase()?;
    let seal = if to_recovery_code {
        Seal::RecoveryCode(input::recovery_code()?)
    } else if !to.is_empty() {
        Seal::Recipients {
            passphrase: Passphrase::new(pass.expose_secret().to_owned()),
            to,
        }
    } else {
        Seal::Passphrase(Passphrase::new(pass.expose_secret().to_owned()))
    };
    let vault = Vault::unlock_with(dir, &pass, &UnlockOptions::on_this_computer())?;
    notices::print(vault.unlock_report());
    let s = backup::write(&vault, &seal, file, &mut progress_line())?;
    end_progress_line();
    vault.close()?;
    writeln!(
        out,
        "Backup written to {} ({} bytes): {} records, {} history entries, {} evidence files.",
        file.display(),
        s.bytes,
        s.records,
        s.revisions,
        s.attachments
    )?;
    for u in &s.unreadable {
        writeln!(
            out,
            "WARNING: evidence file {} ({}) could not be read whole from the vault and is not in the backup; `vekil verify-vault` says more.",
            u.file_name, u.sha256
        )?;
    }
    let opens = match s.sealed_to {
        backup::SealedTo::Passphrase => "your passphrase",
        backup::SealedTo::RecoveryCode => "your recovery code",
        backup::SealedTo::Recipients => "the identity of one of its recipients",
    };
    writeln!(
        out,
        "It opens only with {opens}: `vekil restore {} --vault NEW-FOLDER`.",
        file.display()
    )?;
    Ok(())
}

fn restore_cmd(
    dir: &Path,
    file: &Path,
    identity: Option<PathBuf>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let needs = backup::probe(file)?;
    let (openers, new_pass) = match (needs, identity) {
        (Needs::Identity, Some(id)) => (
            vec![Opener::Identity(id)],
            Some(input::new_passphrase(false)?),
        ),
        (Needs::Identity, None) => return Err(BackupError::NeedsIdentity(file.into()).into()),
        (Needs::Secret, Some(_)) => return Err(BackupError::NeedsSecret(file.into()).into()),
        (Needs::Secret, None) => (
            input::backup_secrets()?
                .into_iter()
                .map(Opener::Secret)
                .collect(),
            None,
        ),
    };
    let opts = UnlockOptions::on_this_computer();
    let mut new_pass = new_pass;
    let mut result = Err(BackupError::WrongSecret(file.into()));
    for opener in &openers {
        result = backup::restore(
            file,
            dir,
            opener,
            new_pass.as_ref(),
            &opts,
            &mut progress_line(),
        );
        if matches!(result, Err(BackupError::NewPassphraseNeeded)) {
            end_progress_line();
            eprintln!("vekil: the backup was not sealed to a passphrase; choose one for the restored vault.");
            new_pass = Some(input::new_passphrase(false)?);
            result = backup::restore(
                file,
                dir,
                opener,
                new_pass.as_ref(),
                &opts,
                &mut progress_line(),
            );
        }
        if !matches!(result, Err(BackupError::WrongSecret(_))) {
            break;
        }
    }
    let restored = result?;
    end_progress_line();
    notices::print(restored.vault.unlock_report());
    let s = &restored.summary;
    restored.vault.close()?;
    writeln!(
        out,
        "Vault restored at {}: {} records, {} history entries, {} evidence files, as of the backup made {}.",
        dir.display(),
        s.records,
        s.revisions,
        s.attachments,
        s.backup_made_at
    )?;
    for u in &s.unreadable {
        writeln!(
            out,
            "WARNING: evidence file {} ({}) was already unreadable when the backup was made and is missing.",
            u.file_name, u.sha256
        )?;
    }
    if s.passphrase_kept {
        writeln!(
            out,
            "It opens with the passphrase the backup was sealed to.\n"
        )?;
    } else {
        writeln!(out, "It opens with the new passphrase you chose.\n")?;
    }
    writeln!(
        out,
        "New recovery code (shown only this once; write it on paper now):\n"
    )?;
    writeln!(out, "    {}\n", restored.recovery_code.expose_secret())?;
    writeln!(
        out,
        "The old recovery code does not open the restored vault. On this computer, the vault\n\
         the backup was made from is now reported as an older copy when it is opened."
    )?;
    Ok(())
}

/// A one-line progress report on stderr when it is a terminal.
fn progress_line() -> impl FnMut(Progress) {
    let tty = std::io::stderr().is_terminal();
    move |p: Progress| {
        if !tty {
            return;
        }
        let what = match p.phase {
            Phase::Sealing => "checking the secret",
            Phase::Records => "records",
            Phase::Attachments => "evidence files",
            Phase::Checking => "checking the history",
            Phase::Done => "done",
        };
        let pct = p.done.saturating_mul(100).checked_div(p.total).unwrap_or(0);
        eprint!("\r\x1b[2Kvekil: {what} {pct}%");
    }
}

fn end_progress_line() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}
