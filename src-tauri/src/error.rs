//! The one place where core errors become what the UI sees.
//!
//! Every failure crosses IPC as a [`CommandError`]: a stable `kind` the UI
//! branches on (and translates), plus an English sentence for logs and for
//! kinds the UI does not know yet. SQL, IO and crypto error texts are never
//! forwarded: they can contain paths or fragments of case data, and they
//! mean nothing to a lawyer.

use serde::Serialize;
use ts_rs::TS;
use vekil::export::ExportError;
use vekil::store::AttachmentError;
use vekil::vault::VaultError;

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    /// Stable code: `wrong_passphrase`, `back_off`, `invalid_input`, …
    pub kind: String,
    /// One sentence a lawyer understands (English; the UI translates by `kind`).
    pub message: String,
    /// For `invalid_input`: the field refused (JSON path, e.g. `facility.name`).
    pub field: Option<String>,
    /// For `back_off`: seconds before another attempt is allowed.
    #[ts(type = "number | null")]
    pub retry_after_secs: Option<u64>,
}

impl CommandError {
    /// An error with no field and no wait.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            message: message.into(),
            field: None,
            retry_after_secs: None,
        }
    }

    /// The vault is not unlocked.
    pub fn locked() -> Self {
        Self::new("locked", "The vault is locked. Unlock it to continue.")
    }

    /// Input the UI should have caught (bad id, malformed record).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new("invalid_input", message)
        }
    }

    /// Something that should not happen (a poisoned lock, a failed task).
    pub fn internal() -> Self {
        Self::new(
            "internal",
            "Something went wrong inside Vekil. Your data is safe; please try again.",
        )
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::NotFound(_) => {
                Self::new("vault_missing", "No vault was found at this location.")
            }
            VaultError::AlreadyExists(_) => {
                Self::new("vault_exists", "A vault already exists at this location.")
            }
            VaultError::InUse(_) => Self::new(
                "in_use",
                "This vault is already open in another Vekil window or program.",
            ),
            VaultError::WrongPassphrase { .. } | VaultError::WrongPassphraseUncounted => {
                Self::new("wrong_passphrase", "That passphrase is not correct.")
            }
            VaultError::ReadOnly(_) => Self::new(
                "read_only",
                "This vault is open read-only, so nothing can be changed here. Copy the whole vault folder to a writable folder to change it.",
            ),
            VaultError::UncleanReadOnly(_) | VaultError::UpgradeNeedsWrite(_) => Self::new(
                "read_only_unavailable",
                "This vault's folder cannot be written, and the vault must be written to before it can be opened. Copy the whole vault folder to a writable folder and open it there.",
            ),
            VaultError::Sealed => Self::new(
                "sealed",
                "This vault is sealed for travel. Ask your custodian to release it.",
            ),
            VaultError::Wiped { .. } => Self::new(
                "wiped",
                "Too many failed unlocks: this vault was erased, as its settings asked.",
            ),
            VaultError::WrongRecoveryCode => {
                Self::new("bad_recovery_code", "That recovery code is not correct.")
            }
            VaultError::BackOff { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    "back_off",
                    format!("Too many attempts. Wait {retry_after_secs} seconds and try again."),
                )
            },
            VaultError::Corrupt { path, .. } => Self::new(
                "corrupted",
                format!(
                    "The vault file {} is damaged or was altered. Restore it from a backup.",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default()
                ),
            ),
            VaultError::FromFuture { .. } => Self::new(
                "from_future",
                "This vault was written by a newer version of Vekil. Update Vekil to open it.",
            ),
            VaultError::Invalid(v) => Self::invalid(&v.field, v.to_string()),
            _ => storage(),
        }
    }
}

impl CommandError {
    /// Work stopped by a lock: the page is being reloaded, locked.
    pub fn cancelled() -> Self {
        Self::new(
            "locked",
            "The vault was locked, so this was stopped and nothing was written. Unlock it and start again.",
        )
    }
}

