// Stable codes shared with the core (its snake_case serde names). Labels
// come from the i18n dictionaries under the matching prefix.
import type { IncidentType } from "./bindings/IncidentType";
import type { FacilityType } from "./bindings/FacilityType";
import type { LegalStandard } from "./bindings/LegalStandard";
import type { Confidentiality } from "./bindings/Confidentiality";
import type { EvidenceKind } from "./bindings/EvidenceKind";
import type { HearingKind } from "./bindings/HearingKind";
import type { ProceduralStatus } from "./bindings/ProceduralStatus";
import type { CaseStatus } from "./bindings/CaseStatus";
import type { DatePrecision } from "./bindings/DatePrecision";
import type { WitnessKind } from "./bindings/WitnessKind";

export const INCIDENT_TYPES: readonly IncidentType[] = [
  "access_denied",
  "access_delayed",
  "meeting_without_confidentiality",
  "meeting_time_limited",
  "permit_refused",
  "whereabouts_withheld",
  "state_lawyer_substituted",
  "questioning_without_counsel",
  "lawyer_searched",
  "lawyer_threatened",
  "lawyer_summoned_as_witness",
  "action_against_lawyer",
  "other",
] as const;

export const FACILITY_TYPES: readonly FacilityType[] = [
  "police_station",
  "temporary_detention",
  "pretrial_detention",
  "prison_colony",
  "court",
  "security_service",
  "hospital",
  "other",
] as const;

export const STANDARDS: readonly LegalStandard[] = [
  "un_bprl_8",
  "un_bprl_16",
  "un_bprl_17",
  "un_bprl_18",
  "un_bprl_21",
  "iccpr_9",
  "iccpr_14_3_b",
  "iccpr_14_3_d",
  "echr_5",
  "echr_6_3_b",
  "echr_6_3_c",
  "echr_8",
  "echr_34",
  "cpt",
] as const;

export const CONFIDENTIALITY: readonly Confidentiality[] = ["normal", "confidential", "restricted"] as const;

export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  "document",
  "photo",
  "audio",
  "video",
  "medical_report",
  "witness_statement",
  "official_reply",
  "other",
] as const;

export const HEARING_KINDS: readonly HearingKind[] = [
  "preventive_measure",
  "detention_extension",
  "preliminary",
  "trial",
  "appeal",
  "cassation",
  "other",
] as const;

export const PROCEDURAL_STATUSES: readonly ProceduralStatus[] = [
  "suspect",
  "accused",
  "defendant",
  "convicted",
  "released",
  "witness",
  "other",
] as const;

export const CASE_STATUSES: readonly CaseStatus[] = [
  "investigation",
  "trial",
  "appeal",
  "cassation",
  "ecthr",
  "closed",
] as const;

export const PRECISIONS: readonly DatePrecision[] = ["minute", "hour", "day", "month", "year"] as const;

/** What NGO exports show instead of a witness's name ("relative 1"). */
export const WITNESS_KINDS: readonly WitnessKind[] = ["relative", "lawyer", "detainee", "official", "other"] as const;
