//! The facility register: each place where clients are held, once.
//!
//! Before the register, an incident carried its facility as typed, so one
//! detention centre written "Kürdəxanı", "KÜRDƏXANI" (or the same letters
//! decomposed, as macOS sends them) and "Kurdakhany" was three places in
//! the statistics. Now a place is a record of its own, with the other
//! spellings documents use for it (Azerbaijani Latin, Russian Cyrillic,
//! English transliteration); an incident links to it (`facility.id`), and
//! the store copies the entry's name, type, region and `identifying` flag
//! into the incident whenever either is saved, so every export, report and
//! reader of the incident log keeps seeing the facility it always saw.
//!
//! The register never leaves the vault: the incident's copy is what
//! exports carry (docs/formats/profiles.md).

use super::incident::FacilityType;
use super::validate::{self, Result, Validate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One place in the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct FacilityEntry {
    /// The name the lawyer uses, e.g. "Kürdəxanı İstintaq Təcridxanası".
    pub name: String,
    /// Kind of place.
    #[serde(default, rename = "type")]
    pub facility_type: FacilityType,
    /// Region or city.
    #[serde(default)]
    pub region: String,
    /// Naming the place would identify the client (a village police
    /// station): public exports show the region instead.
    #[serde(default)]
    pub identifying: bool,
    /// Other spellings of the name, as documents write it: "Кюрдаханы",
    /// "Kurdakhany". The quick log and `--at-facility` find the entry by
    /// any of them.
    #[serde(default)]
    pub spellings: Vec<String>,
    /// Address, visiting hours, anything else about the place.
    #[serde(default)]
    pub notes: String,
}

impl FacilityEntry {
    /// A new entry with only a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            facility_type: FacilityType::default(),
            region: String::new(),
            identifying: false,
            spellings: vec![],
            notes: String::new(),
        }
    }
}

impl Validate for FacilityEntry {
    fn validate_at(&self, p: &str) -> Result {
        validate::required(p, "name", &self.name)?;
        validate::short(p, "region", &self.region)?;
        validate::short_list(p, "spellings", &self.spellings)?;
        validate::long(p, "notes", &self.notes)
    }
}