impl From<vekil::Error> for CommandError {
    fn from(e: vekil::Error) -> Self {
        match e {
            vekil::Error::Cancelled(_) => Self::cancelled(),
            vekil::Error::Vault(v) => v.into(),
            vekil::Error::Invalid(v) => Self::invalid(&v.field, v.to_string()),
            vekil::Error::NotFound { .. } | vekil::Error::Ambiguous { .. } => {
                Self::new("not_found", "That record no longer exists.")
            }
            vekil::Error::Conflict { .. } => Self::new(
                "conflict",
                "This record was changed in the meantime. Reload it and apply your change again.",
            ),
            vekil::Error::InUse { .. } => Self::new(
                "still_referenced",
                "Other records still refer to this one. Remove those links first.",
            ),
            vekil::Error::Attachment(a) => match a {
                AttachmentError::TooLarge(_) => {
                    Self::new("too_large", "This file is too large to attach.")
                }
                AttachmentError::Unknown(_) => {
                    Self::new("not_found", "That attachment no longer exists.")
                }
                AttachmentError::Missing(_) | AttachmentError::Damaged { .. } => Self::new(
                    "attachment_damaged",
                    "This attachment is missing or damaged in the vault.",
                ),
                _ => storage(),
            },
            _ => storage(),
        }
    }
}

impl From<ExportError> for CommandError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::Vault(inner) => (*inner).into(),
            ExportError::Cancelled(_) => Self::cancelled(),
            ExportError::Io { .. } => Self::new(
                "export_write_failed",
                "The export file could not be written. Check the folder and the free disk space.",
            ),
            ExportError::RecipientRequired(_) => Self::new(
                "recipient_required",
                "This profile shares records with an organisation: choose at least one recipient.",
            ),
            ExportError::UnknownRecipient(_) => Self::new(
                "unknown_recipient",
                "That organisation is not in the address book any more.",
            ),
            ExportError::BadRecipient { .. } => Self::invalid(
                "recipient",
                "Give the organisation a name (up to 200 characters) and an age public key starting with age1.",
            ),
            ExportError::FileExists(_) => CommandError {
                field: Some("destination".into()),
                ..Self::new(
                    "file_exists",
                    "A file with this name appeared after you chose it. Choose the file again.",
                )
            },
            ExportError::NotAFile(_) => Self::invalid(
                "destination",
                "That is a folder, not a file. Choose the file again.",
            ),
            ExportError::Date(d) => Self::invalid(d.field(), d.to_string()),
            ExportError::IncidentNotExported(_) => CommandError {
                field: Some("incident".into()),
                ..Self::new(
                    "incident_not_exported",
                    "This incident does not leave with this profile and these recipients.",
                )
            },
            ExportError::NamesInText(hits) => Self::new(
                "names_in_text",
                format!(
                    "{} name(s) that this export removes appear in text that would leave. Review them in the preview: edit the text, or confirm each one.",
                    hits.len()
                ),
            ),
            _ => Self::new(
                "export_failed",
                "The export could not be prepared. Nothing was sent; please try again.",
            ),
        }
    }
}

fn storage() -> CommandError {
    CommandError::new(
        "storage",
        "The vault could not be read or written. Check the disk and try again.",
    )
}

/// Result of every command.
pub type CmdResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_do_not_leak_their_text() {
        let e: CommandError = VaultError::Io {
            path: "/home/lawyer/secret-client-name/vekil.db".into(),
            source: std::io::Error::other("disk full at secret-client-name"),
        }
        .into();
        assert_eq!(e.kind, "storage");
        assert!(!e.message.contains("secret-client-name"));
    }

    #[test]
    fn export_errors_do_not_leak_paths() {
        let e: CommandError = ExportError::Io {
            path: "/home/lawyer/secret-client-name.pdf".into(),
            source: std::io::Error::other("no space"),
        }
        .into();
        assert_eq!(e.kind, "export_write_failed");
        assert!(!e.message.contains("secret-client-name"));
        let e: CommandError = ExportError::BadRecipient {
            name: "X".into(),
            reason: "not an age key".into(),
        }
        .into();
        assert_eq!(e.field.as_deref(), Some("recipient"));
    }

    #[test]
    fn back_off_carries_the_wait() {
        let e: CommandError = VaultError::BackOff {
            retry_after_secs: 16,
        }
        .into();
        assert_eq!(e.kind, "back_off");
        assert_eq!(e.retry_after_secs, Some(16));
    }

    #[test]
    fn validation_names_the_field() {
        let e: CommandError = vekil::Error::Invalid(vekil::model::ValidationError::new(
            "facility.name",
            "is required",
        ))
        .into();
        assert_eq!(e.kind, "invalid_input");
        assert_eq!(e.field.as_deref(), Some("facility.name"));
    }
}
