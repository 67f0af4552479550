// Travel mode and quick erase, as the window keeps track of them: whether
// the vault is sealed, which full-screen travel view is up, and the erase
// countdown. Holds no case data and no secrets.
import * as api from "./api";
import { ui } from "./state.svelte";

export type TravelScreen = "none" | "sealed" | "erased";

/** Seconds of the visible countdown before an erase runs. */
export const ERASE_COUNTDOWN_SECS = 5;

export const travel = $state({
  /** The vault is sealed: the unlock screen offers the release steps. */
  sealed: window.__VEKIL_BOOT__?.status?.sealed ?? false,
  screen: "none" as TravelScreen,
  /** Seconds left before the erase runs; 0 when no countdown is on. */
  countdown: 0,
  /** What the last erase did, for the "erased" screen. */
  erasedKeysMs: 0,
  eraseError: "",
});

let timer: ReturnType<typeof setInterval> | undefined;

/** Starts the cancellable countdown (Settings → Erase, or the chord). */
export function startErase(): void {
  if (travel.countdown > 0 || travel.screen === "erased") return;
  travel.eraseError = "";
  travel.countdown = ERASE_COUNTDOWN_SECS;
  timer = setInterval(() => {
    travel.countdown -= 1;
    if (travel.countdown <= 0) {
      clearInterval(timer);
      void runErase();
    }
  }, 1000);
}

export function cancelErase(): void {
  clearInterval(timer);
  travel.countdown = 0;
}

async function runErase(): Promise<void> {
  travel.countdown = 0;
  // Case data leaves the screen first, whatever the backend takes.
  ui.quickOpen = false;
  ui.route = { name: "clients" };
  ui.phase = "create";
  travel.screen = "erased";
  try {
    const r = await api.vaultErase();
    travel.erasedKeysMs = r.keys_gone_ms;
  } catch (e) {
    travel.eraseError = (e as { message?: string })?.message ?? "";
  }
  travel.sealed = false;
}

/** After a successful seal: the window closes the vault and says so. */
export function showSealed(): void {
  ui.quickOpen = false;
  ui.route = { name: "clients" };
  ui.pendingDraft = null;
  ui.phase = "unlock";
  travel.sealed = true;
  travel.screen = "sealed";
}

/** The core erased the vault itself (the opt-in wipe after failed unlocks). */
export function showErasedIfWiped(e: unknown): void {
  if ((e as { kind?: string } | null)?.kind !== "wiped") return;
  ui.phase = "create";
  travel.sealed = false;
  travel.screen = "erased";
}
