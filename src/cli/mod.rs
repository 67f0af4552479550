//! The `vekil` command-line tool, over the same library as the desktop app.
//!
//! Every failure ends here as one sentence on stderr and an exit code:
//! 0 ok, 1 usage error, 2 wrong passphrase or vault locked/in use,
//! 3 data error (invalid record, not found, damaged file). Nothing panics
//! on user input; `main` only calls [`run`].

pub mod export;
mod input;
mod notices;
mod output;
mod records;
mod signer;
mod travel;

pub use input::{take_secret_env, SECRET_VARS};

use crate::model::{Case, Kind, Record, Stored};
use crate::search::SearchQuery;
use crate::store::ListFilter;
use crate::vault::{default_vault_dir, UnlockOptions, Vault, VaultError};
use clap::{Args, Parser, Subcommand};
use records::{Columns, Form};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the command line was wrong.
pub const EXIT_USAGE: i32 = 1;
/// Exit code: wrong passphrase or recovery code, back-off, or vault in use.
pub const EXIT_LOCKED: i32 = 2;
/// Exit code: invalid data, missing record, damaged file.
pub const EXIT_DATA: i32 = 3;

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    code: i32,
    message: String,
}

impl CliError {
    fn usage(message: String) -> Self {
        Self {
            code: EXIT_USAGE,
            message,
        }
    }
    fn data(message: String) -> Self {
        Self {
            code: EXIT_DATA,
            message,
        }
    }
}

impl From<crate::Error> for CliError {
    fn from(e: crate::Error) -> Self {
        use crate::Error as E;
        let code = match &e {
            E::Vault(
                VaultError::WrongPassphrase { .. }
                | VaultError::WrongPassphraseUncounted
                | VaultError::WrongRecoveryCode
                | VaultError::BackOff { .. }
                | VaultError::Sealed
                | VaultError::Wiped { .. }
                | VaultError::InUse(_)
                | VaultError::ReadOnly(_),
            ) => EXIT_LOCKED,
            _ => EXIT_DATA,
        };
        let mut message = e.to_string();
        if let E::Vault(VaultError::NotFound(dir)) = &e {
            message = format!(
                "no vault found at {}; create one with `vekil init` or point --vault at it",
                dir.display()
            );
        }
        Self { code, message }
    }
}

impl From<VaultError> for CliError {
    fn from(e: VaultError) -> Self {
        crate::Error::from(e).into()
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::data(format!("cannot write output: {e}"))
    }
}

