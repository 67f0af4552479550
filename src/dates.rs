//! Dates as the lawyer meant them: the one parser for every date the CLI
//! and the app read, the vault's time zone that draws every day boundary,
//! and how a date is shown with no more precision than it has.
//!
//! Why one module: "from 2025-03-01" used to mean 00:00 UTC in an export,
//! 00:00 on this computer in a list, and stats counted months in yet
//! another way, so an export "for March" in Baku (UTC+4) missed or added
//! four hours of incidents at each end. Every caller now reads text with
//! [`parse`] (or [`Period::parse`] for a from/until pair) in the vault's
//! [`Zone`], and every day or month an incident falls on comes from
//! [`day_of`] — one definition.
//!
//! A value known only to the day, month or year (an [`EventTime`] whose
//! precision is coarser than the hour) is a calendar date, not a moment:
//! its `at` is midnight at the start of it, in whatever offset it was
//! recorded with, and only that date counts. Zones never move such a date.
//! Accepted forms and the rules are documented in `docs/formats/dates.md`.
//!
//! This module does not store records and knows nothing of exports; the
//! store, stats and exports call it.

use crate::model::{DatePrecision, EventTime};
use crate::vault::Vault;
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;
use rusqlite::OptionalExtension;
use std::ops::RangeInclusive;

/// The years a date may fall in. Anything else is a typing mistake
/// (`0000`, `20255`) that would otherwise show up as a "0000-03" month in
/// statistics and break the JSON schema of Vekil's own export.
pub const YEARS: RangeInclusive<i32> = 1900..=2100;

/// A date or time zone that was refused. Each message names the field
/// and says how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not in any accepted form.
    #[error("{field}: {text:?} is not a date; write it as 2025-03-14 09:30, 2025-03-14, 2025-03, 2025 or now")]
    NotADate {
        /// The field or flag.
        field: String,
        /// What was given.
        text: String,
    },
    /// A year outside [`YEARS`].
    #[error("{field}: the year {year} is outside 1900–2100; check the date")]
    YearOutOfRange {
        /// The field or flag.
        field: String,
        /// The year given.
        year: i32,
    },
    /// A local time that the clocks skipped (summer time starts).
    #[error("{field}: {text} does not exist in {zone} (the clocks moved forward then); give a time an hour later")]
    SkippedTime {
        /// The field or flag.
        field: String,
        /// What was given.
        text: String,
        /// The zone it was read in.
        zone: String,
    },
    /// A precision finer than the text gives ("2025-03-14" said to be
    /// known to the minute).
    #[error("{field}: {text:?} gives no time of day, so it cannot be known to the {precision}; add the time or give the precision as day, month or year")]
    PrecisionTooFine {
        /// The field.
        field: String,
        /// What was given.
        text: String,
        /// The precision claimed.
        precision: String,
    },
    /// A month, year or time where a calendar day is needed.
    #[error("{field}: {text:?} is not a single day; write it as 2025-03-14")]
    NotADay {
        /// The field or flag.
        field: String,
        /// What was given.
        text: String,
    },
    /// A day, month or year alone for a field that holds a moment (a
    /// hearing's start, a deadline's due time), which would otherwise be
    /// stored as a false "00:00".
    #[error("{field}: {text:?} gives no time of day; add it, e.g. {text} 10:00 (a deadline that runs to the end of the day: {text} 23:59)")]
    NeedsTime {
        /// The field or flag.
        field: String,
        /// What was given.
        text: String,
    },
    /// An end before its start.
    #[error("{to_field} is before {from_field}; check the period")]
    Backwards {
        /// The start's field or flag.
        from_field: String,
        /// The end's field or flag.
        to_field: String,
    },
    /// Not an IANA time zone name.
    #[error("{name:?} is not a time zone; use a name such as Asia/Baku or Europe/Moscow (`vekil time-zone --list` shows them all)")]
    UnknownZone {
        /// What was given.
        name: String,
    },
}

