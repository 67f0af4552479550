// The one way visible text reaches the screen: t(key). Dates go through
// Intl.DateTimeFormat in the active locale (az dates read "24 noyabr 2026").
import en, { type Key } from "./en";
import az from "./az";
import ru from "./ru";

export type Locale = "en" | "az" | "ru";
export type { Key };
export const LOCALES: { code: Locale; name: string }[] = [
  { code: "en", name: "English" },
  { code: "az", name: "Azərbaycanca" },
  { code: "ru", name: "Русский" },
];

const dictionaries: Record<Locale, Record<Key, string>> = { en, az, ru };
const intlTag: Record<Locale, string> = { en: "en-GB", az: "az-Latn-AZ", ru: "ru-RU" };

export const i18n = $state({ locale: "en" as Locale });

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  document.documentElement.lang = locale;
}

export function isLocale(value: string): value is Locale {
  return value === "en" || value === "az" || value === "ru";
}

export function t(key: Key, params?: Record<string, string | number>): string {
  let text = dictionaries[i18n.locale][key] ?? en[key] ?? key;
  if (params) {
    for (const [name, value] of Object.entries(params)) {
      text = text.replaceAll(`{${name}}`, String(value));
    }
  }
  return text;
}

/** For keys built from backend codes (e.g. `type.${code}`); falls back to the code itself. */
export function tCode(prefix: string, code: string): string {
  const key = `${prefix}.${code}` as Key;
  return key in en ? t(key) : code;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A date formatter for the active locale, made once per locale and options:
 * building an Intl.DateTimeFormat costs far more than using one, and a list
 * of search hits or incidents formats one date per row (issue 12.8).
 */
function dtf(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const tag = intlTag[i18n.locale];
  const key = `${tag} ${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, options);
    formatters.set(key, f);
  }
  return f;
}

function parse(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(value: string | Date | null | undefined): string {
  const d = parse(value);
  if (!d) return "—";
  return dtf({ dateStyle: "long" }).format(d);
}

export function formatDateTime(value: string | Date | null | undefined): string {
  const d = parse(value);
  if (!d) return "—";
  return dtf({
    dateStyle: "medium",
    timeStyle: "short",
  }).format(d);
}

/**
 * An event time at its precision: a moment with its time; a value known
 * only to the day, month or year as that date alone, read from the text
 * as recorded (never through this computer's zone, which could move it a
 * day) and never with a time it does not have.
 */
export function formatEventTime(at: string | null | undefined, precision: string): string {
  if (precision === "minute") return formatDateTime(at);
  if (precision === "hour") return formatHour(at);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(at ?? "");
  if (!m) return "—";
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (precision === "year") return dtf({ year: "numeric", timeZone: "UTC" }).format(Date.UTC(y, 0, 1));
  if (precision === "month")
    return dtf({ year: "numeric", month: "long", timeZone: "UTC" }).format(Date.UTC(y, mo - 1, 1));
  return dtf({ dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(y, mo - 1, d));
}

/**
 * A value known to the hour: its hour with the minutes left out and marked
 * approximate ("6 Mar 2025, ~09:00"), as the core words it, because the
 * stored minutes were never known.
 */
function formatHour(at: string | null | undefined): string {
  const d = parse(at);
  if (!d) return "—";
  d.setMinutes(0, 0, 0);
  const parts = dtf({ dateStyle: "medium", timeStyle: "short" }).formatToParts(d);
  return parts.map((p) => (p.type === "hour" ? `~${p.value}` : p.value)).join("");
}

export function formatWeekday(value: string | Date | null | undefined): string {
  const d = parse(value);
  if (!d) return "—";
  return dtf({
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(d);
}

/** A file size in the active locale's words and decimal mark ("1,5 МБ"). */
export function formatSize(bytes: number): string {
  const [value, unit] =
    bytes < 1024 ? [bytes, "byte"] : bytes < 1024 * 1024 ? [bytes / 1024, "kilobyte"] : [bytes / 1024 / 1024, "megabyte"];
  return new Intl.NumberFormat(intlTag[i18n.locale], {
    style: "unit",
    unit: unit as string,
    unitDisplay: "short",
    maximumFractionDigits: 1,
  }).format(value as number);
}