const ENV_HELP: &str = "\
Environment:
  VEKIL_VAULT                 vault directory (default: the desktop app's, ~/.local/share/vekil/vault)
  VEKIL_PASSPHRASE_FILE       file holding the passphrase, for scripts (preferred)
  VEKIL_PASSPHRASE            the passphrase itself, for scripts
  VEKIL_NEW_PASSPHRASE_FILE   new passphrase for `passwd` and `recover` (or VEKIL_NEW_PASSPHRASE)
  VEKIL_RECOVERY_CODE_FILE    recovery code for `recover` (or VEKIL_RECOVERY_CODE)
Without them, secrets are asked for on the terminal. They are never taken as arguments.

Case text in flags (names, notes, reasons, search words) is kept by shell history
and shown by `ps`: give `-` instead (e.g. --notes -) to read the value from
standard input. One such value per command.

Exit codes: 0 ok, 1 usage error, 2 wrong passphrase, vault locked or sealed for travel, 3 data error.";

/// Vekil: an offline, encrypted case file for defense lawyers.
#[derive(Debug, Parser)]
#[command(name = "vekil", version, after_long_help = ENV_HELP, after_help = ENV_HELP)]
pub struct Cli {
    /// The vault directory.
    #[arg(
        long,
        global = true,
        env = "VEKIL_VAULT",
        value_name = "DIR",
        hide_env = true
    )]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new vault; prints the recovery code once.
    Init,
    /// Change the passphrase (the data is not re-encrypted).
    Passwd,
    /// Set a new passphrase using the recovery code.
    Recover,
    /// Clients.
    #[command(subcommand)]
    Client(RecordCmd<records::ClientFields>),
    /// Cases.
    #[command(subcommand)]
    Case(RecordCmd<records::CaseFields>),
    /// Court hearings.
    #[command(subcommand)]
    Hearing(RecordCmd<records::HearingFields>),
    /// Procedural deadlines.
    #[command(subcommand)]
    Deadline(RecordCmd<records::DeadlineFields>),
    /// Denied-access incidents.
    #[command(subcommand)]
    Incident(RecordCmd<records::IncidentFields>),
    /// Evidence notes and their encrypted attachments.
    #[command(subcommand)]
    Evidence(RecordCmd<records::EvidenceFields>),
    /// The facility register: each place clients are held, with the other spellings documents use.
    #[command(subcommand)]
    Facility(FacilityCmd),
    /// Full-text search over names, facilities, officials, reasons and notes.
    Search(SearchArgs),
    /// Hearings and open deadlines of the coming days, across all cases.
    Agenda {
        /// How many days ahead.
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A case's hearings, incidents, deadlines and evidence in date order.
    Timeline {
        /// The case (id or id prefix).
        case: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the vault: encryption, structure, history chain, attachment hashes.
    VerifyVault {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Exports(export::ExportCommand),
    #[command(flatten)]
    Travel(travel::Commands),
}

/// The commands every record kind has.
#[derive(Debug, Subcommand)]
enum RecordCmd<F: Form> {
    /// Add a record from flags, or from --json FILE|- (the export format's shape).
    Add {
        #[command(flatten)]
        fields: F,
        /// Read the record(s) from a JSON file, or `-` for standard input. A
        /// file is saved all or nothing; from standard input each record is
        /// saved and its id printed as it arrives (JSON Lines).
        #[arg(long, value_name = "FILE|-")]
        json: Option<String>,
        /// Attach a file (evidence only; repeatable).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
    },
    /// List records, newest first.
    List {
        #[command(flatten)]
        filter: ListArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one record.
    Show {
        /// Id or id prefix (clients: also the pseudonym).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change a record: the flags given, or the whole record with --json.
    Edit {
        /// Id or id prefix.
        id: String,
        #[command(flatten)]
        fields: F,
        /// Replace the record with this JSON (FILE or -).
        #[arg(long, value_name = "FILE|-")]
        json: Option<String>,
        /// Attach a file (evidence only; repeatable).
        #[arg(long = "attach", value_name = "FILE")]
        attach: Vec<PathBuf>,
    },
    /// Delete a record nothing refers to (its history is kept).
    Delete {
        /// Id or id prefix.
        id: String,
    },
    /// The record's change history.
    History {
        /// Id or id prefix.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `vekil facility`: the commands every kind has, and merging.
#[derive(Debug, Subcommand)]
enum FacilityCmd {
    #[command(flatten)]
    Record(RecordCmd<records::FacilityFields>),
    /// Merge two entries for one place: FROM's incidents move to INTO (each
    /// with a revision), FROM's name and spellings become INTO's spellings,
    /// and FROM is deleted (its history is kept).
    Merge {
        /// The entry to merge away (id, id prefix, name or spelling).
        from: String,
        /// The entry to keep (id, id prefix, name or spelling).
        into: String,
    },
}

/// Which records a list or search covers; shared by both.
#[derive(Debug, Args)]
struct ScopeArgs {
    /// Only this client's records (id, prefix or pseudonym).
    #[arg(long, value_name = "CLIENT")]
    client: Option<String>,
    /// Only this case's records.
    #[arg(long, value_name = "CASE")]
    case: Option<String>,
    /// Only at this facility (incidents): a register entry's id, name or any other spelling.
    #[arg(long = "at-facility", value_name = "NAME")]
    facility: Option<String>,
    /// From this date.
    #[arg(long, value_name = "WHEN")]
    from: Option<String>,
    /// Until this date.
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
}

/// [`ScopeArgs`] with names resolved to ids and dates parsed.
struct Scope {
    client_id: Option<uuid::Uuid>,
    case_id: Option<uuid::Uuid>,
    facility: Option<String>,
    from: Option<chrono::DateTime<chrono::FixedOffset>>,
    to: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl ScopeArgs {
    fn resolve(self, v: &Vault) -> Result<Scope, CliError> {
        Ok(Scope {
            client_id: self
                .client
                .as_deref()
                .map(|c| records::client_ref(v, c))
                .transpose()?,
            case_id: self
                .case
                .as_deref()
                .map(|c| v.resolve::<Case>(c))
                .transpose()?,
            facility: self.facility,
            from: when_opt("from", &self.from)?,
            to: when_opt("until", &self.until)?,
        })
    }
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    scope: ScopeArgs,
    /// Only this type (incident type, hearing kind…).
    #[arg(long = "of-type", value_name = "TYPE")]
    subtype: Option<String>,
    /// Only this status (draft/final, open/done).
    #[arg(long = "with-status", value_name = "STATUS")]
    status: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 500)]
    limit: u32,
    /// Oldest first.
    #[arg(long)]
    oldest_first: bool,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// Words to find (prefixes match: "Ibrahim" finds "Ibrahimov").
    query: String,
    /// Only these kinds (repeatable): client, case, hearing, deadline, incident, evidence.
    #[arg(long = "kind", value_name = "KIND")]
    kinds: Vec<String>,
    #[command(flatten)]
    scope: ScopeArgs,
    /// Only incidents of this type.
    #[arg(long = "of-type", value_name = "TYPE")]
    incident_type: Option<String>,
    /// At most this many hits.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Parses arguments, runs the command, prints any error; returns the exit code.
pub fn run() -> i32 {
    // First, while the process has one thread: no core dumps, no ptrace by
    // other processes of the user, and the secrets out of the environment.
    if let Err(e) = crate::process::harden() {
        eprintln!("vekil: warning: {e}");
    }
    take_secret_env();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match execute(cli) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("vekil: {}", e.message);
            e.code
        }
    }
}

/// Unlocks the vault the way the desktop app does (this computer's record
/// of the vaults it opened included) and says on stderr what the unlock
/// found.
fn open(dir: &std::path::Path) -> Result<Vault, CliError> {
    if !Vault::status(dir).exists {
        return Err(VaultError::NotFound(dir.into()).into());
    }
    let v = Vault::unlock_with(
        dir,
        &input::passphrase()?,
        &UnlockOptions::on_this_computer(),
    )?;
    notices::print(v.unlock_report());
    Ok(v)
}

fn execute(cli: Cli) -> Result<(), CliError> {
    let Cli { vault, command } = cli;
    let dir = vault.or_else(default_vault_dir);
    let need_dir = || {
        dir.clone().ok_or_else(|| {
            CliError::usage("no vault directory: pass --vault DIR or set VEKIL_VAULT".into())
        })
    };
    match command {
        // Some of these (keygen, verify) need no vault: open it only on demand.
        Command::Exports(cmd) => {
            let mut open_vault = || {
                need_dir()
                    .and_then(|d| open(&d))
                    .map_err(|e| export::Failure {
                        code: e.code,
                        message: e.message,
                    })
            };
            export::run(&cmd, &mut open_vault).map_err(|f| CliError {
                code: f.code,
                message: f.message,
            })
        }
        Command::Travel(cmd) => travel::run(cmd, dir, &mut std::io::stdout().lock()),
        other => execute_on(&need_dir()?, other),
    }
}

fn execute_on(dir: &std::path::Path, command: Command) -> Result<(), CliError> {
    let dir = dir.to_path_buf();
    let out = &mut std::io::stdout().lock();
    match command {
        Command::Init => {
            let pass = input::new_passphrase(true)?;
            let (vault, code) = Vault::create(&dir, &pass)?;
            vault.close()?;
            writeln!(out, "Vault created at {}.\n", dir.display())?;
            writeln!(
                out,
                "Recovery code (shown only this once; write it on paper now):\n"
            )?;
            writeln!(out, "    {}\n", code.expose_secret())?;
            writeln!(
                out,
                "Keep it away from this laptop. With it you can set a new passphrase"
            )?;
            writeln!(
                out,
                "if you forget yours (`vekil recover`). Without both, the data is gone."
            )?;
        }
        Command::Passwd => {
            let vault = open(&dir)?;
            let current = input::passphrase()?;
            let new = input::new_passphrase(false)?;
            vault.change_passphrase(&current, &new)?;
            writeln!(out, "Passphrase changed.")?;
        }
        Command::Recover => {
            let code = input::recovery_code()?;
            let new = input::new_passphrase(false)?;
            let v = Vault::recover_with(&dir, &code, &new, &UnlockOptions::on_this_computer())?;
            notices::print(v.unlock_report());
            writeln!(out, "New passphrase set. The recovery code stays the same.")?;
        }
        Command::Client(c) => record_cmd(&dir, c, out)?,
        Command::Case(c) => record_cmd(&dir, c, out)?,
        Command::Hearing(c) => record_cmd(&dir, c, out)?,
        Command::Deadline(c) => record_cmd(&dir, c, out)?,
        Command::Incident(c) => record_cmd(&dir, c, out)?,
        Command::Evidence(c) => record_cmd(&dir, c, out)?,
        Command::Facility(FacilityCmd::Record(c)) => record_cmd(&dir, c, out)?,
        Command::Facility(FacilityCmd::Merge { from, into }) => {
            // Either name may be `-`, read from standard input.
            let (mut from, mut into) = (Some(from), Some(into));
            input::fill_from_stdin(
                vec![
                    input::TextSlot::One("FROM", &mut from),
                    input::TextSlot::One("INTO", &mut into),
                ],
                false,
            )?;
            let v = open(&dir)?;
            let from = v.resolve_facility(from.as_deref().unwrap_or_default())?;
            let into = v.resolve_facility(into.as_deref().unwrap_or_default())?;
            let m = v.merge_facilities(from, into)?;
            writeln!(
                out,
                "Merged {from} into {into} ({}): {} incident(s) moved; {from} is deleted, its history is kept.",
                m.into.data.name, m.relinked
            )?;
        }
        Command::Search(mut a) => {
            search_text_from_stdin(&mut a)?;
            search(&open(&dir)?, a, out)?
        }
        Command::Agenda { days, json } => {
            let v = open(&dir)?;
            let items = v.agenda(chrono::Local::now().fixed_offset(), days)?;
            timeline_out(&items, json, out)?;
        }
        Command::Timeline { case, json } => {
            let v = open(&dir)?;
            let id = v.resolve::<Case>(&case)?;
            timeline_out(&v.case_timeline(id)?, json, out)?;
        }
        Command::Exports(_) | Command::Travel(_) => {
            return Err(CliError::usage("unexpected command".into()))
        }
        Command::VerifyVault { json } => {
            let v = open(&dir)?;
            let r = v.verify()?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&r).unwrap_or_default()
                )?;
            } else {
                writeln!(
                    out,
                    "Checked {} records, {} history entries, {} attachments.",
                    r.records, r.revisions, r.attachments
                )?;
                for p in &r.problems {
                    writeln!(out, "PROBLEM: {p}")?;
                }
                if r.is_ok() {
                    writeln!(out, "The vault is intact.")?;
                }
            }
            if !r.is_ok() {
                return Err(CliError::data(format!(
                    "the vault failed verification ({} problem(s) listed above)",
                    r.problems.len()
                )));
            }
        }
    }
    Ok(())
}

fn timeline_out(
    items: &[crate::timeline::TimelineEntry],
    json: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(items).unwrap_or_default()
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|e| {
            vec![
                chrono::DateTime::parse_from_rfc3339(&e.at)
                    .map(|d| output::moment(&d))
                    .unwrap_or_else(|_| e.at.clone()),
                e.kind.to_string(),
                output::short_id(&e.id),
                e.title.clone(),
                e.detail.clone(),
            ]
        })
        .collect();
    output::table(out, &["WHEN", "KIND", "ID", "WHAT", "DETAIL"], &rows)?;
    Ok(())
}