impl DateError {
    /// The field or flag at fault.
    pub fn field(&self) -> &str {
        match self {
            Self::NotADate { field, .. }
            | Self::YearOutOfRange { field, .. }
            | Self::SkippedTime { field, .. }
            | Self::NotADay { field, .. }
            | Self::NeedsTime { field, .. }
            | Self::PrecisionTooFine { field, .. } => field,
            Self::Backwards { to_field, .. } => to_field,
            Self::UnknownZone { .. } => "time_zone",
        }
    }
}

impl From<DateError> for crate::model::ValidationError {
    fn from(e: DateError) -> Self {
        let field = e.field().to_owned();
        let text = e.to_string();
        let problem = text
            .strip_prefix(&format!("{field}: "))
            .unwrap_or(&text)
            .to_owned();
        Self::new(field, problem)
    }
}

impl From<DateError> for crate::Error {
    fn from(e: DateError) -> Self {
        Self::Invalid(e.into())
    }
}

/// A time zone from the IANA database built into Vekil (`Asia/Baku`).
///
/// The database is compiled in (chrono-tz), not read from the computer, so
/// a vault draws the same day boundaries on the lawyer's laptop and on the
/// NGO's server whatever their system's tzdata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

impl Zone {
    /// UTC, for tests and for a computer whose zone cannot be read.
    pub const UTC: Zone = Zone(Tz::UTC);

    /// The zone named `name` (IANA, e.g. `Asia/Baku`; case as listed).
    pub fn named(name: &str) -> Result<Self, DateError> {
        name.trim()
            .parse::<Tz>()
            .map(Zone)
            .map_err(|_| DateError::UnknownZone {
                name: name.trim().to_owned(),
            })
    }

    /// This computer's own zone: `TZ` when it names an IANA zone (as the
    /// C library and `date` honour it), else `/etc/localtime`, else UTC.
    pub fn computer() -> Self {
        std::env::var("TZ")
            .ok()
            .and_then(|n| Self::named(n.trim_start_matches(':')).ok())
            .or_else(|| {
                iana_time_zone::get_timezone()
                    .ok()
                    .and_then(|n| Self::named(&n).ok())
            })
            .unwrap_or(Self::UTC)
    }

    /// Every zone Vekil knows, by name.
    pub fn all_names() -> Vec<&'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect()
    }

    /// The IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// `t` as seen in this zone.
    pub fn moment(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        whole_minutes(t.with_timezone(&self.0))
    }

    /// Today's date in this zone, `now` being now.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// The calendar day in this zone at `t`.
    pub fn day_at(&self, t: &DateTime<FixedOffset>) -> NaiveDate {
        t.with_timezone(&self.0).date_naive()
    }

    /// The first moment of `day` in this zone: midnight, or the first
    /// moment after it where the clocks skip midnight.
    pub fn start_of(&self, day: NaiveDate) -> DateTime<FixedOffset> {
        let mut t = day.and_time(NaiveTime::MIN);
        // No zone skips more than a day; quarter hours cover every shift.
        for _ in 0..=96 {
            match self.0.from_local_datetime(&t) {
                LocalResult::Single(d) => return whole_minutes(d),
                LocalResult::Ambiguous(d, _) => return whole_minutes(d),
                LocalResult::None => t += Duration::minutes(15),
            }
        }
        day.and_time(NaiveTime::MIN).and_utc().fixed_offset()
    }

    /// The last second of `day` in this zone.
    pub fn end_of(&self, day: NaiveDate) -> DateTime<FixedOffset> {
        let next = day.succ_opt().unwrap_or(day);
        let end = self.start_of(next) - Duration::seconds(1);
        whole_minutes(end.with_timezone(&self.0))
    }

    /// A wall-clock time in this zone. A time that occurs twice (the
    /// clocks go back) is the first of the two; one the clocks skipped is
    /// refused.
    fn local(
        &self,
        field: &str,
        text: &str,
        t: NaiveDateTime,
    ) -> Result<DateTime<FixedOffset>, DateError> {
        match self.0.from_local_datetime(&t) {
            LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => Ok(whole_minutes(d)),
            LocalResult::None => Err(DateError::SkippedTime {
                field: field.to_owned(),
                text: text.to_owned(),
                zone: self.name().to_owned(),
            }),
        }
    }
}

