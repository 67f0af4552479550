// UI-side names for the types generated from Rust (ts-rs, ./bindings).
// `Stored<T>` serialises flat, so a stored record is the record plus Meta.
import type { Client } from "./bindings/Client";
import type { Case } from "./bindings/Case";
import type { Hearing } from "./bindings/Hearing";
import type { Incident } from "./bindings/Incident";
import type { EvidenceNote } from "./bindings/EvidenceNote";

export type { Client, Case, Hearing, Incident, EvidenceNote };
export type { AttachmentRef } from "./bindings/AttachmentRef";
export type { CustodyEntry } from "./bindings/CustodyEntry";
export type { TimelineEntry } from "./bindings/TimelineEntry";
export type { SearchHit } from "./bindings/SearchHit";
export type { SnippetPart } from "./bindings/SnippetPart";
export type { Kind } from "./bindings/Kind";
export type { CommandError } from "./bindings/CommandError";
export type { AppStatus } from "./bindings/AppStatus";
export type { CreatedVault } from "./bindings/CreatedVault";
export type { Settings } from "./bindings/Settings";
export type { ZoneSetting } from "./bindings/ZoneSetting";
export type { QuickIncident } from "./bindings/QuickIncident";
export type { UnlockReport } from "./bindings/UnlockReport";
export type { UnlockNotice } from "./bindings/UnlockNotice";
export type { VerifyReport } from "./bindings/VerifyReport";

import type { RecordMeta as Meta } from "./bindings/RecordMeta";
export type { Meta };
export type StoredClient = Meta & Client;
export type StoredCase = Meta & Case;
export type StoredHearing = Meta & Hearing;
export type StoredIncident = Meta & Incident;
export type StoredEvidence = Meta & EvidenceNote;

// deadlines (records area)
import type { Deadline } from "./bindings/Deadline";
export type { Deadline };
export type StoredDeadline = Meta & Deadline;

/** Mirrors `vekil::overview::ClientOverview` (core, src/overview.rs). */
export interface ClientOverview {
  client: StoredClient;
  cases: StoredCase[];
  hearings: StoredHearing[];
  /** The newest page of incidents; `clientIncidents` gives the next ones. */
  incidents: StoredIncident[];
  /** How many incidents the client has in all. */
  incident_total: number;
  evidence: StoredEvidence[];
}
