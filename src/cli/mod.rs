//! The `vekil` command-line tool, over the same library as the desktop app.
//!
//! Every failure ends here as one sentence on stderr and an exit code:
//! 0 ok, 1 usage error, 2 wrong passphrase or vault locked/in use,
//! 3 data error (invalid record, not found, damaged file). Nothing panics
//! on user input; `main` only calls [`run`].

mod backup;
pub mod export;
mod input;
mod notices;
mod output;
mod records;
mod signer;
mod travel;

pub use input::{take_secret_env, SECRET_VARS};

use crate::load;
use crate::model::{Case, EventTime, Kind, Record, Stored};
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
  VEKIL_NEW_PASSPHRASE_FILE   new passphrase for `passwd`, `recover`, `restore` (or VEKIL_NEW_PASSPHRASE)
  VEKIL_RECOVERY_CODE_FILE    recovery code for `recover`, `backup --to-recovery-code`, `restore` (or VEKIL_RECOVERY_CODE)
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
    /// Load records of every kind from one JSON file (or `-`), all or
    /// nothing: `{"clients": […], "incidents": […], …}`, or one record per
    /// line tagged with its kind (`{"incident": {…}}`). Links resolve
    /// whatever the order; ids are kept; loading twice adds nothing.
    Load {
        /// The file, or `-` for standard input (each record saved and
        /// acknowledged as it arrives).
        #[arg(value_name = "FILE|-")]
        file: String,
        /// A record whose id is already here is updated to the loaded
        /// content (its next revision, history kept).
        #[arg(long)]
        upsert: bool,
    },
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
    /// The vault's time zone, which draws every day boundary (lists,
    /// exports, agenda, stats by month); see docs/formats/dates.md.
    TimeZone {
        /// Choose this zone (an IANA name such as Asia/Baku).
        zone: Option<String>,
        /// Follow this computer's zone again.
        #[arg(long, conflicts_with = "zone")]
        computer: bool,
        /// List every zone name Vekil knows.
        #[arg(long, conflicts_with_all = ["zone", "computer"])]
        list: bool,
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
    #[command(flatten)]
    Backup(backup::Commands),
}

/// The commands every record kind has.
#[derive(Debug, Subcommand)]
enum RecordCmd<F: Form> {
    /// Add a record from flags, or from --json FILE|- (the export format's shape).
    Add {
        #[command(flatten)]
        fields: F,
        /// Read the record(s) from a JSON file, or `-` for standard input,
        /// in the shape `list --json` writes; a given `id` is kept, and a
        /// record already here unchanged is not added again. A file is
        /// saved all or nothing; from standard input each record is saved
        /// and its id printed as it arrives (JSON Lines).
        #[arg(long, value_name = "FILE|-", conflicts_with = "csv")]
        json: Option<String>,
        /// Read incidents from a CSV file with the columns `export --format
        /// csv` writes (incidents only; see docs/formats/incidents-csv.md).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        /// With --json or --csv: a record whose id is already here is
        /// updated to the loaded content (its next revision, history kept).
        #[arg(long)]
        upsert: bool,
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
    /// From the start of this day, month or year (or this moment), in the
    /// vault's time zone.
    #[arg(long, value_name = "WHEN")]
    from: Option<String>,
    /// Until the end of this day, month or year (or this moment), inclusive.
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
        let period = input::period(
            v,
            ("--from", self.from.as_deref()),
            ("--until", self.until.as_deref()),
        )?;
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
            from: period.from,
            to: period.to,
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
        Command::Backup(cmd) => backup::run(cmd, &dir, out)?,
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
        Command::Load { file, upsert } => load_cmd(&open(&dir)?, &file, mode(upsert), out)?,
        Command::Search(mut a) => {
            search_text_from_stdin(&mut a)?;
            search(&open(&dir)?, a, out)?
        }
        Command::Agenda { days, json } => {
            let v = open(&dir)?;
            let items = v.agenda(chrono::Utc::now(), days)?;
            timeline_out(&items, json, out)?;
        }
        Command::TimeZone { list: true, .. } => {
            for name in crate::dates::Zone::all_names() {
                writeln!(out, "{name}")?;
            }
        }
        Command::TimeZone {
            zone,
            computer,
            json,
            ..
        } => {
            let v = open(&dir)?;
            let setting = match (zone, computer) {
                (Some(z), _) => v.set_time_zone(Some(
                    crate::dates::Zone::named(&z).map_err(crate::Error::from)?,
                ))?,
                (None, true) => v.set_time_zone(None)?,
                (None, false) => v.time_zone_setting()?,
            };
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&setting).unwrap_or_default()
                )?;
            } else if setting.follows_computer {
                writeln!(
                    out,
                    "{} (this computer's; none chosen for the vault)",
                    setting.zone
                )?;
            } else {
                writeln!(
                    out,
                    "{} (chosen for the vault; this computer's is {})",
                    setting.zone, setting.computer
                )?;
            }
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
                    .map(|at| {
                        crate::dates::show(&EventTime {
                            at,
                            precision: e.precision,
                        })
                    })
                    .unwrap_or_else(|_| e.at.clone()),
                e.kind.to_string(),
                output::short_id(&e.id),
                e.title.to_string(),
                context(e.case_number.as_deref(), e.client.as_deref()),
                e.detail.clone(),
            ]
        })
        .collect();
    output::table(out, &["WHEN", "KIND", "ID", "WHAT", "OF", "DETAIL"], &rows)?;
    Ok(())
}