/// `t` with its offset in whole minutes, keeping its wall-clock time.
/// Before standard time (Baku until 1924) zones had offsets such as
/// +03:19:24, which RFC 3339 cannot write: stored, the seconds would be
/// lost and the value would not read back as itself.
fn whole_minutes(t: DateTime<Tz>) -> DateTime<FixedOffset> {
    let t = t.fixed_offset();
    let secs = t.offset().local_minus_utc();
    if secs % 60 == 0 {
        return t;
    }
    FixedOffset::east_opt(secs - secs % 60)
        .and_then(|o| o.from_local_datetime(&t.naive_local()).single())
        .unwrap_or(t)
}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The vault's time zone and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ZoneSetting {
    /// The zone every day boundary uses (IANA name).
    pub zone: String,
    /// True when the vault has not chosen one and follows this computer.
    pub follows_computer: bool,
    /// This computer's own zone.
    pub computer: String,
}

const ZONE_KEY: &str = "time_zone";

impl Vault {
    /// The zone this vault draws day boundaries in: the one chosen with
    /// [`Vault::set_time_zone`], else this computer's.
    pub fn time_zone(&self) -> crate::Result<Zone> {
        Ok(self
            .time_zone_setting_zone()?
            .unwrap_or_else(Zone::computer))
    }

    /// The zone with where it comes from, for Settings and `vekil time-zone`.
    pub fn time_zone_setting(&self) -> crate::Result<ZoneSetting> {
        let chosen = self.time_zone_setting_zone()?;
        let computer = Zone::computer();
        Ok(ZoneSetting {
            zone: chosen.unwrap_or(computer).name().to_owned(),
            follows_computer: chosen.is_none(),
            computer: computer.name().to_owned(),
        })
    }

    fn time_zone_setting_zone(&self) -> crate::Result<Option<Zone>> {
        let name: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [ZONE_KEY], |r| {
                r.get(0)
            })
            .optional()?;
        // A name this build does not know (written by a newer database)
        // falls back to the computer's rather than locking the lawyer out.
        Ok(name.and_then(|n| Zone::named(&n).ok()))
    }

    /// Chooses the vault's zone (`None`: follow this computer's). Stored
    /// inside the encrypted vault, so it travels with it.
    pub fn set_time_zone(&self, zone: Option<Zone>) -> crate::Result<ZoneSetting> {
        self.ensure_writable()?;
        match zone {
            Some(z) => self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [ZONE_KEY, z.name()],
            )?,
            None => self
                .conn
                .execute("DELETE FROM meta WHERE key = ?1", [ZONE_KEY])?,
        };
        self.time_zone_setting()
    }
}

/// Refuses a year outside [`YEARS`], naming `field`.
pub fn check_year(field: &str, year: i32) -> Result<(), DateError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(DateError::YearOutOfRange {
            field: field.to_owned(),
            year,
        })
    }
}

