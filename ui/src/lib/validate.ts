// Client-side checks run before every save; the backend validates again.
import { t } from "./i18n/index.svelte";
import type { CommandError } from "./model";
import type { Key } from "./i18n/en";
import en from "./i18n/en";

export const MAX_TEXT = 20_000;
export const MAX_SHORT = 300;
export const MAX_PASTE = 100_000;

export function required(value: string | null | undefined): string {
  return value && value.trim() ? "" : t("err.required");
}

export function maxLen(value: string | null | undefined, max = MAX_SHORT): string {
  return value && value.length > max ? t("err.tooLong", { max }) : "";
}

/** The core's passphrase rule, counted in characters as Rust counts them. */
export function passphraseError(p: string, min: number): string {
  return [...p].length < min ? t("err.passphraseShort", { min }) : "";
}

export function firstError(...checks: string[]): string {
  return checks.find((c) => c) ?? "";
}

export function validDateTime(value: string): string {
  if (!value) return t("err.required");
  return Number.isNaN(new Date(value).getTime()) ? t("err.invalidDate") : "";
}

/** An optional date box (DateTimeField without time): empty is fine. */
export function validDate(value: string): string {
  return value && Number.isNaN(new Date(value).getTime()) ? t("err.invalidDay") : "";
}

/** A backend error as a sentence in the user's language (never a raw code). */
export function errorText(e: unknown): string {
  const err = e as Partial<CommandError> | null;
  const kind = err?.kind ?? "";
  const key = `err.${kind}` as Key;
  if (kind && key in en) {
    return t(key, { seconds: err?.retry_after_secs ?? 0 });
  }
  return t("err.generic");
}

/**
 * A failed save in a record form: an error about one field goes beside that
 * field, anything else above the buttons; `conflict` offers the saved version.
 */
export function saveFailure(
  e: unknown,
  errors: Record<string, string>,
  field = errorField(e),
): { formError: string; conflict: boolean } {
  const conflict = (e as { kind?: string } | null)?.kind === "conflict";
  if (field && field in errors) {
    errors[field] = errorText(e);
    return { formError: "", conflict };
  }
  return { formError: errorText(e), conflict };
}

/** Field name reported by a backend validation error, when there is one. */
export function errorField(e: unknown): string {
  const err = e as { field?: string | null } | null;
  return err?.field ?? "";
}

/** `<input type="datetime-local">` value for now, in local time. */
export function nowLocal(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** datetime-local value -> RFC 3339 with the local offset. */
export function toRfc3339(local: string): string {
  const d = new Date(local);
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? local + ":00" : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

/** RFC 3339 -> datetime-local value in local time. */
export function toLocalInput(value: string | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
