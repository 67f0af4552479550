//! Value types shared by several record kinds.

use super::validate::{self, Result, Validate};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How precisely a date is known. A client's family may only know "March
/// 2024"; recording that honestly matters more than a made-up day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DatePrecision {
    /// Known to the minute.
    #[default]
    Minute,
    /// Known to the hour.
    Hour,
    /// Known to the day.
    Day,
    /// Known to the month.
    Month,
    /// Known to the year.
    Year,
}

/// A moment with an explicit UTC offset and a stated precision.
///
/// Known only to the day, month or year, it is a calendar date: `at` is
/// midnight at its start and only that date counts (`crate::dates`). JSON
/// may then give `at` as the date alone (`"2025-03-06"`, `"2025-03"`,
/// `"2025"`); the precision follows from it unless stated, and may not be
/// finer than the text.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct EventTime {
    /// RFC 3339 with offset, e.g. `2025-03-14T09:30:00+04:00`.
    #[ts(type = "string")]
    pub at: DateTime<FixedOffset>,
    /// How much of `at` is known.
    #[serde(default)]
    pub precision: DatePrecision,
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Parts {
            at: String,
            #[serde(default)]
            precision: Option<DatePrecision>,
        }
        let p = Parts::deserialize(d)?;
        crate::dates::event_time("at", &p.at, p.precision).map_err(|e| {
            // serde names the path; the sentence after "at: " says the rest.
            let text = e.to_string();
            serde::de::Error::custom(text.strip_prefix("at: ").unwrap_or(&text).to_owned())
        })
    }
}

impl Validate for EventTime {
    fn validate_at(&self, path: &str) -> Result {
        validate::moment(path, "at", &self.at)
    }
}

impl EventTime {
    /// A moment known to the minute.
    pub fn exact(at: DateTime<FixedOffset>) -> Self {
        Self {
            at,
            precision: DatePrecision::Minute,
        }
    }
}

/// A way to reach someone (phone, e-mail, relative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Contact {
    /// What this is: "mother", "phone", "e-mail".
    pub label: String,
    /// The number, address or name.
    pub value: String,
}

impl Validate for Contact {
    fn validate_at(&self, path: &str) -> Result {
        validate::required(path, "label", &self.label)?;
        validate::required(path, "value", &self.value)
    }
}

/// Whether a record is still being written or is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RecordStatus {
    /// Logged quickly, still to be completed.
    #[default]
    Draft,
    /// Complete and checked by the lawyer.
    Final,
}

impl RecordStatus {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Final => "final",
        }
    }
}

/// How carefully a record must be handled when shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Confidentiality {
    /// May be shared with organisations that have consent.
    #[default]
    Normal,
    /// Shared only in the NGO-confidential profile.
    Confidential,
    /// Never leaves the vault except in the lawyer's own full backup.
    Restricted,
}
