// Exported field paths (as the core's preview and `docs/formats/profiles.md`
// name them) in the lawyer's words. Kept apart from the export screen so
// the i18n test can check that every path the core can send has a label
// in every language, instead of falling back to the raw path.
import { t } from "./i18n/index.svelte";
import type { Key } from "./i18n/en";

/**
 * Plain-language names of exported fields, keyed by path with array marks
 * removed (`officials[].rank` → `officials.rank`); `kind:path` entries win.
 * The words are the record forms' own labels wherever they have one.
 */
export const FIELD_LABELS: Record<string, Key> = {
  full_name: "clients.fullName",
  pseudonym: "clients.pseudonym",
  procedural_status: "clients.status",
  arrested_at: "export.field.arrestedAt",
  place_of_detention: "clients.detention",
  charges: "clients.charges",
  case_numbers: "export.field.caseNumbers",
  contacts: "export.field.contacts",
  risk_flags: "export.field.riskFlags",
  client_ids: "nav.clients",
  case_number: "cases.number",
  court: "cases.court",
  investigating_authority: "cases.authority",
  judge: "cases.judge",
  prosecutor: "cases.prosecutor",
  "case:status": "cases.status",
  opened_on: "export.field.openedOn",
  closed_on: "export.field.closedOn",
  client_id: "cases.client",
  case_id: "incident.case",
  type: "incident.type",
  occurred: "incident.at",
  facility: "export.field.facility",
  "facility.name": "incident.facility",
  "facility.type": "incident.facilityType",
  "facility.region": "incident.region",
  "facility.identifying": "export.field.identifying",
  requested_at: "incident.requestedAt",
  refused_at: "incident.refusedAt",
  meeting_at: "incident.meetingAt",
  minutes_waited: "incident.minutesWaited",
  meeting_minutes: "incident.meetingMinutes",
  authority: "incident.authority",
  officials: "export.field.officials",
  "officials.name": "incident.official.name",
  "officials.rank": "incident.official.rank",
  "officials.unit": "incident.official.unit",
  "officials.badge": "incident.official.badge",
  reason_given: "incident.reason",
  written_refusal: "incident.writtenRefusal",
  legal_basis_cited: "incident.legalBasis",
  meeting_conditions: "incident.conditions",
  client_condition: "incident.clientCondition",
  visible_injuries: "incident.visibleInjuries",
  witnesses: "incident.witnesses",
  "witnesses.name": "incident.witness.name",
  "witnesses.kind": "incident.witness.kind",
  "witnesses.role": "incident.witness.role",
  "witnesses.contact": "incident.witness.contact",
  remedies: "incident.section.remedies",
  "remedies.complaint_to": "incident.remedy.to",
  "remedies.filed_on": "incident.remedy.filedOn",
  "remedies.reference": "incident.remedy.reference",
  "remedies.response": "incident.remedy.response",
  standards: "incident.section.standards",
  domestic_articles: "export.field.domesticArticles",
  confidentiality: "incident.confidentiality",
  consent: "incident.consent",
  "incident:status": "export.field.recordStatus",
  incident_ids: "evidence.incidents",
  kind: "evidence.kind",
  description: "evidence.description",
  source: "evidence.source",
  obtained_at: "export.field.obtainedAt",
  attachments: "evidence.attachments",
  "attachments.sha256 (metadata stripped)": "export.field.strippedCopies",
  custody: "evidence.custody",
  "consent.recipient": "incident.consent.recipient",
  "consent.granted": "incident.consent.granted",
  "consent.include_health": "incident.consent.health",
  "consent.recorded_on": "export.field.recordedOn",
  "contacts.label": "export.field.contactLabel",
  "contacts.value": "export.field.contactValue",
  "remedies.response_on": "remedy.responseOn",
  "occurred.at": "incident.at",
  "occurred.precision": "incident.precision",
  "attachments.file_name": "export.field.fileName",
  "attachments.media_type": "export.field.mediaType",
  "attachments.size": "export.field.size",
  "attachments.sha256": "evidence.sha",
  "custody.who": "evidence.custodyWho",
  "custody.at": "evidence.custodyWhen",
  "custody.action": "evidence.custodyAction",
  notes: "clients.notes",
  notes_shareable: "export.field.notesShareable",
  id: "export.field.id",
  revision: "export.field.revision",
  created_at: "export.field.createdAt",
  updated_at: "export.field.updatedAt",
};
/** Fields in the forms' order (the table above), bookkeeping last, unknown ones after. */
const FIELD_ORDER = new Map(Object.keys(FIELD_LABELS).map((k, i) => [k, i]));
export const inFormOrder = (kind: string, fields: string[]) => {
  const at = (f: string) => FIELD_ORDER.get(`${kind}:${f}`) ?? FIELD_ORDER.get(f) ?? 1e6;
  return [...fields].sort((a, b) => at(a) - at(b));
};

/**
 * A field path in words: known paths by their label; a field inside a list
 * (`witnesses[].contact`, `officials[0].rank`) as "List › Field", so the
 * witnesses' contact is not mistaken for the client's; indices dropped.
 */
export function fieldLabel(kind: string, path: string): string {
  const norm = path.replace(/\[\d*\]/g, "");
  const key = FIELD_LABELS[`${kind}:${norm}`] ?? FIELD_LABELS[norm];
  const list = path.match(/^([a-z_]+)\[\d*\]\./);
  if (key && list && list[1]) return `${fieldLabel(kind, list[1])} › ${t(key)}`;
  if (key) return t(key);
  const dot = norm.lastIndexOf(".");
  if (dot > 0) {
    const leaf = norm.slice(dot + 1);
    const leafKey = FIELD_LABELS[leaf];
    return `${fieldLabel(kind, norm.slice(0, dot))} › ${leafKey ? t(leafKey) : leaf.replaceAll("_", " ")}`;
  }
  return norm.replaceAll("_", " ");
}

/**
 * The dictionary keys a path's label is built from, or null when a part
 * has none (the label would then show the raw path).
 */
export function fieldLabelKeys(kind: string, path: string): Key[] | null {
  const norm = path.replace(/\[\d*\]/g, "");
  const key = FIELD_LABELS[`${kind}:${norm}`] ?? FIELD_LABELS[norm];
  const list = path.match(/^([a-z_]+)\[\d*\]\./);
  if (key && list && list[1]) {
    const outer = fieldLabelKeys(kind, list[1]);
    return outer ? [...outer, key] : null;
  }
  if (key) return [key];
  const dot = norm.lastIndexOf(".");
  if (dot > 0) {
    const leafKey = FIELD_LABELS[norm.slice(dot + 1)];
    const outer = fieldLabelKeys(kind, norm.slice(0, dot));
    return leafKey && outer ? [...outer, leafKey] : null;
  }
  return null;
}
