//! What a record is, as typed parts rather than a sentence.
//!
//! Lists, search hits and timelines show a one-line title. The core does
//! not word it: it hands over the parts (the record's kind, its type code,
//! the facility, the court…) and the window words them in the user's
//! language, the CLI and the calendar export in English. The text parts
//! are generic so that search can hand them over split into matching and
//! other pieces (`Title<Vec<SnippetPart>>`).

use super::{DeadlineKind, EvidenceKind, HearingKind, IncidentType};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The parts of a record's title. `T` is how text is handed over: a
/// `String`, or, in search hits, the text split into marked pieces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "of", rename_all = "snake_case")]
#[ts(export)]
pub enum Title<T = String> {
    /// A client.
    Client {
        /// Full name.
        full_name: T,
        /// Pseudonym.
        pseudonym: T,
    },
    /// A case.
    Case {
        /// Case number.
        case_number: T,
        /// Court, may be empty.
        court: T,
    },
    /// A hearing.
    Hearing {
        /// What the hearing decides.
        hearing_kind: HearingKind,
        /// Court, may be empty.
        court: T,
    },
    /// A deadline.
    Deadline {
        /// What is due.
        deadline_kind: DeadlineKind,
    },
    /// An incident.
    Incident {
        /// What happened.
        incident_type: IncidentType,
        /// Facility name.
        facility: T,
    },
    /// An evidence note.
    Evidence {
        /// What the evidence is.
        evidence_kind: EvidenceKind,
        /// First line of the description, at most 80 characters.
        description: T,
    },
    /// A place in the facility register.
    Facility {
        /// Its name.
        name: T,
        /// Its region, may be empty.
        region: T,
    },
}

impl<T> Title<T> {
    /// The same title with each text part turned into something else.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Title<U> {
        match self {
            Self::Client {
                full_name,
                pseudonym,
            } => Title::Client {
                full_name: f(full_name),
                pseudonym: f(pseudonym),
            },
            Self::Case { case_number, court } => Title::Case {
                case_number: f(case_number),
                court: f(court),
            },
            Self::Hearing {
                hearing_kind,
                court,
            } => Title::Hearing {
                hearing_kind: *hearing_kind,
                court: f(court),
            },
            Self::Deadline { deadline_kind } => Title::Deadline {
                deadline_kind: *deadline_kind,
            },
            Self::Incident {
                incident_type,
                facility,
            } => Title::Incident {
                incident_type: *incident_type,
                facility: f(facility),
            },
            Self::Evidence {
                evidence_kind,
                description,
            } => Title::Evidence {
                evidence_kind: *evidence_kind,
                description: f(description),
            },
            Self::Facility { name, region } => Title::Facility {
                name: f(name),
                region: f(region),
            },
        }
    }

    /// The text parts, in the order they are shown.
    pub fn texts(&self) -> Vec<&T> {
        match self {
            Self::Client {
                full_name,
                pseudonym,
            } => vec![full_name, pseudonym],
            Self::Case { case_number, court } => vec![case_number, court],
            Self::Hearing { court, .. } => vec![court],
            Self::Deadline { .. } => vec![],
            Self::Incident { facility, .. } => vec![facility],
            Self::Evidence { description, .. } => vec![description],
            Self::Facility { name, region } => vec![name, region],
        }
    }

    /// The title in English, each text part written by `text` (an empty
    /// result counts as a missing part): "Hearing: detention extension —
    /// Bakı Ağır Cinayətlər Məhkəməsi".
    pub fn english_with(&self, mut text: impl FnMut(&T) -> String) -> String {
        let spaced = |code: String| code.replace('_', " ");
        match self {
            Self::Client {
                full_name,
                pseudonym,
            } => format!("{} ({})", text(full_name), text(pseudonym)),
            Self::Case { case_number, court } => {
                let (n, court) = (text(case_number), text(court));
                if court.is_empty() {
                    format!("Case {n}")
                } else {
                    format!("Case {n} — {court}")
                }
            }
            Self::Hearing {
                hearing_kind,
                court,
            } => {
                let kind = spaced(super::serde_plain(hearing_kind));
                let court = text(court);
                if court.is_empty() {
                    format!("Hearing: {kind}")
                } else {
                    format!("Hearing: {kind} — {court}")
                }
            }
            Self::Deadline { deadline_kind } => {
                format!("Deadline: {}", spaced(super::serde_plain(deadline_kind)))
            }
            Self::Incident {
                incident_type,
                facility,
            } => format!("{} — {}", incident_type.label(), text(facility)),
            Self::Evidence { description, .. } => format!("Evidence: {}", text(description)),
            Self::Facility { name, region } => {
                let (name, region) = (text(name), text(region));
                if region.is_empty() {
                    format!("Facility: {name}")
                } else {
                    format!("Facility: {name} — {region}")
                }
            }
        }
    }
}

/// English, for the CLI and the calendar export.
impl std::fmt::Display for Title<String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english_with(String::clone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_title() -> impl Strategy<Value = Title> {
        let text = "[a-zA-Zəışçğöü\u{0400}-\u{04ff} ()—:/-]{0,20}";
        prop_oneof![
            (text, text).prop_map(|(full_name, pseudonym)| Title::Client {
                full_name,
                pseudonym
            }),
            (text, text).prop_map(|(case_number, court)| Title::Case { case_number, court }),
            (0..7usize, text).prop_map(|(k, court)| Title::Hearing {
                hearing_kind: [
                    HearingKind::PreventiveMeasure,
                    HearingKind::DetentionExtension,
                    HearingKind::Preliminary,
                    HearingKind::Trial,
                    HearingKind::Appeal,
                    HearingKind::Cassation,
                    HearingKind::Other,
                ][k],
                court
            }),
            (0..13usize, text).prop_map(|(t, facility)| Title::Incident {
                incident_type: IncidentType::ALL[t],
                facility
            }),
            (text, text).prop_map(|(name, region)| Title::Facility { name, region }),
            text.prop_map(|description| Title::Evidence {
                evidence_kind: EvidenceKind::Photo,
                description
            }),
            Just(Title::Deadline {
                deadline_kind: DeadlineKind::EcthrApplication
            }),
        ]
    }

    proptest! {
        /// The index keeps a title as JSON and reads it back for each hit.
        #[test]
        fn a_title_round_trips_through_json(t in any_title()) {
            let json = serde_json::to_string(&t).unwrap();
            let back: Title = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, t);
        }
    }

    #[test]
    fn english_is_what_the_cli_and_calendar_always_said() {
        let t = Title::Hearing {
            hearing_kind: HearingKind::DetentionExtension,
            court: "Bakı Ağır Cinayətlər Məhkəməsi".to_owned(),
        };
        assert_eq!(
            t.to_string(),
            "Hearing: detention extension — Bakı Ağır Cinayətlər Məhkəməsi"
        );
        let t = Title::Case {
            case_number: "1(101)-123/2025".to_owned(),
            court: String::new(),
        };
        assert_eq!(t.to_string(), "Case 1(101)-123/2025");
        let t: Title = Title::Deadline {
            deadline_kind: DeadlineKind::EcthrApplication,
        };
        assert_eq!(t.to_string(), "Deadline: ecthr application");
    }
}
