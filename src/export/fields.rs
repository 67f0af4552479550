//! What leaves the vault, field by field and profile by profile: the one
//! table.
//!
//! Redaction is an allow-list. Every field of every record kind is listed
//! here exactly once with its rule for each way an export can go
//! (`backup`: the full profile with no recipient, the lawyer's own copy;
//! `full` sent to organisations; `ngo`; `public`). The redaction code in
//! `redact.rs` destructures every record struct without `..`, so a field
//! added to a record does not compile until it is given a [`Field`] here,
//! and a [`Field`] without a rule does not compile either (the table is an
//! array indexed by the enum). `docs/formats/profiles.md` is this table
//! rendered ([`markdown`]); a test keeps the two identical, and the
//! export-fields integration test checks every format against it.
//!
//! The facility register (`FacilityEntry`) has no rows: it never leaves.
//! An incident carries its own copy of its facility, and that copy is
//! what leaves; its link to the register (`facility.id`) names an entry of
//! this vault only, and the JSON log's version 1 is frozen without it.

use super::Profile;

/// How one field leaves in one kind of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Leaves as stored.
    Leaves,
    /// Never leaves.
    Removed,
    /// The record itself does not leave in this kind of export.
    NoRecord,
    /// Leaves only if every recipient has the client's consent to health
    /// details (`include_health`), or in the lawyer's own backup.
    HealthConsent,
    /// Leaves only if the incident's notes are marked shareable.
    Shareable,
    /// A link: leaves only if the record it points to leaves too.
    Link,
    /// Replaced; the text says by what (the code in `redact.rs` does it).
    Replaced(&'static str),
}