fn resolve<T: Record>(v: &Vault, s: &str) -> Result<uuid::Uuid, CliError> {
    if T::KIND == Kind::Client {
        return records::client_ref(v, s);
    }
    if T::KIND == Kind::Facility {
        return Ok(v.resolve_facility(s)?);
    }
    Ok(v.resolve::<T>(s)?)
}

/// Parses one JSON value as a `T`, naming the field at fault.
fn parse_record<T: Record>(mut value: Value) -> Result<(T, Option<u32>), CliError> {
    let rev = input::strip_envelope(&mut value);
    let rec: T = serde_json::from_value(value)
        .map_err(|e| CliError::from(crate::Error::Invalid(input::record_error(e))))?;
    Ok((rec, rev))
}

/// Reads the search words (or the facility filter) from standard input
/// when given as `-`.
fn search_text_from_stdin(a: &mut SearchArgs) -> Result<(), CliError> {
    if a.query == "-" {
        if a.scope.facility.as_deref() == Some("-") {
            return Err(CliError::usage(
                "only one value can be read from standard input, but the search words and --at-facility both say `-`".into(),
            ));
        }
        a.query = input::read_stdin_value("the search words")?;
        return Ok(());
    }
    input::fill_from_stdin(
        vec![input::TextSlot::One("at-facility", &mut a.scope.facility)],
        false,
    )
}

