//! What an unlock found, in English on stderr: the CLI's wording of the
//! core's [`UnlockReport`] codes (the desktop app words the same codes in
//! the lawyer's language).

use crate::vault::{UnlockNotice, UnlockReport};

/// Prints the report's read-only reason and notices, one sentence each,
/// and where the vault last changed when that was another computer.
pub(super) fn print(report: &UnlockReport) {
    for line in lines(report) {
        eprintln!("vekil: {line}");
    }
}

/// The lines [`print`] writes, without the `vekil: ` prefix.
pub(super) fn lines(report: &UnlockReport) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = &report.read_only {
        out.push(format!("note: {reason}."));
    }
    for n in &report.notices {
        let prefix = if n.is_warning() { "warning" } else { "note" };
        out.push(format!("{prefix}: {}.", sentence(n)));
    }
    if let Some(last) = report
        .last_change
        .as_ref()
        .filter(|l| l.on_another_computer)
    {
        if let Some(name) = last.device_name.as_deref() {
            out.push(format!(
                "note: the vault last changed on the computer \"{name}\"{}.",
                last.at
                    .as_deref()
                    .map(|at| format!(" at {} (UTC)", short_time(at)))
                    .unwrap_or_default()
            ));
        }
    }
    out
}

/// `2025-03-14T06:30:00.123Z` as `2025-03-14 06:30`.
fn short_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

fn sentence(n: &UnlockNotice) -> String {
    match n {
        UnlockNotice::HeaderAltered { fields, restored } => {
            let what = if fields.is_empty() {
                String::new()
            } else {
                format!(" ({})", fields.join(", "))
            };
            let done = if *restored {
                "Vekil put it back from the copy inside the encrypted vault"
            } else {
                "run `vekil verify-vault` and compare it with a backup"
            };
            format!(
                "vault.json was changed outside Vekil{what}; if you did not do this, someone \
                 may have had access to this computer: {done}, and keep the computer away \
                 from others until you have checked it"
            )
        }
        UnlockNotice::FailedUnlocks { count, last_at } => format!(
            "{count} wrong passphrase(s) or recovery code(s) were typed for this vault since \
             it was last unlocked{}; if that was not you, someone tried to open it",
            last_at
                .as_deref()
                .map(|t| format!(" (the last at {} UTC)", short_time(t)))
                .unwrap_or_default()
        ),
        UnlockNotice::FailureCounterLowered { sealed, found } => format!(
            "the count of wrong passphrases in vault.json was lowered outside Vekil (it was \
             {sealed}, it is {found}): someone with access to this computer tried to hide \
             attempts to open the vault"
        ),
        UnlockNotice::OlderThanSeen {
            seen_counter,
            seen_at,
            vault_counter,
        } => format!(
            "this vault is older than the one last opened on this computer (it holds \
             {vault_counter} change(s); this computer saw {seen_counter}{}): an older copy \
             was put in its place; if you did not restore a backup, keep this folder as it \
             is and check your other copies",
            seen_at
                .as_deref()
                .map(|t| format!(", the last on {} UTC", short_time(t)))
                .unwrap_or_default()
        ),
        UnlockNotice::DivergedFromSeen { at_entry } => format!(
            "this vault's history splits from the copy last opened on this computer at entry \
             {at_entry}: it is another copy that was changed separately; make sure it is the \
             copy you mean to use before changing it"
        ),
        UnlockNotice::SeenRecordAltered => "this computer's record of the vaults it opened \
             was changed outside Vekil, so an older copy of this vault could not be \
             recognised this time; Vekil has written the record again"
            .to_owned(),
        UnlockNotice::DatabaseOlderThanHeader {
            header_counter,
            vault_counter,
        } => format!(
            "vekil.db is older than its own vault.json (it holds {vault_counter} change(s); \
             the header recorded {header_counter}): an older database was put back; if you \
             did not restore one, keep this folder as it is and run `vekil verify-vault`"
        ),
        UnlockNotice::HistoryHeadMismatch => "the newest entry of the vault's history does \
             not match its record; run `vekil verify-vault` to see what was changed"
            .to_owned(),
        UnlockNotice::HistorySealed { entries } => format!(
            "the vault's history ({entries} entries) was checked and sealed with the vault's \
             key; this happens once, after Vekil is updated"
        ),
        UnlockNotice::FacilityRegisterBuilt { facilities, linked } => format!(
            "Vekil built a facility register of {facilities} place(s) from the facility names \
             in your incidents and linked {linked} incident(s) to it, each with a revision; \
             join spellings of one place with `vekil facility merge` (this happens once, \
             after Vekil is updated)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::{LastChange, ReadOnlyReason};

    #[test]
    fn every_line_is_one_sentence_and_another_computer_is_named() {
        let report = UnlockReport {
            last_change: Some(LastChange {
                counter: 12,
                at: Some("2025-03-14T06:30:00.000Z".into()),
                device_name: Some("ofis-noutbuku".into()),
                on_another_computer: true,
            }),
            read_only: Some(ReadOnlyReason::FolderNotWritable),
            notices: vec![
                UnlockNotice::HeaderAltered {
                    fields: vec!["kdf_log_n".into()],
                    restored: true,
                },
                UnlockNotice::FailedUnlocks {
                    count: 4,
                    last_at: None,
                },
            ],
        };
        let lines = lines(&report);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert!(lines[1].contains("kdf_log_n") && lines[1].starts_with("warning:"));
        assert!(lines[3].contains("\"ofis-noutbuku\" at 2025-03-14 06:30"));
        for l in &lines {
            assert!(l.ends_with('.') && !l.contains('\n'), "{l}");
        }
        // The same computer is not announced.
        let mut here = report.clone();
        if let Some(l) = here.last_change.as_mut() {
            l.on_another_computer = false;
        }
        assert_eq!(super::lines(&here).len(), 3);
    }
}