/// Reads a date or moment as a lawyer types it, in `zone`, naming `field`
/// on error. The accepted forms (`docs/formats/dates.md`):
///
/// * `now`; `today` (the day, in `zone`);
/// * a moment with its offset: `2025-03-14T09:30:00+04:00`, `…Z`,
///   `2025-03-14 09:30+04:00`;
/// * a wall-clock time in `zone`: `2025-03-14 09:30`, `2025-03-14T09:30`,
///   with or without seconds, or day first `14.03.2025 09:30`;
/// * a day `2025-03-14` (or `14.03.2025`), a month `2025-03` or a year
///   `2025`, which keep that precision.
///
/// Years outside 1900–2100 are refused.
pub fn parse(
    field: &str,
    text: &str,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<EventTime, DateError> {
    let s = text.trim();
    let t = if s.eq_ignore_ascii_case("now") {
        let at = zone.moment(now);
        EventTime::exact(at.with_nanosecond(0).unwrap_or(at))
    } else if s.eq_ignore_ascii_case("today") {
        EventTime {
            at: zone.start_of(zone.today(now)),
            precision: DatePrecision::Day,
        }
    } else if let Some(at) = with_offset(s) {
        EventTime::exact(at)
    } else if let Some(local) = wall_clock(s) {
        check_year(field, local.year())?;
        EventTime::exact(zone.local(field, s, local)?)
    } else if let Some((day, precision)) = partial(s) {
        check_year(field, day.year())?;
        EventTime {
            at: zone.start_of(day),
            precision,
        }
    } else {
        return Err(DateError::NotADate {
            field: field.to_owned(),
            text: s.to_owned(),
        });
    };
    check_year(field, t.at.year())?;
    Ok(t)
}

/// A calendar day (`2025-03-14`, `14.03.2025`, `today`) through
/// [`parse`]; a month, a year or a time of day is refused.
pub fn parse_day(
    field: &str,
    text: &str,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<NaiveDate, DateError> {
    let t = parse(field, text, zone, now)?;
    if t.precision != DatePrecision::Day {
        return Err(DateError::NotADay {
            field: field.to_owned(),
            text: text.trim().to_owned(),
        });
    }
    Ok(t.at.date_naive())
}

/// A moment (`2025-03-14 09:30`, `now`, RFC 3339) through [`parse`], for
/// fields stored without a precision (a hearing's start, a deadline's due
/// time, when access was requested): a day, month or year alone is
/// refused rather than stored as midnight.
pub fn parse_moment(
    field: &str,
    text: &str,
    zone: Zone,
    now: DateTime<Utc>,
) -> Result<DateTime<FixedOffset>, DateError> {
    let t = parse(field, text, zone, now)?;
    if is_calendar(t.precision) {
        return Err(DateError::NeedsTime {
            field: field.to_owned(),
            text: text.trim().to_owned(),
        });
    }
    Ok(t.at)
}

/// An [`EventTime`] from its stored parts, as JSON and CSV files give
/// them: `at` is an RFC 3339 moment or a date alone (`2025-03-14`,
/// `2025-03`, `2025`), which is then midnight at its start in UTC (only
/// the date counts); `precision`, when given, may not be finer than `at`.
/// No time zone is needed, so files read the same on every computer.
pub fn event_time(
    field: &str,
    at: &str,
    precision: Option<DatePrecision>,
) -> Result<EventTime, DateError> {
    let s = at.trim();
    let (at, implied) = if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        (t, DatePrecision::Minute)
    } else if let Some((day, p)) = partial(s) {
        (day.and_time(NaiveTime::MIN).and_utc().fixed_offset(), p)
    } else {
        return Err(DateError::NotADate {
            field: field.to_owned(),
            text: s.to_owned(),
        });
    };
    let precision = precision.unwrap_or(implied);
    if rank(precision) < rank(implied) {
        return Err(DateError::PrecisionTooFine {
            field: field.to_owned(),
            text: s.to_owned(),
            precision: crate::model::serde_plain(&precision),
        });
    }
    Ok(EventTime { at, precision })
}

fn rank(p: DatePrecision) -> u8 {
    match p {
        DatePrecision::Minute => 0,
        DatePrecision::Hour => 1,
        DatePrecision::Day => 2,
        DatePrecision::Month => 3,
        DatePrecision::Year => 4,
    }
}

fn with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
    ]
    .iter()
    .find_map(|f| DateTime::parse_from_str(s, f).ok())
}

