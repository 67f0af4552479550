import type { AppStatus } from "./lib/bindings/AppStatus";
import type { Settings } from "./lib/bindings/Settings";

declare global {
  interface Window {
    /** Set by the shell before the page's scripts run (src-tauri/src/lib.rs, boot_script). */
    __VEKIL_BOOT__?: { status: AppStatus | null; settings: Settings };
  }
}
