//! CLI commands for exports and the NGO side: `export`, `recipient`,
//! `signing-key`, `keygen`, `verify`, `import`, `signer`, `stats` (the
//! last three's bodies live in `signer.rs`).
//!
//! The commands are a clap `Subcommand` enum ([`ExportCommand`]) that the
//! main CLI flattens into its own; [`run`] executes one given a way to
//! open the vault, so the passphrase handling stays in one place (the
//! main CLI's `input` module). Errors are one sentence on stderr; exit
//! codes: 0 ok, 1 usage, 2 wrong passphrase or locked vault, 3 data.

use crate::export::reid::{Hit, NameOf};
use crate::export::{
    self, AttachmentOutcome, AttachmentStatus, ExportError, ExportFormat, ExportRequest, HeldBack,
    Lang, MetadataHold, Phase, PreviewTitle, Profile, Progress,
};
use crate::import;
use crate::vault::VaultError;
use crate::Vault;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `vekil export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Redaction profile: full (own backup), ngo, public.
    #[arg(long, default_value = "full")]
    pub profile: Profile,
    /// Organisation from the address book (repeatable); consent is checked for each.
    #[arg(long = "to", value_name = "RECIPIENT")]
    pub to: Vec<String>,
    /// Incidents, hearings and deadlines from the start of this day, month
    /// or year (2025-03-01, 2025-03, 2025), in the vault's time zone.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// …until the end of this day, month or year, inclusive.
    #[arg(long = "to-date", value_name = "DATE")]
    pub to_date: Option<String>,
    /// Only this client's records (id or unique id prefix).
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    /// PDF of this one incident (id or prefix).
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Leave the PDF report out of a bundle.
    #[arg(long)]
    pub no_pdf: bool,
    /// Leave all attachments out (evidence notes are still exported).
    #[arg(long)]
    pub no_attachments: bool,
    /// List exactly which records and fields would leave; write nothing.
    #[arg(long)]
    pub preview: bool,
    /// Print the preview as JSON.
    #[arg(long)]
    pub json: bool,
    /// Let incidents still marked draft leave (held back otherwise).
    #[arg(long)]
    pub include_drafts: bool,
    /// Confirm every removed name found in text that leaves (review them
    /// with --preview first).
    #[arg(long)]
    pub accept_hits: bool,
    /// Language of the PDF report and the CSV's labels.
    #[arg(long, value_enum, default_value = "en")]
    pub lang: Lang,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub replace: bool,
    /// Output file.
    #[arg(long, value_name = "FILE", required_unless_present = "preview")]
    pub out: Option<PathBuf>,
}

/// `vekil recipient …`
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RecipientCommand {
    /// Add (or replace) an organisation and its age public key.
    Add {
        /// Organisation name, as used in incident consent.
        name: String,
        /// Its age X25519 public key (age1…).
        age_public_key: String,
    },
    /// List organisations with key fingerprints for out-of-band comparison.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove an organisation.
    Remove {
        /// Organisation name.
        name: String,
    },
}

/// The export and NGO-side commands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ExportCommand {
    /// Export records: json, csv, pdf, ics, huridocs, or an encrypted bundle.
    Export(ExportArgs),
    /// Manage the recipient address book.
    #[command(subcommand)]
    Recipient(RecipientCommand),
    /// Print this vault's signing public key (for `minisign -P` and `--signer`).
    SigningKey,
    /// Make an organisation's age identity; prints its public key.
    Keygen {
        /// Where to write the identity (created with mode 0600; never overwritten).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Decrypt and check a bundle without importing it: signed by a
    /// trusted signer (or by the key given with --signer), every file as
    /// its signed manifest lists it.
    Verify {
        /// The bundle.
        bundle: PathBuf,
        /// The organisation's age identity file.
        #[arg(long, value_name = "KEY")]
        identity: PathBuf,
        /// Check against this signing public key only (base64 line or .pub
        /// file), without the vault's trusted signers; it is not trusted
        /// or remembered.
        #[arg(long, value_name = "PUBKEY")]
        signer: Option<String>,
    },
    /// Verify a bundle from a trusted signer and merge it into this vault,
    /// all or nothing.
    Import {
        /// The bundle.
        bundle: PathBuf,
        /// The organisation's age identity file.
        #[arg(long, value_name = "KEY")]
        identity: PathBuf,
        /// Records imported before Vekil kept each record's sender, which
        /// this bundle updates or links to, become this signer's. Only when
        /// you know this signer sent them.
        #[arg(long)]
        adopt_unknown: bool,
    },
    /// Lawyers whose signed bundles this vault accepts.
    #[command(subcommand)]
    Signer(super::signer::SignerCommand),
    /// Incident statistics: counts by type, facility, facility type, authority,
    /// region and month; written refusals; median wait and time to first meeting
    /// (docs/formats/stats.md).
    Stats {
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A failed command: exit code and one sentence.
#[derive(Debug)]
pub struct Failure {
    /// 1 usage, 2 passphrase/locked, 3 data.
    pub code: i32,
    /// What to print.
    pub message: String,
}

impl Failure {
    fn usage(m: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: m.into(),
        }
    }
    fn data(m: impl std::fmt::Display) -> Self {
        Self {
            code: 3,
            message: m.to_string(),
        }
    }
}

/// Exit code for a core error.
pub fn code_of(e: &crate::Error) -> i32 {
    match e {
        crate::Error::Vault(
            VaultError::WrongPassphrase { .. }
            | VaultError::WrongRecoveryCode
            | VaultError::BackOff { .. }
            | VaultError::InUse(_),
        ) => 2,
        _ => 3,
    }
}

impl From<crate::Error> for Failure {
    fn from(e: crate::Error) -> Self {
        Self {
            code: code_of(&e),
            message: e.to_string(),
        }
    }
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Self {
        let code = match &e {
            ExportError::RecipientRequired(_)
            | ExportError::UnknownRecipient(_)
            | ExportError::Date(_) => 1,
            ExportError::Vault(inner) => code_of(inner),
            _ => 3,
        };
        let mut message = e.to_string();
        if let ExportError::NamesInText(hits) = &e {
            for h in hits {
                message.push_str(&format!("\n  {}", hit_text(h)));
            }
        }
        Self { code, message }
    }
}

/// One re-identification hit, in English, as the CLI prints it.
pub fn hit_text(h: &Hit) -> String {
    let whose = match h.name_of {
        NameOf::Client => "client",
        NameOf::Witness => "witness",
        NameOf::Contact => "contact",
        NameOf::Custodian => "custodian",
    };
    format!(
        "{} {} {}: \"{}[{}]{}\" ({whose} {})",
        h.kind, h.record_id, h.field, h.before, h.matched, h.after, h.name
    )
}

impl From<import::ImportError> for Failure {
    fn from(e: import::ImportError) -> Self {
        use import::ImportError as E;
        let code = match &e {
            E::Vault(inner) => code_of(inner),
            E::BadSignerKey(_)
            | E::BadSignerName(_)
            | E::KeyAlreadyTrusted { .. }
            | E::SignerNameTaken { .. }
            | E::UnknownSigner(_) => 1,
            _ => 3,
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

/// Whether the command needs the vault unlocked (`verify` does only to
/// read the trusted signers, so not with `--signer`).
pub fn needs_vault(cmd: &ExportCommand) -> bool {
    !matches!(
        cmd,
        ExportCommand::Keygen { .. }
            | ExportCommand::Verify {
                signer: Some(_),
                ..
            }
    )
}

/// A preview line's title in English, as the CLI prints it.
pub fn title_text(t: &PreviewTitle) -> String {
    match t {
        PreviewTitle::Client {
            full_name,
            pseudonym,
        } if !full_name.is_empty() => format!("{full_name} ({pseudonym})"),
        PreviewTitle::Client { pseudonym, .. } => pseudonym.clone(),
        PreviewTitle::Case { case_number, court } if court.is_empty() => {
            format!("Case {case_number}")
        }
        PreviewTitle::Case { case_number, court } => format!("Case {case_number} — {court}"),
        PreviewTitle::Incident {
            incident_type,
            facility,
        } => format!("{} — {facility}", incident_type.label()),
        PreviewTitle::Evidence { description, .. } => format!("Evidence: {description}"),
    }
}

/// Why a record is held back, in English, as the CLI prints it.
pub fn held_back_text(r: &HeldBack) -> String {
    match r {
        HeldBack::Restricted => {
            "marked restricted: leaves only in the lawyer's own full backup".into()
        }
        HeldBack::ConfidentialNotPublic => "marked confidential: not in public reports".into(),
        HeldBack::NoConsent { recipient } => {
            format!("no consent recorded to share with {recipient:?}")
        }
        HeldBack::Draft => "still a draft: mark it final, or export with --include-drafts".into(),
        HeldBack::NotLinkedToIncident => "not linked to an exported incident".into(),
        HeldBack::AttachmentsKeepMetadata { count } => format!(
            "{count} attachment(s) held back: their metadata (EXIF, GPS, document properties) \
             cannot be removed or proven absent, so they leave only in the full backup"
        ),
    }
}

/// Why one attachment stays in the vault, in English.
pub fn metadata_hold_text(h: &MetadataHold) -> String {
    match h {
        MetadataHold::CannotStrip { media_type } => {
            format!("Vekil cannot remove metadata from {media_type} files")
        }
        MetadataHold::Malformed { media_type } => {
            format!("damaged or not a well-formed {media_type} file, so it cannot be checked")
        }
        MetadataHold::TypeMismatch { stored, found } => {
            format!("recorded as {stored} but the content is {found}")
        }
        MetadataHold::PdfMetadata { found } => {
            format!("the PDF has document properties or metadata ({found})")
        }
        MetadataHold::RecordingMetadata { found } => {
            format!("the recording carries metadata or a part Vekil cannot check ({found})")
        }
        MetadataHold::Unreadable => {
            "the stored file is missing or damaged; run `vekil verify-vault`".into()
        }
        MetadataHold::TooLarge { media_type, size } => {
            format!("a {media_type} file of {size} bytes is too large to check")
        }
    }
}

/// One preview line for an attachment, in English.
pub fn attachment_text(a: &AttachmentStatus) -> String {
    let what = format!("{} ({}, {} bytes)", a.file_name, a.media_type, a.size);
    match &a.status {
        AttachmentOutcome::Stripped { size } => {
            format!("{what}: leaves stripped of its metadata ({size} bytes)")
        }
        AttachmentOutcome::AsIs => format!("{what}: leaves as is (no metadata found)"),
        AttachmentOutcome::HeldBack { reason } => {
            format!("{what}: held back: {}", metadata_hold_text(reason))
        }
    }
}

/// An export's progress as one line: what it is doing and how many of
/// its steps (records written, incidents laid out, attachments copied)
/// are done; none before the records are chosen and after the last.
fn progress_text(p: &Progress) -> Option<String> {
    let what = match p.phase {
        Phase::Log => "writing the records",
        Phase::Pdf => "laying out the PDF report",
        Phase::Attachments => "copying attachments",
        Phase::Selecting | Phase::Finishing | Phase::Done => return None,
    };
    let pct = (p.done * 100).checked_div(p.total).unwrap_or(0);
    Some(format!("{what}: {pct}% ({} of {} steps)", p.done, p.total))
}

fn print_preview(p: &export::Preview, json: bool) -> Result<(), Failure> {
    if json {
        let text = serde_json::to_string_pretty(p).map_err(Failure::data)?;
        println!("{text}");
        return Ok(());
    }
    println!(
        "Profile {}; for {}",
        p.profile,
        if p.recipients.is_empty() {
            "the lawyer's own use".to_string()
        } else {
            p.recipients.join(", ")
        }
    );
    println!("\n{} record(s) leave:", p.records.len());
    for r in &p.records {
        println!(
            "  {} {} (revision {}): {}",
            r.kind,
            r.id,
            r.revision,
            title_text(&r.title)
        );
        println!("      fields: {}", r.fields.join(", "));
        if !r.removed.is_empty() {
            println!("      removed: {}", r.removed.join(", "));
        }
        if !r.replaced.is_empty() {
            println!("      replaced: {}", r.replaced.join(", "));
        }
    }
    if !p.attachments.is_empty() {
        println!("\n{} attachment(s):", p.attachments.len());
        for a in &p.attachments {
            println!("  evidence {}: {}", a.evidence_id, attachment_text(a));
        }
    }
    println!("\n{} held back:", p.excluded.len());
    for e in &p.excluded {
        println!("  {} {}: {}", e.kind, e.id, held_back_text(&e.reason));
    }
    if !p.hits.is_empty() {
        println!(
            "\n{} removed name(s) found in text that would leave (edit the text, or confirm with --accept-hits):",
            p.hits.len()
        );
        for h in &p.hits {
            println!("  {}", hit_text(h));
        }
    }
    Ok(())
}

/// The request the flags describe.
fn request(a: &ExportArgs) -> ExportRequest {
    ExportRequest {
        recipients: a.to.clone(),
        from: a.from.clone(),
        to: a.to_date.clone(),
        client: a.client.clone(),
        incident: a.incident.clone(),
        without_pdf: a.no_pdf,
        without_attachments: a.no_attachments,
        include_drafts: a.include_drafts,
        accept_all_hits: a.accept_hits,
        lang: a.lang,
        ..ExportRequest::new(a.format, a.profile)
    }
}

fn run_export(vault: &Vault, a: &ExportArgs) -> Result<(), Failure> {
    let req = request(a);
    if a.preview {
        return print_preview(&export::request::preview(vault, &req)?, a.json);
    }
    let Some(out) = &a.out else {
        return Err(Failure::usage("name the output file with --out FILE"));
    };
    if a.format == ExportFormat::Bundle && a.to.is_empty() {
        return Err(Failure::usage(
            "a bundle is encrypted to organisations: name at least one with --to RECIPIENT",
        ));
    }
    // One line on a terminal, redrawn in place; nothing when piped.
    let terminal = std::io::stderr().is_terminal();
    let mut shown = false;
    let written = export::request::write(vault, &req, out, a.replace, &mut |p| {
        if !terminal {
            return;
        }
        if let Some(line) = progress_text(&p) {
            eprint!("\r\x1b[2K  {line}");
            shown = true;
        }
    });
    if shown {
        eprint!("\r\x1b[2K");
    }
    let done = written?;
    eprintln!(
        "exported {} incident(s), {} held back, profile {}",
        done.incidents, done.held_back, a.profile
    );
    for s in &done.skipped_attachments {
        eprintln!(
            "  held back: evidence {}: {}",
            s.id,
            held_back_text(&s.reason)
        );
    }
    if let Some(sha) = &done.manifest_sha256 {
        println!("manifest SHA-256 {sha}");
    }
    if let Some(k) = &done.signing_key_id {
        println!("signed with key {k}");
    }
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// Runs one command. `open` unlocks the vault (only called when needed).
pub fn run(
    cmd: &ExportCommand,
    open: &mut dyn FnMut() -> Result<Vault, Failure>,
) -> Result<(), Failure> {
    match cmd {
        ExportCommand::Keygen { out } => {
            let public = import::keygen(out)?;
            eprintln!(
                "wrote the identity to {} (keep it secret and backed up)",
                out.display()
            );
            println!("{public}");
            Ok(())
        }
        ExportCommand::Verify {
            bundle,
            identity,
            signer,
        } => super::signer::verify(bundle, identity, signer.as_deref(), open),
        ExportCommand::Export(a) => run_export(&open()?, a),
        ExportCommand::Recipient(r) => {
            let vault = open()?;
            match r {
                RecipientCommand::Add {
                    name,
                    age_public_key,
                } => {
                    let r = export::recipients::add(&vault, name, age_public_key)?;
                    println!("{}  fingerprint {}", r.name, r.fingerprint);
                }
                RecipientCommand::List { json } => {
                    let list = export::recipients::list(&vault)?;
                    if *json {
                        let text = serde_json::to_string_pretty(&list).map_err(Failure::data)?;
                        println!("{text}");
                    } else {
                        for r in list {
                            println!("{}\t{}\t{}", r.name, r.fingerprint, r.age_public_key);
                        }
                    }
                }
                RecipientCommand::Remove { name } => {
                    if !export::recipients::remove(&vault, name)? {
                        return Err(Failure::usage(format!("no recipient named {name:?}")));
                    }
                }
            }
            Ok(())
        }
        ExportCommand::SigningKey => {
            let vault = open()?;
            let k = export::signing::SigningKey::load_or_create(&vault)?;
            println!("untrusted comment: minisign public key {}", k.key_id());
            println!("{}", export::signing::public_key_line(&k.public));
            eprintln!(
                "fingerprint {} (read it to the organisation by phone or in person)",
                import::signers::fingerprint(&k.public)
            );
            Ok(())
        }
        ExportCommand::Import {
            bundle,
            identity,
            adopt_unknown,
        } => super::signer::import(bundle, identity, *adopt_unknown, open),
        ExportCommand::Signer(cmd) => super::signer::run(cmd, open),
        ExportCommand::Stats { json } => {
            let vault = open()?;
            let s = crate::stats::stats(&vault)?;
            if *json {
                let text = serde_json::to_string_pretty(&s).map_err(Failure::data)?;
                println!("{text}");
                return Ok(());
            }
            println!("Incidents: {} (months in {})", s.incidents, s.time_zone);
            for (title, m) in [
                ("By type", &s.by_type),
                ("By facility", &s.by_facility),
                ("By facility type", &s.by_facility_type),
                ("By authority", &s.by_authority),
                ("By region", &s.by_region),
                ("By month", &s.by_month),
            ] {
                println!("\n{title}:");
                for (k, n) in m {
                    let k = if k.is_empty() { "(not recorded)" } else { k };
                    println!("  {n:>6}  {k}");
                }
            }
            println!("\nWritten refusals: {}", s.written_refusals);
            let d = &s.delayed_access;
            match d.median_minutes_waited {
                Some(m) => println!(
                    "Median minutes waited for delayed access: {m} (over {} of {} incident(s))",
                    d.measured, d.incidents
                ),
                None => println!("Median minutes waited for delayed access: not enough data"),
            }
            let f = &s.first_meeting;
            match f.median_hours {
                Some(h) => println!(
                    "Median hours from arrest to first meeting: {h} (over {} client(s))",
                    f.clients_measured
                ),
                None => println!("Median hours from arrest to first meeting: not enough data"),
            }
            Ok(())
        }
    }
}

impl From<super::CliError> for Failure {
    fn from(e: super::CliError) -> Self {
        Self {
            code: e.code,
            message: e.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EvidenceKind, IncidentType};

    #[test]
    fn codes_are_printed_in_english() {
        assert_eq!(
            held_back_text(&HeldBack::NoConsent {
                recipient: "ngo".into()
            }),
            "no consent recorded to share with \"ngo\""
        );
        assert!(
            held_back_text(&HeldBack::AttachmentsKeepMetadata { count: 2 })
                .starts_with("2 attachment(s) held back")
        );
        assert_eq!(
            title_text(&PreviewTitle::Incident {
                incident_type: IncidentType::AccessDenied,
                facility: "Bakı".into()
            }),
            "Access denied — Bakı"
        );
        assert_eq!(
            title_text(&PreviewTitle::Client {
                full_name: String::new(),
                pseudonym: "C-1".into()
            }),
            "C-1"
        );
        assert_eq!(
            title_text(&PreviewTitle::Evidence {
                evidence_kind: EvidenceKind::Photo,
                description: "Bruise".into()
            }),
            "Evidence: Bruise"
        );
    }

    #[test]
    fn attachment_lines_say_what_leaves() {
        let a = |status| AttachmentStatus {
            evidence_id: uuid::Uuid::nil(),
            index: 0,
            file_name: "Şəkil.jpg".into(),
            media_type: "image/jpeg".into(),
            size: 2048,
            status,
        };
        assert_eq!(
            attachment_text(&a(AttachmentOutcome::Stripped { size: 1024 })),
            "Şəkil.jpg (image/jpeg, 2048 bytes): leaves stripped of its metadata (1024 bytes)"
        );
        assert!(attachment_text(&a(AttachmentOutcome::AsIs))
            .ends_with("leaves as is (no metadata found)"));
        assert!(attachment_text(&a(AttachmentOutcome::HeldBack {
            reason: MetadataHold::RecordingMetadata {
                found: "udta".into()
            }
        }))
        .ends_with(
            "held back: the recording carries metadata or a part Vekil cannot check (udta)"
        ));
    }

    #[test]
    fn progress_counts_steps_and_is_silent_outside_the_work() {
        let p = |phase, done| Progress {
            phase,
            done,
            total: 20_000,
        };
        assert_eq!(
            progress_text(&p(Phase::Log, 5_000)).as_deref(),
            Some("writing the records: 25% (5000 of 20000 steps)")
        );
        assert!(progress_text(&p(Phase::Selecting, 0)).is_none());
        assert!(progress_text(&p(Phase::Done, 20_000)).is_none());
        let none = Progress {
            phase: Phase::Log,
            done: 0,
            total: 0,
        };
        assert_eq!(
            progress_text(&none).as_deref(),
            Some("writing the records: 0% (0 of 0 steps)")
        );
    }
}