fn wall_clock(s: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// A day, month or year alone, with the precision it gives.
fn partial(s: &str) -> Option<(NaiveDate, DatePrecision)> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| p.parse::<u32>().ok();
    match parts.as_slice() {
        [y] if y.len() == 4 && digits(y) => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, 1, 1).map(|d| (d, DatePrecision::Year))
        }
        [y, m] if y.len() == 4 && digits(y) && digits(m) && m.len() <= 2 => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, 1).map(|d| (d, DatePrecision::Month))
        }
        [y, m, d]
            if y.len() == 4 && [m, d].iter().all(|p| digits(p) && p.len() <= 2) && digits(y) =>
        {
            NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, num(d)?)
                .map(|d| (d, DatePrecision::Day))
        }
        _ => {
            // Day first, as the window and most of the region write it.
            let dotted: Vec<&str> = s.split('.').collect();
            match dotted.as_slice() {
                [d, m, y]
                    if y.len() == 4
                        && [d, m].iter().all(|p| digits(p) && p.len() <= 2)
                        && digits(y) =>
                {
                    NaiveDate::from_ymd_opt(y.parse().ok()?, num(m)?, num(d)?)
                        .map(|d| (d, DatePrecision::Day))
                }
                _ => None,
            }
        }
    }
}

/// A from/until pair read in the vault's zone. `from` is the first moment
/// of what its text names and `to` the last (inclusive): "from 2025-03 to
/// 2025-03" is all of March, "until 2025-03-31" all of that day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// From this moment.
    pub from: Option<DateTime<FixedOffset>>,
    /// Until this moment, inclusive.
    pub to: Option<DateTime<FixedOffset>>,
}

impl Period {
    /// Reads both ends (each `(field, text)`; empty text is no bound) and
    /// refuses an end before the start.
    pub fn parse(
        from: (&str, Option<&str>),
        to: (&str, Option<&str>),
        zone: Zone,
        now: DateTime<Utc>,
    ) -> Result<Self, DateError> {
        let read = |(field, text): (&str, Option<&str>)| {
            text.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| parse(field, t, zone, now))
                .transpose()
        };
        let start = read(from)?;
        let end = read(to)?;
        let p = Self {
            from: start.as_ref().map(|t| t.at),
            to: end.as_ref().map(|t| last_moment(t, zone)),
        };
        if let (Some(f), Some(t)) = (p.from, p.to) {
            if t < f {
                return Err(DateError::Backwards {
                    from_field: from.0.to_owned(),
                    to_field: to.0.to_owned(),
                });
            }
        }
        Ok(p)
    }

    /// Whether `t` falls in the period: a moment by its instant, a value
    /// known only to the day, month or year by its first day, against the
    /// days the bounds fall on (so each such value is in exactly one of
    /// two adjoining periods, and counted once).
    pub fn contains(&self, t: &EventTime) -> bool {
        if is_calendar(t.precision) {
            let day = first_day(t);
            self.from.is_none_or(|f| day >= f.date_naive())
                && self.to.is_none_or(|e| day <= e.date_naive())
        } else {
            self.contains_moment(&t.at)
        }
    }

    /// Whether a moment falls in the period.
    pub fn contains_moment(&self, t: &DateTime<FixedOffset>) -> bool {
        self.from.is_none_or(|f| *t >= f) && self.to.is_none_or(|e| *t <= e)
    }
}

