//! Where the CLI's inputs come from: secrets, JSON records, dates, and
//! case text given as `-` (read from standard input).
//!
//! Secrets never come from the command line, where `ps` and shell history
//! would keep them: they come from a file named in the environment, the
//! environment itself (for scripts), or a prompt on the terminal. Secrets
//! given in the environment are taken out of it at start
//! ([`take_secret_env`]), so no process Vekil or a library starts later
//! inherits them.
//!
//! Case text (a client's name, notes, a refusal's reason, search words) in
//! a flag is as visible as a secret would be: shell history, `ps`, and
//! process-accounting or audit logs keep command lines. Every free-text
//! flag therefore takes `-` to read its value from standard input instead.

use super::CliError;
use crate::dates;
use crate::model::{EventTime, ValidationError};
use crate::secret::{Passphrase, RecoveryCode};
use chrono::{NaiveDate, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::OnceLock;
use zeroize::Zeroizing;

/// The environment variables that may hold a secret itself (the `_FILE`
/// forms hold only a path and stay).
pub const SECRET_VARS: [&str; 3] = [
    "VEKIL_PASSPHRASE",
    "VEKIL_NEW_PASSPHRASE",
    "VEKIL_RECOVERY_CODE",
];

static TAKEN: OnceLock<BTreeMap<&'static str, Zeroizing<String>>> = OnceLock::new();

/// Moves the secrets given in the environment ([`SECRET_VARS`]) into this
/// process's memory and removes them from its environment, so a child
/// process started afterwards (by Vekil or by any library) does not
/// inherit them. Runs once, first thing in the CLI, while the process has
/// a single thread; later calls do nothing. Limit: the kernel keeps the
/// environment the process was started with (`/proc/<pid>/environ`,
/// readable by the same user and root); only a `_FILE` variable keeps the
/// secret out of it, which is why the README recommends those.
pub fn take_secret_env() {
    TAKEN.get_or_init(|| {
        let mut taken = BTreeMap::new();
        for var in SECRET_VARS {
            let value = std::env::var(var);
            if std::env::var_os(var).is_some() {
                std::env::remove_var(var);
            }
            if let Ok(v) = value {
                taken.insert(var, Zeroizing::new(v));
            }
        }
        taken
    });
}

fn env_secret(var: &str) -> Option<Zeroizing<String>> {
    take_secret_env();
    TAKEN
        .get()
        .and_then(|m| m.get(var))
        .filter(|v| !v.is_empty())
        .cloned()
}

/// Largest JSON input file accepted.
pub const MAX_JSON_BYTES: u64 = 20 * 1024 * 1024;

fn from_env(file_var: &str, var: &str) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(path) = std::env::var_os(file_var).filter(|v| !v.is_empty()) {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CliError::usage(format!(
                "cannot read {file_var} file {}: {e}",
                Path::new(&path).display()
            ))
        })?;
        let text = Zeroizing::new(text);
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        return Ok(Some(Zeroizing::new(trimmed.to_owned())));
    }
    Ok(env_secret(var))
}

fn prompt(label: &str) -> Result<Zeroizing<String>, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "{label} needed: run in a terminal, or set the environment variable named in `vekil --help`"
        )));
    }
    rpassword::prompt_password(format!("{label}: "))
        .map(Zeroizing::new)
        .map_err(|e| CliError::usage(format!("cannot read {label} from the terminal: {e}")))
}

/// The vault passphrase: `VEKIL_PASSPHRASE_FILE`, `VEKIL_PASSPHRASE`, or a prompt.
pub fn passphrase() -> Result<Passphrase, CliError> {
    let text = match from_env("VEKIL_PASSPHRASE_FILE", "VEKIL_PASSPHRASE")? {
        Some(t) => t,
        None => prompt("Passphrase")?,
    };
    Ok(Passphrase::new(text.to_string()))
}

/// A new passphrase, typed twice on a terminal; from the environment,
/// `VEKIL_NEW_PASSPHRASE_FILE` / `VEKIL_NEW_PASSPHRASE` (or, for `init`,
/// the ordinary passphrase variables).
pub fn new_passphrase(for_init: bool) -> Result<Passphrase, CliError> {
    let from = if for_init {
        from_env("VEKIL_PASSPHRASE_FILE", "VEKIL_PASSPHRASE")?
    } else {
        from_env("VEKIL_NEW_PASSPHRASE_FILE", "VEKIL_NEW_PASSPHRASE")?
    };
    if let Some(t) = from {
        return Ok(Passphrase::new(t.to_string()));
    }
    let first = prompt("New passphrase")?;
    let again = prompt("Repeat the new passphrase")?;
    if *first != *again {
        return Err(CliError::usage(
            "the two passphrases differ; nothing was changed".into(),
        ));
    }
    Ok(Passphrase::new(first.to_string()))
}

