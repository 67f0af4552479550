// App-wide UI state. Holds no case records: screens fetch what they show
// into their own component state, which disappears when the vault locks and
// the screens unmount (and the backend then reloads the page). `lockNow` is
// the page's single path to the locked state.
import * as api from "./api";
import type { UnlockReport } from "./model";

/** What "Add evidence" on an incident or a case pre-links a new note to
 * (`incident_id`: the incident ticked first; the note may document more). */
export type EvidenceLink = { client_id?: string; case_id?: string; incident_id?: string };

export type Route =
  | { name: "clients" }
  | { name: "client"; id: string }
  | { name: "cases" }
  | { name: "case"; id: string }
  | { name: "agenda" }
  | { name: "incidents" }
  | { name: "incident"; id: string }
  | { name: "evidence"; id?: string; link?: EvidenceLink }
  | { name: "search" }
  | { name: "export" }
  | { name: "settings" };

export type Phase = "loading" | "create" | "unlock" | "app";

export const ui = $state({
  phase: "loading" as Phase,
  route: { name: "clients" } as Route,
  quickOpen: false,
  /** Screens shown with a sticky Save bar (see `main.save-bar`); a count,
   * as one may mount before the one it replaces is gone. */
  saveBars: 0,
  toast: "" as string,
  notice: "" as string,
  autoLockMinutes: 5,
  /** How lists name a client (Settings): "pseudonym" or "full_name". */
  clientNames: "pseudonym" as "pseudonym" | "full_name",
  vaultPath: "" as string,
  version: "" as string,
  /** The core's shortest accepted passphrase (from `vault_status`). */
  minPassphrase: 12,
  /** What the last unlock found, shown once on the first screen. */
  unlockReport: null as UnlockReport | null,
  /** A draft recovered after unlock, offered to the user once. */
  pendingDraft: null as DraftPayload | null,
  /** Values to put back into the quick form when a draft is resumed. */
  quickPrefill: null as Extract<DraftPayload, { form: "quick" }> | null,
  /** Values to put back into the full incident form when a draft is resumed. */
  incidentPrefill: null as Extract<DraftPayload, { form: "incident" }> | null,
});

/** What an open incident form can hand over when the vault locks under it. */
export type DraftPayload =
  | { form: "quick"; client_id: string; facility: string; at: string; incident_type: string }
  | { form: "incident"; id: string; revision: number; record: Record<string, unknown> };

let draftSource: (() => DraftPayload | null) | null = null;

/** An incident form registers itself; returns the unregister function. */
export function registerDraftSource(fn: () => DraftPayload | null): () => void {
  draftSource = fn;
  return () => {
    if (draftSource === fn) draftSource = null;
  };
}

export function navigate(route: Route): void {
  ui.route = route;
  ui.notice = "";
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
export function toast(message: string): void {
  ui.toast = message;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (ui.toast = ""), 4000);
}

/**
 * Lock the vault (button, Ctrl+Shift+L, or the backend asking before an
 * idle, sleep or session lock). Any incident typed but not saved is handed
 * to the backend, which keeps it as an encrypted draft inside the vault,
 * drops the key and reloads this page, so nothing of its heap survives.
 * The UI switches to the unlock screen first, so case data leaves the DOM
 * even before the backend answers.
 */
export async function lockNow(): Promise<void> {
  if (ui.phase !== "app") return;
  let draft: string | null = null;
  try {
    const d = draftSource?.();
    if (d) draft = JSON.stringify(d);
  } catch {
    draft = null;
  }
  draftSource = null;
  ui.phase = "unlock";
  ui.quickOpen = false;
  ui.route = { name: "clients" };
  ui.toast = "";
  ui.pendingDraft = null;
  ui.unlockReport = null;
  try {
    await api.vaultLock(draft);
  } catch {
    // The vault is closed on the backend side regardless; nothing to show.
  }
}

export async function afterUnlock(report: UnlockReport | null = null): Promise<void> {
  ui.unlockReport = report;
  ui.phase = "app";
  ui.route = { name: "clients" };
  try {
    const raw = await api.draftTake();
    if (raw) ui.pendingDraft = JSON.parse(raw) as DraftPayload;
  } catch {
    ui.pendingDraft = null;
  }
}

/**
 * Focuses the element matching `selector` once the screen being navigated
 * to has drawn it (headings get tabindex -1 for this), so keyboard users
 * land where they go on rather than on the page body. Gives up after ~2 s.
 */
export function focusWhenShown(selector: string): void {
  let frames = 120;
  const tryFocus = () => {
    const el = document.querySelector<HTMLElement>(selector);
    if (el) {
      if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
      el.focus();
    } else if (frames-- > 0) requestAnimationFrame(tryFocus);
  };
  requestAnimationFrame(tryFocus);
}