/// The last moment of what `t` names, in `zone`: the same moment for one
/// known to the minute, the last second of its hour, day, month or year
/// otherwise.
pub fn last_moment(t: &EventTime, zone: Zone) -> DateTime<FixedOffset> {
    let day = first_day(t);
    let last_day = match t.precision {
        DatePrecision::Minute => return t.at,
        DatePrecision::Hour => {
            let start =
                t.at.with_minute(0)
                    .and_then(|a| a.with_second(0))
                    .unwrap_or(t.at);
            return start + Duration::seconds(3599);
        }
        DatePrecision::Day => day,
        DatePrecision::Month => NaiveDate::from_ymd_opt(
            if day.month() == 12 {
                day.year() + 1
            } else {
                day.year()
            },
            day.month() % 12 + 1,
            1,
        )
        .and_then(|d| d.pred_opt())
        .unwrap_or(day),
        DatePrecision::Year => NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day),
    };
    zone.end_of(last_day)
}

/// Whether a precision makes a value a calendar date rather than a moment.
pub fn is_calendar(p: DatePrecision) -> bool {
    matches!(
        p,
        DatePrecision::Day | DatePrecision::Month | DatePrecision::Year
    )
}

/// The first day of a value known only to the day, month or year (the
/// date as recorded, in its own offset); for a moment, its date in its
/// own offset.
pub fn first_day(t: &EventTime) -> NaiveDate {
    let d = t.at.date_naive();
    match t.precision {
        DatePrecision::Month => d.with_day(1).unwrap_or(d),
        DatePrecision::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d),
        _ => d,
    }
}

/// The calendar day `t` falls on for the vault: a moment's day in `zone`,
/// a calendar value's first day as recorded. Statistics by month and
/// every period use this, so they agree.
pub fn day_of(t: &EventTime, zone: Zone) -> NaiveDate {
    if is_calendar(t.precision) {
        first_day(t)
    } else {
        zone.day_at(&t.at)
    }
}