fn record_cmd<F: Form>(
    dir: &std::path::Path,
    mut cmd: RecordCmd<F>,
    out: &mut impl Write,
) -> Result<(), CliError>
where
    F::R: Columns,
{
    // Case text given as `-` is read before the vault is opened.
    match &mut cmd {
        RecordCmd::Add { fields, json, .. } | RecordCmd::Edit { fields, json, .. } => {
            input::fill_from_stdin(fields.text_slots(), json.as_deref() == Some("-"))?;
        }
        RecordCmd::List { filter, .. } => input::fill_from_stdin(
            vec![input::TextSlot::One(
                "at-facility",
                &mut filter.scope.facility,
            )],
            false,
        )?,
        _ => {}
    }
    let v = open(dir)?;
    match cmd {
        RecordCmd::Add {
            fields,
            json,
            attach,
        } => {
            check_attach::<F::R>(&attach)?;
            match json {
                Some(src) if src == "-" => {
                    // Streamed: each record its own transaction, acknowledged
                    // by printing its id only once it is durably saved.
                    input::json_records("-", |n, value| {
                        let (rec, _) = parse_record::<F::R>(value).map_err(|e| CliError {
                            message: format!("record {n}: {}", e.message),
                            ..e
                        })?;
                        let s = v.insert(rec).map_err(|e| {
                            let e = CliError::from(e);
                            CliError {
                                message: format!("record {n}: {}", e.message),
                                ..e
                            }
                        })?;
                        writeln!(out, "{}", s.id)?;
                        out.flush()?;
                        Ok(())
                    })?;
                }
                Some(src) => {
                    let mut recs = Vec::new();
                    input::json_records(&src, |n, value| {
                        let (rec, _) = parse_record::<F::R>(value).map_err(|e| CliError {
                            message: format!("{src}, record {n}: {}", e.message),
                            ..e
                        })?;
                        recs.push(rec);
                        Ok(())
                    })?;
                    let ids = v.write(|w| {
                        recs.into_iter()
                            .map(|r| w.insert(r).map(|s| s.id))
                            .collect::<crate::Result<Vec<_>>>()
                    })?;
                    for id in ids {
                        writeln!(out, "{id}")?;
                    }
                }
                None => {
                    let rec = fields.build(&v)?;
                    let s = v.insert(rec)?;
                    for path in &attach {
                        let a = v.attach_file(s.id, path)?;
                        eprintln!("attached {} (SHA-256 {})", a.file_name, a.sha256);
                    }
                    writeln!(out, "{}", s.id)?;
                }
            }
        }
        RecordCmd::List { filter, json } => {
            let f = list_filter(&v, filter)?;
            let items = v.list::<F::R>(&f)?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&items).unwrap_or_default()
                )?;
            } else {
                let rows: Vec<_> = items.iter().map(F::R::row).collect();
                output::table(out, F::R::HEADER, &rows)?;
            }
        }
        RecordCmd::Show { id, json } => {
            let s: Stored<F::R> = v.get(resolve::<F::R>(&v, &id)?)?;
            let mut value = serde_json::to_value(&s).unwrap_or_default();
            if let (Some(d), Some(obj)) = (F::R::derived(&s, &v), value.as_object_mut()) {
                obj.insert("derived".into(), d);
            }
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                )?;
            } else {
                output::fields(out, &value)?;
            }
        }
        RecordCmd::Edit {
            id,
            fields,
            json,
            attach,
        } => {
            check_attach::<F::R>(&attach)?;
            let id = resolve::<F::R>(&v, &id)?;
            let current: Stored<F::R> = v.get(id)?;
            let (data, expected) = match json {
                Some(src) => {
                    let mut one = None;
                    input::json_records(&src, |n, value| {
                        if n > 1 {
                            return Err(CliError::data(format!(
                                "{src} holds more than one record"
                            )));
                        }
                        one = Some(parse_record::<F::R>(value)?);
                        Ok(())
                    })?;
                    let (rec, rev) =
                        one.ok_or_else(|| CliError::data(format!("{src} holds no record")))?;
                    (rec, rev.unwrap_or(current.revision))
                }
                None => {
                    let mut data = current.data.clone();
                    fields.apply(&v, &mut data)?;
                    (data, current.revision)
                }
            };
            let s = v.update(id, expected, data)?;
            for path in &attach {
                let a = v.attach_file(s.id, path)?;
                eprintln!("attached {} (SHA-256 {})", a.file_name, a.sha256);
            }
            writeln!(out, "{} revision {}", s.id, v.get::<F::R>(id)?.revision)?;
        }
        RecordCmd::Delete { id } => {
            let id = resolve::<F::R>(&v, &id)?;
            v.delete::<F::R>(id)?;
            writeln!(out, "Deleted {id}; its history is kept.")?;
        }
        RecordCmd::History { id, json } => {
            let id = resolve::<F::R>(&v, &id)?;
            let h = v.history(F::R::KIND, id)?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&h).unwrap_or_default()
                )?;
            } else {
                let rows: Vec<_> = h
                    .iter()
                    .map(|r| {
                        let fields: Vec<&String> = r
                            .changes
                            .as_object()
                            .map(|m| m.keys().collect())
                            .unwrap_or_default();
                        vec![
                            r.seq.to_string(),
                            r.at.clone(),
                            r.op.clone(),
                            r.record_revision.to_string(),
                            fields
                                .iter()
                                .map(|s| s.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        ]
                    })
                    .collect();
                output::table(
                    out,
                    &["#", "WHEN (UTC)", "CHANGE", "REVISION", "FIELDS"],
                    &rows,
                )?;
            }
        }
    }
    Ok(())
}

