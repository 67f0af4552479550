//! Field validation shared by every record kind.
//!
//! Every check names the field it refuses, using the JSON path a user sees
//! in an export (`officials[2].name`), so the CLI, the desktop form and the
//! importer can all point at the exact place.

/// Longest single-line value (names, numbers, places).
pub const SHORT_MAX: usize = 500;
/// Longest free-text value (notes, verbatim reasons): ~50 pages of text.
pub const LONG_MAX: usize = 100_000;
/// Most entries in any list field.
pub const LIST_MAX: usize = 200;

/// A record or value that was refused, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, ts_rs::TS)]
#[error("{field}: {problem}")]
#[ts(export)]
pub struct ValidationError {
    /// JSON path of the field, e.g. `facility.name`.
    pub field: String,
    /// What is wrong, as a sentence fragment.
    pub problem: String,
}

impl ValidationError {
    /// A refusal of `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Result of validation.
pub type Result<T = ()> = std::result::Result<T, ValidationError>;

/// Records and parts of records that can check themselves.
pub trait Validate {
    /// Checks every field; `path` is the prefix for field names ("" at top).
    fn validate_at(&self, path: &str) -> Result;

    /// Checks the whole record.
    fn validate(&self) -> Result {
        self.validate_at("")
    }
}

pub(crate) fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// A required single-line value.
pub(crate) fn required(path: &str, field: &str, v: &str) -> Result {
    if v.trim().is_empty() {
        return Err(ValidationError::new(join(path, field), "is required"));
    }
    short(path, field, v)
}

/// An optional single-line value.
pub(crate) fn short(path: &str, field: &str, v: &str) -> Result {
    limit(path, field, v, SHORT_MAX)?;
    if v.chars().any(|c| c.is_control() && c != '\t') {
        return Err(ValidationError::new(
            join(path, field),
            "must be a single line",
        ));
    }
    Ok(())
}

/// An optional free-text value.
pub(crate) fn long(path: &str, field: &str, v: &str) -> Result {
    limit(path, field, v, LONG_MAX)?;
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new(
            join(path, field),
            "contains control characters",
        ));
    }
    Ok(())
}

fn limit(path: &str, field: &str, v: &str, max: usize) -> Result {
    // Byte length bounds the character count from above, so the cheap
    // check runs first and a 10 MB string is refused without a scan.
    if v.len() > max * 4 || v.chars().count() > max {
        return Err(ValidationError::new(
            join(path, field),
            format!("is too long (at most {max} characters)"),
        ));
    }
    Ok(())
}

/// A list of single-line values.
pub(crate) fn short_list(path: &str, field: &str, v: &[String]) -> Result {
    list_len(path, field, v.len())?;
    for (i, s) in v.iter().enumerate() {
        required(path, &format!("{field}[{i}]"), s)?;
    }
    Ok(())
}

pub(crate) fn list_len(path: &str, field: &str, n: usize) -> Result {
    if n > LIST_MAX {
        return Err(ValidationError::new(
            join(path, field),
            format!("has too many entries (at most {LIST_MAX})"),
        ));
    }
    Ok(())
}

/// Validates each element of a list of structured values.
pub(crate) fn each<T: Validate>(path: &str, field: &str, v: &[T]) -> Result {
    list_len(path, field, v.len())?;
    for (i, item) in v.iter().enumerate() {
        item.validate_at(&join(path, &format!("{field}[{i}]")))?;
    }
    Ok(())
}

/// A moment in a year Vekil accepts ([`crate::dates::YEARS`]), in its
/// own offset.
pub(crate) fn moment(path: &str, field: &str, v: &chrono::DateTime<chrono::FixedOffset>) -> Result {
    day(path, field, &v.date_naive())
}

/// An optional moment, as [`moment`].
pub(crate) fn moment_opt(
    path: &str,
    field: &str,
    v: Option<&chrono::DateTime<chrono::FixedOffset>>,
) -> Result {
    v.map_or(Ok(()), |v| moment(path, field, v))
}

/// A calendar date in a year Vekil accepts.
pub(crate) fn day(path: &str, field: &str, v: &chrono::NaiveDate) -> Result {
    use chrono::Datelike;
    crate::dates::check_year(&join(path, field), v.year()).map_err(Into::into)
}

/// An optional calendar date, as [`day`].
pub(crate) fn day_opt(path: &str, field: &str, v: Option<&chrono::NaiveDate>) -> Result {
    v.map_or(Ok(()), |v| day(path, field, v))
}

/// Refuses an end before its start.
pub(crate) fn ordered<T: PartialOrd>(
    path: &str,
    end_field: &str,
    start: Option<&T>,
    end: Option<&T>,
    start_field: &str,
) -> Result {
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(ValidationError::new(
                join(path, end_field),
                format!("is before {start_field}"),
            ));
        }
    }
    Ok(())
}