/// The date part of `t` at its precision: `2025-03-14`, `2025-03` or
/// `2025`, in the value's own offset.
pub fn date_text(t: &EventTime) -> String {
    let d = first_day(t);
    match t.precision {
        DatePrecision::Year => format!("{:04}", d.year()),
        DatePrecision::Month => format!("{:04}-{:02}", d.year(), d.month()),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

/// The time of day of `t`, if it has one: `09:30`, or `~09:00` for a
/// value known only to the hour. Values known to the day or less have
/// none, and must never be shown with one.
pub fn time_text(t: &EventTime) -> Option<String> {
    match t.precision {
        DatePrecision::Minute => Some(t.at.format("%H:%M").to_string()),
        DatePrecision::Hour => Some(t.at.format("~%H:00").to_string()),
        _ => None,
    }
}

/// `t` for people: `2025-03-14 09:30 +04:00` for a moment (in its own
/// offset), `2025-03-14`, `2025-03` or `2025` for a calendar value.
pub fn show(t: &EventTime) -> String {
    match time_text(t) {
        Some(time) => format!("{} {time} {}", date_text(t), t.at.format("%:z")),
        None => date_text(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baku() -> Zone {
        Zone::named("Asia/Baku").unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2025-03-31T21:30:00Z".parse().unwrap()
    }

    #[test]
    fn partial_dates_carry_their_precision_and_start_in_the_zone() {
        let p = |s| parse("at", s, baku(), now()).unwrap();
        assert_eq!(p("2025-03").precision, DatePrecision::Month);
        assert_eq!(p("2025").precision, DatePrecision::Year);
        let day = p("2025-03-14");
        assert_eq!(day.precision, DatePrecision::Day);
        assert_eq!(day.at.to_rfc3339(), "2025-03-14T00:00:00+04:00");
        assert_eq!(p("14.03.2025"), day);
        let t = p("2025-03-14T09:30:00+01:00");
        assert_eq!(t.precision, DatePrecision::Minute);
        assert_eq!(t.at.offset().local_minus_utc(), 3600);
        assert_eq!(
            p("2025-03-14 09:30").at.to_rfc3339(),
            "2025-03-14T09:30:00+04:00"
        );
        // 21:30 UTC on 31 March is already 1 April in Baku.
        assert_eq!(p("today").at.to_rfc3339(), "2025-04-01T00:00:00+04:00");
        assert_eq!(p("now").at.to_rfc3339(), "2025-04-01T01:30:00+04:00");
    }

    #[test]
    fn impossible_years_and_text_are_refused_naming_the_field() {
        for bad in ["0000-03-01", "1899-12-31", "2101", "0000-03", "20255-01-01"] {
            let e = parse("--from", bad, baku(), now()).unwrap_err();
            assert_eq!(e.field(), "--from", "{bad}: {e}");
        }
        assert!(matches!(
            parse("occurred", "0000-03-01", baku(), now()),
            Err(DateError::YearOutOfRange { year: 0, .. })
        ));
        for bad in ["yesterday-ish", "2025-13", "2025-02-30", "31.02.2025", ""] {
            assert!(
                matches!(
                    parse("at", bad, baku(), now()),
                    Err(DateError::NotADate { .. })
                ),
                "{bad}"
            );
        }
        assert!(Zone::named("Mars/Olympus").is_err());
    }

    #[test]
    fn a_moment_field_refuses_a_date_without_a_time() {
        let e = parse_moment("due", "2025-03-20", baku(), now()).unwrap_err();
        assert!(matches!(e, DateError::NeedsTime { .. }), "{e}");
        assert_eq!(e.field(), "due");
        assert!(parse_moment("due", "2025-03", baku(), now()).is_err());
        assert_eq!(
            parse_moment("due", "2025-03-20 23:59", baku(), now())
                .unwrap()
                .to_rfc3339(),
            "2025-03-20T23:59:00+04:00"
        );
    }

    #[test]
    fn a_skipped_local_time_is_refused_and_a_repeated_one_is_the_first() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let e = parse("at", "2025-03-30 02:30", berlin, now()).unwrap_err();
        assert!(matches!(e, DateError::SkippedTime { .. }), "{e}");
        let t = parse("at", "2025-10-26 02:30", berlin, now()).unwrap();
        assert_eq!(t.at.to_rfc3339(), "2025-10-26T02:30:00+02:00");
    }

    #[test]
    fn a_period_covers_whole_days_months_and_years_in_the_zone() {
        let p = Period::parse(
            ("from", Some("2025-03")),
            ("to", Some("2025-03")),
            baku(),
            now(),
        )
        .unwrap();
        assert_eq!(p.from.unwrap().to_rfc3339(), "2025-03-01T00:00:00+04:00");
        assert_eq!(p.to.unwrap().to_rfc3339(), "2025-03-31T23:59:59+04:00");
        let until = Period::parse(("from", None), ("to", Some("2024")), baku(), now()).unwrap();
        assert_eq!(until.to.unwrap().to_rfc3339(), "2024-12-31T23:59:59+04:00");
        let e = Period::parse(
            ("--from", Some("2025-04-01")),
            ("--to", Some("2025-03-31")),
            baku(),
            now(),
        )
        .unwrap_err();
        assert_eq!(e.field(), "--to");
        assert_eq!(
            Period::parse(("from", Some(" ")), ("to", None), baku(), now()).unwrap(),
            Period::default()
        );
    }

    #[test]
    fn calendar_values_fall_in_one_period_by_their_first_day() {
        let z = baku();
        let march =
            Period::parse(("f", Some("2025-03")), ("t", Some("2025-03")), z, now()).unwrap();
        let april =
            Period::parse(("f", Some("2025-04")), ("t", Some("2025-04")), z, now()).unwrap();
        // A day recorded in UTC is still that day.
        let utc_day = event_time("at", "2025-03-31", None).unwrap();
        assert!(march.contains(&utc_day) && !april.contains(&utc_day));
        // A moment at 01:00 in Baku on 1 April is 21:00 UTC on 31 March.
        let moment = EventTime::exact("2025-04-01T01:00:00+04:00".parse().unwrap());
        assert!(!march.contains(&moment) && april.contains(&moment));
        assert_eq!(day_of(&moment, z).to_string(), "2025-04-01");
        assert_eq!(day_of(&moment, Zone::UTC).to_string(), "2025-03-31");
    }

    #[test]
    fn stored_parts_accept_dates_alone_and_refuse_a_false_precision() {
        let t = event_time("occurred.at", "2025-03-06", None).unwrap();
        assert_eq!(t.precision, DatePrecision::Day);
        let m = event_time("occurred.at", "2025-03", Some(DatePrecision::Month)).unwrap();
        assert_eq!(date_text(&m), "2025-03");
        let coarser = event_time("occurred.at", "2025-03-06", Some(DatePrecision::Year)).unwrap();
        assert_eq!(date_text(&coarser), "2025");
        let e = event_time("occurred.at", "2025-03-06", Some(DatePrecision::Minute)).unwrap_err();
        assert!(matches!(e, DateError::PrecisionTooFine { .. }), "{e}");
    }

    #[test]
    fn values_are_shown_without_a_time_they_do_not_have() {
        let at: DateTime<FixedOffset> = "2025-03-06T00:00:00+04:00".parse().unwrap();
        let with = |precision| show(&EventTime { at, precision });
        assert_eq!(with(DatePrecision::Day), "2025-03-06");
        assert_eq!(with(DatePrecision::Month), "2025-03");
        assert_eq!(with(DatePrecision::Year), "2025");
        assert_eq!(with(DatePrecision::Minute), "2025-03-06 00:00 +04:00");
        assert_eq!(with(DatePrecision::Hour), "2025-03-06 ~00:00 +04:00");
    }

    mod round_trip {
        use super::*;
        use proptest::prelude::*;

        fn precision() -> impl Strategy<Value = DatePrecision> {
            prop_oneof![
                Just(DatePrecision::Minute),
                Just(DatePrecision::Day),
                Just(DatePrecision::Month),
                Just(DatePrecision::Year),
            ]
        }

        proptest! {
            /// What Vekil shows or writes of a date reads back as the same
            /// date at the same precision: typed in any zone, and from
            /// JSON/CSV (`event_time`).
            #[test]
            fn shown_dates_read_back_the_same(
                days in 0i64..(200 * 366),
                minute in 0i64..(24 * 60),
                p in precision(),
                zone in prop_oneof![Just("Asia/Baku"), Just("Europe/Moscow"), Just("UTC"), Just("America/New_York")],
            ) {
                let zone = Zone::named(zone).unwrap();
                let day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(days);
                prop_assume!(day.year() <= 2100);
                let start = zone.start_of(day);
                let t = match p {
                    DatePrecision::Minute => EventTime::exact(start + Duration::minutes(minute)),
                    _ => EventTime { at: start, precision: p },
                };
                let t = EventTime { at: t.at, precision: t.precision };
                if is_calendar(p) {
                    let typed = parse("at", &date_text(&t), zone, Utc::now()).unwrap();
                    prop_assert_eq!(typed.precision, p);
                    prop_assert_eq!(date_text(&typed), date_text(&t));
                    let stored = event_time("at", &date_text(&t), None).unwrap();
                    prop_assert_eq!(stored.precision, p);
                    prop_assert_eq!(date_text(&stored), date_text(&t));
                    prop_assert_eq!(first_day(&stored), first_day(&typed));
                } else {
                    let typed = parse("at", &t.at.to_rfc3339(), zone, Utc::now()).unwrap();
                    prop_assert_eq!(typed.at, t.at);
                    prop_assert_eq!(typed.precision, DatePrecision::Minute);
                    let shown = format!("{} {}", date_text(&t), time_text(&t).unwrap());
                    let wall = parse("at", &shown, Zone::named("UTC").unwrap(), Utc::now()).unwrap();
                    prop_assert_eq!(wall.at.naive_local(), t.at.naive_local());
                }
            }
        }
    }
}