/// "case 1-123/2025, C-001": whose a timeline entry or search hit is.
fn context(case_number: Option<&str>, client: Option<&str>) -> String {
    let mut parts = vec![];
    if let Some(n) = case_number.filter(|n| !n.is_empty()) {
        parts.push(format!("case {n}"));
    }
    if let Some(c) = client.filter(|c| !c.is_empty()) {
        parts.push(c.to_owned());
    }
    parts.join(", ")
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

fn mode(upsert: bool) -> load::Mode {
    if upsert {
        load::Mode::Upsert
    } else {
        load::Mode::Add
    }
}

/// `e`, said of the input `src` (a file name; standard input needs none,
/// each record being reported as it arrives).
fn in_source(src: &str, e: crate::Error) -> CliError {
    let e = CliError::from(e);
    if src == "-" {
        return e;
    }
    CliError {
        message: format!("{src}: {}", e.message),
        ..e
    }
}

/// Prints what a load did: one id per record on stdout (scripts read
/// them), and the counts on stderr.
fn report(loaded: &[load::Loaded], with_kind: bool, out: &mut impl Write) -> Result<(), CliError> {
    report_ids(loaded, with_kind, out)?;
    summary(loaded);
    Ok(())
}

fn summary(loaded: &[load::Loaded]) {
    let (added, updated, unchanged) = load::tally(loaded);
    eprintln!("{added} added, {updated} updated, {unchanged} already here unchanged.");
}

/// Records from JSON (`add --json` gives `kind`; `load` reads it from the
/// input): a file all or nothing; standard input one record at a time,
/// each acknowledged by its id once it is durably saved, so that a stream
/// cut short can be resent from the first unacknowledged record (records
/// already saved are recognised by id and not added twice).
fn load_json(
    v: &Vault,
    src: &str,
    kind: Option<Kind>,
    mode: load::Mode,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let parse = |n: usize, value: Value| -> crate::Result<Vec<load::Item>> {
        let at = format!("record {n}");
        match kind {
            Some(kind) => {
                let record =
                    load::json::any_record(kind, value).map_err(|e| load::LoadError::at(&at, e))?;
                Ok(vec![load::Item { at, record }])
            }
            None => load::json::items(value, &at),
        }
    };
    if src == "-" {
        let mut all = Vec::new();
        input::json_records("-", |n, value| {
            let items = parse(n, value)?;
            let loaded = v.load(items, mode)?;
            report_ids(&loaded, kind.is_none(), out)?;
            out.flush()?;
            all.extend(loaded);
            Ok(())
        })?;
        summary(&all);
        return Ok(());
    }
    let mut items = Vec::new();
    input::json_records(src, |n, value| {
        items.extend(parse(n, value).map_err(|e| in_source(src, e))?);
        Ok(())
    })?;
    let loaded = v.load(items, mode).map_err(|e| in_source(src, e))?;
    report(&loaded, kind.is_none(), out)
}

fn report_ids(
    loaded: &[load::Loaded],
    with_kind: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    for l in loaded {
        if with_kind {
            writeln!(out, "{} {}", l.kind, l.id)?;
        } else {
            writeln!(out, "{}", l.id)?;
        }
    }
    Ok(())
}

fn load_cmd(v: &Vault, src: &str, mode: load::Mode, out: &mut impl Write) -> Result<(), CliError> {
    load_json(v, src, None, mode, out)
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
            csv,
            upsert,
            attach,
        } => {
            check_attach::<F::R>(&attach)?;
            if upsert && json.is_none() && csv.is_none() {
                return Err(CliError::usage(
                    "--upsert works only with --json or --csv, which give each record's id".into(),
                ));
            }
            if (json.is_some() || csv.is_some()) && !attach.is_empty() {
                return Err(CliError::usage(
                    "--attach works only when adding one record with flags".into(),
                ));
            }
            match (json, csv) {
                (Some(src), _) => load_json(&v, &src, Some(F::R::KIND), mode(upsert), out)?,
                (None, Some(path)) => load_csv::<F::R>(&v, &path, mode(upsert), out)?,
                (None, None) => {
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
                        let incoming = load::json::record::<F::R>(value)
                            .map_err(|e| in_source(&src, e.into()))?;
                        one = Some(incoming);
                        Ok(())
                    })?;
                    let incoming =
                        one.ok_or_else(|| CliError::data(format!("{src} holds no record")))?;
                    if let Some(other) = incoming.id.filter(|given| *given != id) {
                        return Err(CliError::data(format!(
                            "{src} is the record {other}, not {id}; edit that one, or leave `id` out"
                        )));
                    }
                    (incoming.data, incoming.revision.unwrap_or(current.revision))
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

/// `incident add --csv`: the export CSV's rows, loaded all or nothing.
fn load_csv<R: Record>(
    v: &Vault,
    path: &std::path::Path,
    mode: load::Mode,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if R::KIND != Kind::Incident {
        return Err(CliError::usage(
            "--csv works only with `vekil incident add`".into(),
        ));
    }
    let name = path.display().to_string();
    let bytes = input::csv_file(path)?;
    let loaded = v
        .load_incident_csv(&bytes, mode)
        .map_err(|e| in_source(&name, e))?;
    report(&loaded, false, out)
}

fn check_attach<R: Record>(attach: &[PathBuf]) -> Result<(), CliError> {
    if !attach.is_empty() && R::KIND != Kind::Evidence {
        return Err(CliError::usage(
            "--attach works only with `vekil evidence`".into(),
        ));
    }
    Ok(())
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
                h.title.english_with(|parts| mark(parts)),
                context(h.case_number.as_deref(), h.client.as_deref()),
                mark(&h.snippet),
            ]
        })
        .collect();
    output::table(out, &["KIND", "ID", "TITLE", "OF", "MATCH"], &rows)?;
    Ok(())
}