/// The recovery code: `VEKIL_RECOVERY_CODE_FILE`, `VEKIL_RECOVERY_CODE`, or a prompt.
pub fn recovery_code() -> Result<RecoveryCode, CliError> {
    let text = match from_env("VEKIL_RECOVERY_CODE_FILE", "VEKIL_RECOVERY_CODE")? {
        Some(t) => t,
        None => prompt("Recovery code")?,
    };
    RecoveryCode::parse(&text).map_err(|e| CliError::data(e.to_string()))
}

/// The secrets that may open a backup, in the order to try them: the
/// passphrase variables, then the recovery-code variables (a script sets
/// the passphrase to unlock, and may set the code too); a prompt, where
/// either may be typed, when neither is set.
pub fn backup_secrets() -> Result<Vec<Passphrase>, CliError> {
    let mut out = Vec::new();
    if let Some(t) = from_env("VEKIL_PASSPHRASE_FILE", "VEKIL_PASSPHRASE")? {
        out.push(Passphrase::new(t.to_string()));
    }
    if let Some(t) = from_env("VEKIL_RECOVERY_CODE_FILE", "VEKIL_RECOVERY_CODE")? {
        out.push(Passphrase::new(t.to_string()));
    }
    if out.is_empty() {
        let t = prompt("Passphrase or recovery code the backup was sealed to")?;
        out.push(Passphrase::new(t.to_string()));
    }
    Ok(out)
}

/// A free-text flag that may be `-`: one value, or a repeatable flag's list.
pub enum TextSlot<'a> {
    /// `--notes -`
    One(&'static str, &'a mut Option<String>),
    /// `--official -` (one of the values)
    Many(&'static str, &'a mut Vec<String>),
}

/// Replaces the one flag value given as `-` with standard input (its
/// trailing newline removed). Standard input is one stream, so at most one
/// value per command can come from it; two are a usage error, and so is
/// `-` together with `--json -`. Reads before the vault is opened, so a
/// mistake costs no passphrase prompt.
pub fn fill_from_stdin(slots: Vec<TextSlot<'_>>, stdin_taken: bool) -> Result<(), CliError> {
    let mut wanted: Vec<(&'static str, &mut String)> = Vec::new();
    for slot in slots {
        match slot {
            TextSlot::One(flag, Some(v)) if v == "-" => wanted.push((flag, v)),
            TextSlot::One(..) => {}
            TextSlot::Many(flag, vs) => {
                wanted.extend(vs.iter_mut().filter(|v| *v == "-").map(|v| (flag, v)));
            }
        }
    }
    let Some((flag, slot)) = wanted.pop() else {
        return Ok(());
    };
    if let Some((other, _)) = wanted.first() {
        return Err(CliError::usage(format!(
            "only one value can be read from standard input, but --{other} and --{flag} both say `-`; give one of them in a file with --json"
        )));
    }
    if stdin_taken {
        return Err(CliError::usage(format!(
            "--{flag} - and --json - both want standard input; put the record in a file for --json"
        )));
    }
    *slot = read_stdin_value(&format!("--{flag}"))?;
    Ok(())
}

/// Reads a whole value from standard input, without its final newline.
pub fn read_stdin_value(what: &str) -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(crate::model::LONG_MAX as u64 * 4 + 1)
        .read_to_string(&mut text)
        .map_err(|e| CliError::usage(format!("cannot read {what} from standard input: {e}")))?;
    let trimmed = text.strip_suffix('\n').unwrap_or(&text);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok(trimmed.to_owned())
}

