// The only module that calls `invoke`. One typed function per backend
// command; errors always arrive as CommandError {kind, message}.
import type { FacilitySuggestion } from "./bindings/FacilitySuggestion";
import { invoke } from "@tauri-apps/api/core";
import type * as M from "./model";

export type { CommandError } from "./model";
import type { ChosenFile } from "./bindings/ChosenFile";
export type { ChosenFile };

function toCommandError(e: unknown): M.CommandError {
  if (e && typeof e === "object" && "kind" in e && "message" in e) {
    return e as M.CommandError;
  }
  return { kind: "internal", message: "", field: null, retry_after_secs: null };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

// vault
export const vaultStatus = () => call<M.AppStatus>("vault_status");
export const vaultCreate = (passphrase: string) =>
  call<M.CreatedVault>("vault_create", { passphrase });
export const vaultUnlock = (passphrase: string) =>
  call<M.UnlockReport>("vault_unlock", { passphrase });
export const vaultRecover = (recoveryCode: string, newPassphrase: string) =>
  call<M.UnlockReport>("vault_recover", { recoveryCode, newPassphrase });
export const vaultLock = (draft: string | null) => call<null>("vault_lock", { draft });
/** Input was seen: the backend's auto-lock timer starts again. */
export const activity = () => call<null>("activity");
export const vaultChangePassphrase = (current: string, next: string) =>
  call<null>("vault_change_passphrase", { current, next });
export const draftTake = () => call<string | null>("draft_take");
export const vaultVerify = () => call<M.VerifyReport>("vault_verify");

// clients
export const clientList = () => call<M.StoredClient[]>("client_list");
export const clientCreate = (client: M.Client) => call<M.StoredClient>("client_create", { client });
export const clientOverview = (id: string) => call<M.ClientOverview>("client_overview", { id });
export const clientIncidents = (id: string, offset: number) =>
  call<M.StoredIncident[]>("client_incidents", { id, offset });

// cases
export const caseList = () => call<M.StoredCase[]>("case_list");
export const caseCreate = (record: M.Case) => call<M.StoredCase>("case_create", { record });
export const caseGet = (id: string) => call<M.StoredCase>("case_get", { id });
export const caseTimeline = (id: string) => call<M.TimelineEntry[]>("case_timeline", { id });

// hearings
export const hearingCreate = (hearing: M.Hearing) =>
  call<M.StoredHearing>("hearing_create", { hearing });
export const agenda = (days: number) => call<M.TimelineEntry[]>("agenda", { days });

// incidents
export const incidentQuick = (quick: M.QuickIncident) =>
  call<M.StoredIncident>("incident_quick", { quick });
export const incidentList = () => call<M.StoredIncident[]>("incident_list");
export const incidentGet = (id: string) => call<M.StoredIncident>("incident_get", { id });
export const incidentUpdate = (id: string, revision: number, incident: M.Incident) =>
  call<M.StoredIncident>("incident_update", { id, revision, incident });
// the facility register: entries matching any spelling, most used first
export const facilitySuggest = (text: string) =>
  call<FacilitySuggestion[]>("facility_suggest", { text });

// evidence
export const evidenceList = () => call<M.StoredEvidence[]>("evidence_list");
export const evidenceCreate = (evidence: M.EvidenceNote) =>
  call<M.StoredEvidence>("evidence_create", { evidence });
export const evidenceGet = (id: string) => call<M.StoredEvidence>("evidence_get", { id });
/** The notes that document incident `id`, whatever else they document. */
export const evidenceOfIncident = (id: string) => call<M.StoredEvidence[]>("evidence_of_incident", { id });
export const evidenceUpdate = (id: string, revision: number, evidence: M.EvidenceNote) =>
  call<M.StoredEvidence>("evidence_update", { id, revision, evidence });
/** Sends the file's bytes as a raw IPC body (no JSON number arrays). */
export async function evidenceAttach(
  evidenceId: string,
  fileName: string,
  bytes: Uint8Array,
): Promise<M.AttachmentRef> {
  try {
    return await invoke<M.AttachmentRef>("evidence_attach", bytes, {
      headers: {
        "x-evidence-id": evidenceId,
        "x-file-name": encodeURIComponent(fileName),
      },
    });
  } catch (e) {
    throw toCommandError(e);
  }
}
/**
 * Runs the backend's open dialog for a file to attach; `null` if cancelled.
 * The page gets a token and the file's name, never its path.
 */
export const evidenceChooseFile = (title: string) =>
  call<ChosenFile | null>("evidence_choose_file", { title });
/** Encrypts the chosen or dropped file behind `file` (a token) into the vault. */
export const evidenceAttachFile = (evidenceId: string, file: string) =>
  call<M.AttachmentRef>("evidence_attach_file", { evidenceId, file });
export const attachmentRead = (sha256: string) =>
  call<ArrayBuffer>("attachment_read", { sha256 });

// search
export const search = (text: string) => call<M.SearchHit[]>("search", { text });

// settings
export const settingsGet = () => call<M.Settings>("settings_get");
export const settingsSet = (settings: M.Settings) => call<M.Settings>("settings_set", { settings });
// The vault's time zone: kept in the vault, it draws every day boundary.
export const timeZoneGet = () => call<M.ZoneSetting>("time_zone_get");
export const timeZoneSet = (zone: string | null) => call<M.ZoneSetting>("time_zone_set", { zone });
export const timeZoneNames = () => call<string[]>("time_zone_names");

// export (recipients, preview, write, statistics)
import type { Recipient } from "./bindings/Recipient";
import type { Preview } from "./bindings/Preview";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { ExportDone } from "./bindings/ExportDone";
import type { SigningPublicKey } from "./bindings/SigningPublicKey";
import type { Stats } from "./bindings/Stats";
export type { Recipient, Preview, ExportRequest, ExportFormat, ExportDone, SigningPublicKey, Stats };
export const recipientList = () => call<Recipient[]>("recipient_list");
export const recipientAdd = (name: string, agePublicKey: string) =>
  call<Recipient>("recipient_add", { name, agePublicKey });
export const recipientRemove = (name: string) => call<boolean>("recipient_remove", { name });
export const signingPublicKey = () => call<SigningPublicKey>("signing_public_key");
export const exportPreview = (request: ExportRequest) => call<Preview>("export_preview", { request });
/** Runs the backend's save dialog for an export file; `null` if cancelled. */
export const exportDestination = (format: ExportFormat, title: string) =>
  call<ChosenFile | null>("export_destination", { format, title });
/** Writes the export where `destination` (a token from `exportDestination`) points. */
export const exportWrite = (request: ExportRequest, destination: string) =>
  call<ExportDone>("export_write", { request, destination });
/** The organisations ticked last time in this vault. */
export const recipientChoiceGet = () => call<string[]>("recipient_choice_get");
export const recipientChoiceSet = (names: string[]) => call<string[]>("recipient_choice_set", { names });
export const exportStats = () => call<Stats>("export_stats");

// events: export progress and lock requests (capability: listen/unlisten only)
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { Progress } from "./bindings/Progress";
import type { HeldBack } from "./bindings/HeldBack";
import type { PreviewTitle } from "./bindings/PreviewTitle";
import type { AttachmentStatus } from "./bindings/AttachmentStatus";
import type { MetadataHold } from "./bindings/MetadataHold";
import type { FilesDropped } from "./bindings/FilesDropped";
export type { Progress, HeldBack, PreviewTitle, AttachmentStatus, MetadataHold, FilesDropped };
/** Calls `f` with each `export-progress` event of `export_write`; resolves to the unsubscribe function. */
export const onExportProgress = (f: (p: Progress) => void): Promise<UnlistenFn> =>
  listen<Progress>("export-progress", (e) => f(e.payload));
/** Files dropped on the window, received by the backend: tokens and names, never paths. */
export const onFilesDropped = (f: (d: FilesDropped) => void): Promise<UnlistenFn> =>
  listen<FilesDropped>("files-dropped", (e) => f(e.payload));
/** The backend is about to lock (idle, sleep, session lock): hand over the unsaved form now. */
export const onLockRequested = (f: () => void): Promise<UnlistenFn> =>
  listen("vault-lock-requested", () => f());

// editing records and deadlines
export const clientUpdate = (id: string, revision: number, client: M.Client) =>
  call<M.StoredClient>("client_update", { id, revision, client });
export const caseUpdate = (id: string, revision: number, record: M.Case) =>
  call<M.StoredCase>("case_update", { id, revision, record });
export const hearingGet = (id: string) => call<M.StoredHearing>("hearing_get", { id });
export const hearingUpdate = (id: string, revision: number, hearing: M.Hearing) =>
  call<M.StoredHearing>("hearing_update", { id, revision, hearing });
export const deadlineCreate = (deadline: M.Deadline) =>
  call<M.StoredDeadline>("deadline_create", { deadline });
export const deadlineGet = (id: string) => call<M.StoredDeadline>("deadline_get", { id });
export const deadlineUpdate = (id: string, revision: number, deadline: M.Deadline) =>
  call<M.StoredDeadline>("deadline_update", { id, revision, deadline });

// travel mode and quick erase
import type { TravelStatus } from "./bindings/TravelStatus";
import type { PendingRelease } from "./bindings/PendingRelease";
import type { PickedRelease } from "./bindings/PickedRelease";
import type { TravelOpened } from "./bindings/TravelOpened";
import type { EraseReport } from "./bindings/EraseReport";
export type { TravelStatus, PendingRelease, PickedRelease, TravelOpened, EraseReport };
export const travelStatus = () => call<TravelStatus | null>("travel_status");
export const travelSeal = (passphrase: string, custodians: string[], threshold: number | null) =>
  call<TravelStatus>("travel_seal", { passphrase, custodians, threshold });
/** Runs the backend's save dialog for the release request; `null` if cancelled. */
export const travelRequestDestination = (title: string) =>
  call<ChosenFile | null>("travel_request_destination", { title });
export const travelRequest = (destination: string) =>
  call<PendingRelease>("travel_request", { destination });
export const travelCheck = (releases: PickedRelease[]) => call<null>("travel_check", { releases });
export const travelOpen = (releases: PickedRelease[], newPassphrase: string) =>
  call<TravelOpened>("travel_open", { releases, newPassphrase });
export const vaultErase = () => call<EraseReport>("vault_erase");
export const wipeAfterGet = () => call<number | null>("wipe_after_get");
export const wipeAfterSet = (passphrase: string, limit: number | null) =>
  call<null>("wipe_after_set", { passphrase, limit });

// encrypted backup and restore: the backend runs every file dialog (the
// shared one every export uses); the page holds only one-use tokens
import type { BackupRequest } from "./bindings/BackupRequest";
import type { BackupSummary } from "./bindings/BackupSummary";
import type { PickedBackup } from "./bindings/PickedBackup";
import type { RestoreRequest } from "./bindings/RestoreRequest";
import type { RestoreDone } from "./bindings/RestoreDone";
import type { BackupProgress } from "./bindings/BackupProgress";
export type { BackupRequest, BackupSummary, PickedBackup, RestoreRequest, RestoreDone, BackupProgress };
/** The save dialog for a new backup file; `null` when cancelled. */
export const backupDestination = (title: string) => call<ChosenFile | null>("backup_destination", { title });
/** Writes the backup to the file behind `destination` (a token from `backupDestination`). */
export const backupWrite = (request: BackupRequest, destination: string) =>
  call<BackupSummary>("backup_write", { request, destination });
/** The open dialog for a backup to restore; `null` when cancelled. */
export const backupChoose = (title: string) => call<PickedBackup | null>("backup_choose", { title });
/** The open dialog for the key file that opens a backup; `null` when cancelled. */
export const backupChooseIdentity = (title: string) => call<ChosenFile | null>("backup_choose_identity", { title });
/** The folder dialog for a new, empty folder to restore into; `null` when cancelled. */
export const backupChooseFolder = (title: string) => call<ChosenFile | null>("backup_choose_folder", { title });
/** Restores the chosen backup; a failure gives the tokens back for a retry. */
export const backupRestore = (request: RestoreRequest) => call<RestoreDone>("backup_restore", { request });
/** Calls `f` with each `backup-progress` event; resolves to the unsubscribe function. */
export const onBackupProgress = (f: (p: BackupProgress) => void): Promise<UnlistenFn> =>
  listen<BackupProgress>("backup-progress", (e) => f(e.payload));