impl Rule {
    /// The words `docs/formats/profiles.md` uses for the rule.
    pub fn words(self) -> String {
        match self {
            Self::Leaves => "leaves".into(),
            Self::Removed => "**removed**".into(),
            Self::NoRecord => "—".into(),
            Self::HealthConsent => "with health consent".into(),
            Self::Shareable => "if marked shareable".into(),
            Self::Link => "if the linked record leaves".into(),
            Self::Replaced(by) => format!("**replaced**: {by}"),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    /// The field.
    pub field: Field,
    /// The record kind as the documentation names it.
    pub record: &'static str,
    /// JSON path of the field within its record (`witnesses[].name`).
    pub path: &'static str,
    /// The full profile without recipients: the lawyer's own backup.
    pub backup: Rule,
    /// The full profile sent to organisations.
    pub full: Rule,
    /// The NGO-confidential profile.
    pub ngo: Rule,
    /// The public report.
    pub public: Rule,
}

impl FieldRule {
    /// The rule for an export with this profile, with or without recipients.
    pub fn rule(&self, profile: Profile, backup: bool) -> Rule {
        match profile {
            Profile::Full if backup => self.backup,
            Profile::Full => self.full,
            Profile::Ngo => self.ngo,
            Profile::Public => self.public,
        }
    }
}

macro_rules! fields {
    ($( $variant:ident = $record:literal $path:literal : $backup:expr, $full:expr, $ngo:expr, $public:expr; )*) => {
        /// Every field of every record that an export can carry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Field { $($variant),* }

        /// The table, in [`Field`] order (so `TABLE[f as usize]` is `f`'s row).
        pub const TABLE: &[FieldRule] = &[
            $( FieldRule { field: Field::$variant, record: $record, path: $path,
                           backup: $backup, full: $full, ngo: $ngo, public: $public } ),*
        ];
    };
}

use Rule::{HealthConsent as Health, Leaves as L, Link, NoRecord as No, Removed as R, Shareable};

const NO_HEALTH_FLAG: Rule = Rule::Replaced("without the `health` flag");
const EXPORTED_CLIENTS: Rule = Rule::Replaced("only clients who leave too");
const EXPORTED_INCIDENTS: Rule = Rule::Replaced("only the incidents that leave too");
const REGION: Rule =
    Rule::Replaced("the region if the facility is marked `identifying` (else leaves)");
const WITNESS_LABEL: Rule = Rule::Replaced("the witness's kind and number, e.g. `relative 1`");
const CUSTODIAN_LABEL: Rule =
    Rule::Replaced("`custodian <n>`, the same number for the same person within a note");
const CLEAN_HASH: Rule = Rule::Replaced("the hash of the copy without metadata");
const CLEAN_SIZE: Rule = Rule::Replaced("the size of the copy without metadata");
const NEUTRAL_NAME: Rule = Rule::Replaced("`evidence-<n>.<ext>`");

fields! {
    RecordId = "every record" "id": L, L, L, L;
    RecordRevision = "every record" "revision": L, L, L, L;
    RecordCreatedAt = "every record" "created_at": L, L, L, L;
    RecordUpdatedAt = "every record" "updated_at": L, L, L, L;

    ClientFullName = "client" "full_name": L, L, R, R;
    ClientPseudonym = "client" "pseudonym": L, L, L, L;
    ClientProceduralStatus = "client" "procedural_status": L, L, L, L;
    ClientArrestedAt = "client" "arrested_at": L, L, L, R;
    ClientPlaceOfDetention = "client" "place_of_detention": L, L, L, R;
    ClientCharges = "client" "charges": L, L, L, R;
    ClientCaseNumbers = "client" "case_numbers": L, L, L, R;
    ClientContactLabel = "client" "contacts[].label": L, L, R, R;
    ClientContactValue = "client" "contacts[].value": L, L, R, R;
    ClientRiskFlags = "client" "risk_flags": L, L, NO_HEALTH_FLAG, NO_HEALTH_FLAG;
    ClientNotes = "client" "notes": L, L, R, R;

    CaseClientIds = "case" "client_ids": L, EXPORTED_CLIENTS, EXPORTED_CLIENTS, No;
    CaseNumber = "case" "case_number": L, L, L, No;
    CaseCourt = "case" "court": L, L, L, No;
    CaseInvestigatingAuthority = "case" "investigating_authority": L, L, L, No;
    CaseJudge = "case" "judge": L, L, L, No;
    CaseProsecutor = "case" "prosecutor": L, L, L, No;
    CaseCharges = "case" "charges": L, L, L, No;
    CaseStatus = "case" "status": L, L, L, No;
    CaseOpenedOn = "case" "opened_on": L, L, L, No;
    CaseClosedOn = "case" "closed_on": L, L, L, No;
    CaseNotes = "case" "notes": L, L, R, No;

    IncidentClientId = "incident" "client_id": L, L, L, L;
    IncidentCaseId = "incident" "case_id": L, Link, Link, R;
    IncidentType = "incident" "type": L, L, L, L;
    IncidentOccurredAt = "incident" "occurred.at": L, L, L, L;
    IncidentOccurredPrecision = "incident" "occurred.precision": L, L, L, L;
    IncidentFacilityId = "incident" "facility.id": R, R, R, R;
    IncidentFacilityName = "incident" "facility.name": L, L, L, REGION;
    IncidentFacilityType = "incident" "facility.type": L, L, L, L;
    IncidentFacilityRegion = "incident" "facility.region": L, L, L, L;
    IncidentFacilityIdentifying = "incident" "facility.identifying": L, L, L, L;
    IncidentRequestedAt = "incident" "requested_at": L, L, L, L;
    IncidentRefusedAt = "incident" "refused_at": L, L, L, L;
    IncidentMeetingAt = "incident" "meeting_at": L, L, L, L;
    IncidentMinutesWaited = "incident" "minutes_waited": L, L, L, L;
    IncidentMeetingMinutes = "incident" "meeting_minutes": L, L, L, L;
    IncidentAuthority = "incident" "authority": L, L, L, L;
    IncidentOfficialName = "incident" "officials[].name": L, L, L, L;
    IncidentOfficialRank = "incident" "officials[].rank": L, L, L, L;
    IncidentOfficialUnit = "incident" "officials[].unit": L, L, L, L;
    IncidentOfficialBadge = "incident" "officials[].badge": L, L, L, L;
    IncidentReasonGiven = "incident" "reason_given": L, L, L, L;
    IncidentWrittenRefusal = "incident" "written_refusal": L, L, L, L;
    IncidentLegalBasisCited = "incident" "legal_basis_cited": L, L, L, L;
    IncidentMeetingConditions = "incident" "meeting_conditions": L, L, L, L;
    IncidentClientCondition = "incident" "client_condition": L, Health, Health, Health;
    IncidentVisibleInjuries = "incident" "visible_injuries": L, Health, Health, Health;
    IncidentWitnessName = "incident" "witnesses[].name": L, L, WITNESS_LABEL, R;
    IncidentWitnessKind = "incident" "witnesses[].kind": L, L, L, R;
    IncidentWitnessRole = "incident" "witnesses[].role": L, L, R, R;
    IncidentWitnessContact = "incident" "witnesses[].contact": L, L, R, R;
    IncidentRemedyComplaintTo = "incident" "remedies[].complaint_to": L, L, L, L;
    IncidentRemedyFiledOn = "incident" "remedies[].filed_on": L, L, L, L;
    IncidentRemedyReference = "incident" "remedies[].reference": L, L, L, R;
    IncidentRemedyResponse = "incident" "remedies[].response": L, L, L, L;
    IncidentRemedyResponseOn = "incident" "remedies[].response_on": L, L, L, L;
    IncidentStandards = "incident" "standards": L, L, L, L;
    IncidentDomesticArticles = "incident" "domestic_articles": L, L, L, L;
    IncidentConfidentiality = "incident" "confidentiality": L, L, L, L;
    IncidentConsentRecipient = "incident" "consent[].recipient": L, R, R, R;
    IncidentConsentGranted = "incident" "consent[].granted": L, R, R, R;
    IncidentConsentHealth = "incident" "consent[].include_health": L, R, R, R;
    IncidentConsentRecordedOn = "incident" "consent[].recorded_on": L, R, R, R;
    IncidentStatus = "incident" "status": L, L, L, L;
    IncidentNotes = "incident" "notes": L, L, Shareable, Shareable;
    IncidentNotesShareable = "incident" "notes_shareable": L, L, L, L;

    EvidenceIncidentIds = "evidence" "incident_ids": L, EXPORTED_INCIDENTS, EXPORTED_INCIDENTS, No;
    EvidenceCaseId = "evidence" "case_id": L, Link, Link, No;
    EvidenceClientId = "evidence" "client_id": L, Link, Link, No;
    EvidenceKind = "evidence" "kind": L, L, L, No;
    EvidenceDescription = "evidence" "description": L, L, L, No;
    EvidenceSource = "evidence" "source": L, L, R, No;
    EvidenceObtainedAt = "evidence" "obtained_at": L, L, L, No;
    EvidenceAttachmentSha256 = "evidence" "attachments[].sha256": L, CLEAN_HASH, CLEAN_HASH, No;
    EvidenceAttachmentFileName = "evidence" "attachments[].file_name": L, L, NEUTRAL_NAME, No;
    EvidenceAttachmentSize = "evidence" "attachments[].size": L, CLEAN_SIZE, CLEAN_SIZE, No;
    EvidenceAttachmentMediaType = "evidence" "attachments[].media_type": L, L, L, No;
    EvidenceCustodyWho = "evidence" "custody[].who": L, L, CUSTODIAN_LABEL, No;
    EvidenceCustodyAt = "evidence" "custody[].at": L, L, L, No;
    EvidenceCustodyAction = "evidence" "custody[].action": L, L, L, No;

    HearingCaseId = "hearing (calendar only)" "case_id": L, Link, Link, No;
    HearingAt = "hearing (calendar only)" "at": L, L, L, No;
    HearingKind = "hearing (calendar only)" "kind": L, L, L, No;
    HearingCourt = "hearing (calendar only)" "court": L, L, L, No;
    HearingCourtroom = "hearing (calendar only)" "courtroom": L, L, L, No;
    HearingJudge = "hearing (calendar only)" "judge": L, L, L, No;
    HearingOutcome = "hearing (calendar only)" "outcome": R, R, R, No;
    HearingNextStep = "hearing (calendar only)" "next_step": L, L, R, No;
    HearingNotes = "hearing (calendar only)" "notes": R, R, R, No;

    DeadlineCaseId = "deadline (calendar only)" "case_id": L, Link, Link, No;
    DeadlineDue = "deadline (calendar only)" "due": L, L, L, No;
    DeadlineKind = "deadline (calendar only)" "kind": L, L, L, No;
    DeadlineSourceRule = "deadline (calendar only)" "source_rule": L, L, L, No;
    DeadlineDone = "deadline (calendar only)" "done": L, L, L, No;
    DeadlineNotes = "deadline (calendar only)" "notes": R, R, R, No;
}

impl Field {
    /// This field's row.
    pub fn row(self) -> &'static FieldRule {
        &TABLE[self as usize]
    }
}

/// The table as `docs/formats/profiles.md` shows it.
pub fn markdown() -> String {
    let mut out = String::from(
        "| record | field | full, own backup | full, to organisations | ngo | public |\n\
         |---|---|---|---|---|---|\n",
    );
    for r in TABLE {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            r.record,
            r.path,
            r.backup.words(),
            r.full.words(),
            r.ngo.words(),
            r.public.words()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_field_order_and_names_each_path_once() {
        let mut seen = std::collections::HashSet::new();
        for (i, r) in TABLE.iter().enumerate() {
            assert_eq!(r.field as usize, i, "{:?} is out of order", r.field);
            assert!(
                seen.insert((r.record, r.path)),
                "{} {} twice",
                r.record,
                r.path
            );
        }
    }

    /// `docs/formats/profiles.md` is the table; regenerate it with
    /// `VEKIL_WRITE_DOCS=1 cargo test -p vekil --lib export::fields`.
    #[test]
    fn the_documentation_is_the_table() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/formats/profiles.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        const BEGIN: &str = "<!-- fields:begin (generated from src/export/fields.rs) -->\n";
        const END: &str = "<!-- fields:end -->";
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/formats/profiles.md lacks the generated-table markers");
        };
        let current = &doc[b + BEGIN.len()..e];
        let want = markdown();
        if current != want && std::env::var_os("VEKIL_WRITE_DOCS").is_some() {
            let new = format!("{}{BEGIN}{want}{}", &doc[..b], &doc[e..]);
            std::fs::write(&path, new).expect("write docs");
            return;
        }
        assert_eq!(
            current, want,
            "docs/formats/profiles.md is stale: rerun with VEKIL_WRITE_DOCS=1"
        );
    }
}