/// Reads JSON records from a file (all at once, size-limited) and calls
/// `each` with every top-level value (an array is unpacked). Values may be
/// one document, an array, or several documents one after another (JSON
/// Lines). From `-` (stdin) values are handed over as they arrive, so a
/// script can stream records and read each acknowledgement in turn.
pub fn json_records(
    source: &str,
    mut each: impl FnMut(usize, Value) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let name = if source == "-" {
        "standard input".to_owned()
    } else {
        source.to_owned()
    };
    let reader: Box<dyn Read> = if source == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let path = Path::new(source);
        let meta = std::fs::metadata(path)
            .map_err(|e| CliError::data(format!("cannot read {name}: {e}")))?;
        if meta.len() > MAX_JSON_BYTES {
            return Err(CliError::data(format!(
                "{name} is larger than 20 MB; split it into smaller files"
            )));
        }
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
            |e| CliError::data(format!("cannot read {name}: {e}")),
        )?))
    };
    let limited = reader.take(if source == "-" {
        u64::MAX
    } else {
        MAX_JSON_BYTES
    });
    let stream = serde_json::Deserializer::from_reader(limited).into_iter::<Value>();
    let mut n = 0;
    for value in stream {
        let value = value.map_err(|e| {
            let what = if e.is_eof() {
                "ends in the middle of a record"
            } else {
                "is not valid JSON"
            };
            CliError::data(format!(
                "{name} {what} (line {}, column {}): {e}",
                e.line(),
                e.column()
            ))
        })?;
        match value {
            Value::Array(items) => {
                for item in items {
                    n += 1;
                    each(n, item)?;
                }
            }
            other => {
                n += 1;
                each(n, other)?;
            }
        }
    }
    if n == 0 {
        return Err(CliError::data(format!("{name} holds no record")));
    }
    Ok(())
}

/// Reads a CSV file whole (size-limited like JSON), for
/// `incident add --csv`.
pub fn csv_file(path: &Path) -> Result<Vec<u8>, CliError> {
    let name = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| CliError::data(format!("cannot read {name}: {e}")))?;
    if meta.len() > MAX_JSON_BYTES {
        return Err(CliError::data(format!(
            "{name} is larger than 20 MB; split it into smaller files"
        )));
    }
    std::fs::read(path).map_err(|e| CliError::data(format!("cannot read {name}: {e}")))
}

/// Reads a date or moment typed on the command line, in the vault's time
/// zone (`crate::dates::parse`, the one parser; its doc lists the forms).
pub fn when(v: &crate::Vault, field: &str, s: &str) -> Result<EventTime, CliError> {
    Ok(dates::parse(field, s, v.time_zone()?, Utc::now()).map_err(crate::Error::from)?)
}

/// A moment for a field stored without a precision (a hearing's start, a
/// deadline's due time): a date alone is refused, not stored as 00:00.
pub fn exact(
    v: &crate::Vault,
    field: &str,
    s: &str,
) -> Result<chrono::DateTime<chrono::FixedOffset>, CliError> {
    Ok(dates::parse_moment(field, s, v.time_zone()?, Utc::now()).map_err(crate::Error::from)?)
}

/// A calendar date (`2025-03-14`, `14.03.2025`, `today`), through the one
/// parser; a month or a time is refused, since the field holds a day.
pub fn date(v: &crate::Vault, field: &str, s: &str) -> Result<NaiveDate, CliError> {
    Ok(dates::parse_day(field, s, v.time_zone()?, Utc::now()).map_err(crate::Error::from)?)
}

/// A from/until pair for lists and search, in the vault's time zone:
/// `--until 2025-03` runs to the end of March.
pub fn period(
    v: &crate::Vault,
    from: (&str, Option<&str>),
    until: (&str, Option<&str>),
) -> Result<dates::Period, CliError> {
    Ok(
        dates::Period::parse(from, until, v.time_zone()?, Utc::now())
            .map_err(crate::Error::from)?,
    )
}

/// A unit enum from its serialised name (`access_denied`), naming `field`.
pub fn choice<T: serde::de::DeserializeOwned>(field: &str, s: &str) -> Result<T, ValidationError> {
    let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    serde_json::from_value(Value::String(norm)).map_err(|e| {
        let msg = e.to_string();
        let expected = msg
            .split("expected one of ")
            .nth(1)
            .unwrap_or("")
            .to_owned();
        ValidationError::new(field, format!("unknown value {s:?}; one of {expected}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_choice_names_field_and_options() {
        let e = choice::<crate::model::HearingKind>("kind", "party").unwrap_err();
        assert_eq!(e.field, "kind");
        assert!(e.problem.contains("preventive_measure"), "{}", e.problem);
        let k: crate::model::HearingKind = choice("kind", "Preventive-Measure").unwrap();
        assert_eq!(k, crate::model::HearingKind::PreventiveMeasure);
    }
}
