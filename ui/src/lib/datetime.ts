// Dates typed by hand in the lawyer's own order. WebKitGTK draws
// <input type="date"> and "datetime-local" in the operating system's locale
// (month first, AM/PM on most machines here) whatever the page's language,
// so Vekil's forms use two text boxes instead: a day-first date and a
// 24-hour time. Their combined value keeps the datetime-local shape
// ("2026-11-24T09:30", or "2026-11-24" for a date alone), so validation and
// toRfc3339 work unchanged.
import type { Locale } from "./i18n/index.svelte";

/** What a date box holds that is not a date; validation reports it. */
export const INVALID = "invalid";

const separator: Record<Locale, string> = { en: "/", az: ".", ru: "." };

const pad = (n: number) => String(n).padStart(2, "0");

function realDate(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const ok =
    y >= 1900 && y <= 2200 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  return ok ? `${y}-${pad(m)}-${pad(d)}` : "";
}

/**
 * A typed date: day first with any of `. / - space` between the parts
 * (24.11.2026, 24/11/2026, 4-1-2026), or ISO (2026-11-24) when pasted.
 * Returns "YYYY-MM-DD", or "" when it is not a real calendar date.
 */
export function parseDate(text: string): string {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return realDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[./\-\s]+(\d{1,2})[./\-\s]+(\d{4})$/.exec(s);
  if (m) return realDate(Number(m[3]), Number(m[2]), Number(m[1]));
  return "";
}

/** A typed 24-hour time: 9:30, 09.30, 0930. Returns "HH:MM" or "". */
export function parseTime(text: string): string {
  const s = text.trim();
  const m = /^(\d{1,2})[:.\s]?(\d{2})$/.exec(s);
  if (!m) return "";
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? `${pad(h)}:${pad(min)}` : "";
}

/** "YYYY-MM-DD" → the box's text in the locale's order. */
export function formatDateText(iso: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return "";
  const sep = separator[locale];
  return `${m[3]}${sep}${m[2]}${sep}${m[1]}`;
}

/** Splits a value into the two boxes' texts. */
export function toTexts(value: string, locale: Locale): { date: string; time: string } {
  if (!value || value === INVALID) return { date: "", time: "" };
  return { date: formatDateText(value, locale), time: /T(\d{2}:\d{2})/.exec(value)?.[1] ?? "" };
}

/**
 * The value of the boxes: "" when both are empty, INVALID when something
 * was typed that is not a complete date (and time), else the ISO shape.
 * An ISO date-time pasted into the date box fills both parts.
 */
export function fromTexts(date: string, time: string, withTime: boolean): string {
  if (!date.trim() && !time.trim()) return "";
  const pasted = /^(\d{4}-\d{2}-\d{2})[T\s](\d{1,2}:\d{2})/.exec(date.trim());
  if (pasted) {
    const d = parseDate(pasted[1]);
    const t = parseTime(pasted[2]);
    if (!d || !t) return INVALID;
    return withTime ? `${d}T${t}` : d;
  }
  const d = parseDate(date);
  if (!d) return INVALID;
  if (!withTime) return d;
  const t = parseTime(time);
  return t ? `${d}T${t}` : INVALID;
}
