//! What an unlock found, in English on stderr: the CLI's wording of the
//! core's [`UnlockReport`] codes (the desktop app words the same codes in
//! the lawyer's language).

use crate::vault::{UnlockNotice, UnlockReport};

/// Prints the report's read-only reason and notices, one sentence each.
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_is_one_sentence() {
        let report = UnlockReport {
            read_only: Some(crate::vault::ReadOnlyReason::FolderNotWritable),
            notices: vec![
                UnlockNotice::HeaderAltered {
                    fields: vec!["kdf_log_n".into()],
                    restored: true,
                },
                UnlockNotice::FailedUnlocks {
                    count: 4,
                    last_at: Some("2025-03-14T06:30:00.000Z".into()),
                },
            ],
        };
        let lines = lines(&report);
        assert_eq!(lines.len(), 3, "{lines:#?}");
        assert!(lines[0].contains("copy the whole vault folder"));
        assert!(lines[1].contains("kdf_log_n") && lines[1].starts_with("warning:"));
        assert!(lines[2].contains("the last at 2025-03-14 06:30 UTC"));
        for l in &lines {
            assert!(l.ends_with('.') && !l.contains('\n'), "{l}");
        }
    }
}