fn check_attach<R: Record>(attach: &[PathBuf]) -> Result<(), CliError> {
    if !attach.is_empty() && R::KIND != Kind::Evidence {
        return Err(CliError::usage(
            "--attach works only with `vekil evidence`".into(),
        ));
    }
    Ok(())
}

fn when_opt(
    field: &str,
    s: &Option<String>,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, CliError> {
    s.as_deref()
        .map(|s| input::when(field, s).map(|e| e.at))
        .transpose()
        .map_err(|e| crate::Error::Invalid(e).into())
}

fn list_filter(v: &Vault, a: ListArgs) -> Result<ListFilter, CliError> {
    let s = a.scope.resolve(v)?;
    Ok(ListFilter {
        client_id: s.client_id,
        case_id: s.case_id,
        facility: s.facility,
        subtype: a.subtype,
        status: a.status,
        from: s.from,
        to: s.to,
        oldest_first: a.oldest_first,
        limit: Some(a.limit),
        offset: None,
    })
}

fn search(v: &Vault, a: SearchArgs, out: &mut impl Write) -> Result<(), CliError> {
    let kinds = a
        .kinds
        .iter()
        .map(|k| {
            input::choice::<Kind>("kind", k).map_err(|e| CliError::from(crate::Error::Invalid(e)))
        })
        .collect::<Result<_, _>>()?;
    let s = a.scope.resolve(v)?;
    let q = SearchQuery {
        text: a.query,
        kinds,
        client_id: s.client_id,
        case_id: s.case_id,
        facility: s.facility,
        incident_type: a.incident_type,
        from: s.from,
        to: s.to,
        limit: Some(a.limit),
    };
    let hits = v.search(&q)?;
    if a.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&hits).unwrap_or_default()
        )?;
        return Ok(());
    }
    let mark = |parts: &[crate::search::SnippetPart]| {
        parts
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect::<String>()
    };
    let rows: Vec<_> = hits
        .iter()
        .map(|h| {
            vec![
                h.kind.to_string(),
                output::short_id(&h.id),
                mark(&h.title),
                mark(&h.snippet),
            ]
        })
        .collect();
    output::table(out, &["KIND", "ID", "TITLE", "MATCH"], &rows)?;
    Ok(())
}
