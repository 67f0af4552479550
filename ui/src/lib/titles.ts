// Titles of records, worded in the window's language from the typed parts
// the core sends (`Title` in src/model/title.rs). The core never sends a
// sentence, so nothing here takes an English string apart.
import type { Title } from "./bindings/Title";
import type { SnippetPart } from "./bindings/SnippetPart";
import { t, tCode } from "./i18n/index.svelte";

export type { Title };

const plain = (text: string): SnippetPart[] => (text ? [{ text, hit: false }] : []);
const present = (parts: SnippetPart[]) => parts.some((p) => p.text);

/** Parts joined by " — ", skipping empty ones. */
function dashed(...groups: SnippetPart[][]): SnippetPart[] {
  return groups.filter(present).flatMap((g, i) => (i ? [...plain(" — "), ...g] : g));
}

/** A title as pieces of text; pieces a search matched have `hit` set. */
export function titleParts(x: Title<SnippetPart[]>): SnippetPart[] {
  switch (x.of) {
    case "client":
      return present(x.pseudonym) ? [...x.full_name, ...plain(" ("), ...x.pseudonym, ...plain(")")] : x.full_name;
    case "case":
      return dashed(x.case_number, x.court);
    case "hearing":
      return dashed(plain(tCode("hearing.kind", x.hearing_kind)), x.court);
    case "deadline":
      return plain(tCode("deadline.kind", x.deadline_kind));
    case "incident":
      return dashed(plain(tCode("type", x.incident_type)), x.facility);
    case "evidence":
      return dashed(plain(tCode("evidence.kind", x.evidence_kind)), x.description);
    case "facility":
      return dashed(plain(t("title.facility")), x.name, x.region);
  }
}

/** A title whose text parts carry no marks, as pieces. */
function unmarked(x: Title<string>): Title<SnippetPart[]> {
  switch (x.of) {
    case "client":
      return { of: "client", full_name: plain(x.full_name), pseudonym: plain(x.pseudonym) };
    case "case":
      return { of: "case", case_number: plain(x.case_number), court: plain(x.court) };
    case "hearing":
      return { of: "hearing", hearing_kind: x.hearing_kind, court: plain(x.court) };
    case "deadline":
      return x;
    case "incident":
      return { of: "incident", incident_type: x.incident_type, facility: plain(x.facility) };
    case "evidence":
      return { of: "evidence", evidence_kind: x.evidence_kind, description: plain(x.description) };
    case "facility":
      return { of: "facility", name: plain(x.name), region: plain(x.region) };
  }
}

/** A title as one line of text (timelines, the agenda, tooltips). */
export function titleText(x: Title<string>): string {
  return partsText(titleParts(unmarked(x)));
}

export function partsText(parts: SnippetPart[]): string {
  return parts.map((p) => p.text).join("");
}

/** Whose a record is: "C-001 · Case 1-123/2025", or "" when unknown. */
export function contextText(caseNumber: string | null, client: string | null): string {
  return [client, caseNumber ? t("title.case", { n: caseNumber }) : ""].filter(Boolean).join(" · ");
}
