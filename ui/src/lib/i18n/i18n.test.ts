// Fails when a locale lacks a key, has an extra or empty one, or when a key
// is defined but never used by any component (dead text drifts untranslated);
// when a tooltip (`title=`) shows text not from the dictionary; and when a
// code the core can send (held-back reasons, metadata holds, hit kinds,
// record kinds, unlock notices, read-only reasons, error kinds, exported
// field paths) has no words in the dictionary, so the window would show it raw.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import en from "./en";
import az from "./az";
import ru from "./ru";
import { fieldLabelKeys } from "../fieldLabels";

const keys = Object.keys(en).sort();
const locales = { az, ru } as Record<string, Record<string, string>>;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "i18n" || name === "bindings" ? [] : sources(p);
    return /\.(svelte|ts)$/.test(name) && !name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("i18n dictionaries", () => {
  for (const [code, dict] of Object.entries(locales)) {
    it(`${code} has exactly the English keys`, () => {
      expect(Object.keys(dict).sort()).toEqual(keys);
    });
    it(`${code} has no empty or untranslated-looking values`, () => {
      for (const k of keys) {
        expect(dict[k].trim(), `${code}:${k}`).not.toBe("");
      }
      // Placeholders must survive translation.
      for (const k of keys) {
        const wanted = (en[k as keyof typeof en].match(/\{\w+\}/g) ?? []).sort();
        const got = (dict[k].match(/\{\w+\}/g) ?? []).sort();
        expect(got, `${code}:${k} placeholders`).toEqual(wanted);
      }
    });
  }

  it("every key is used somewhere in the UI", () => {
    const root = join(__dirname, "..", "..");
    const text = sources(root).map((p) => readFileSync(p, "utf8")).join("\n");
    // Keys built at run time: t(`prefix.${…}`) and tCode("prefix", …).
    const prefixes = new Set<string>();
    for (const m of text.matchAll(/`([a-z]+(?:\.[a-zA-Z]+)*)\.\$\{/g)) prefixes.add(m[1]);
    for (const m of text.matchAll(/tCode\("([a-zA-Z.]+)"/g)) prefixes.add(m[1]);
    const unused = keys.filter(
      (k) => !text.includes(`"${k}"`) && ![...prefixes].some((p) => k.startsWith(`${p}.`)),
    );
    expect(unused).toEqual([]);
  });

  it("Azerbaijani and Russian use their own scripts", () => {
    expect(az["nav.clients"]).toBe("Müştərilər");
    expect(az["nav.cases"]).toBe("İşlər");
    expect(ru["nav.clients"]).toBe("Клиенты");
    expect(ru["quick.title"]).toBe("Отказ в свидании с адвокатом");
  });
});

const uiRoot = join(__dirname, "..", "..");
const repo = join(uiRoot, "..", "..");
const read = (p: string) => readFileSync(p, "utf8");
const bindings = (name: string) => read(join(uiRoot, "lib", "bindings", `${name}.ts`));
/** The string literals of a ts-rs union: `"a" | "b"` or `{ "code": "a", … }`. */
function literals(name: string, tag?: string): string[] {
  const text = bindings(name).replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const re = tag ? new RegExp(`"${tag}":\\s*"([a-z_]+)"`, "g") : /"([a-z_]+)"/g;
  const found = [...text.matchAll(re)].map((m) => m[1]);
  expect(found.length, `${name} has no codes: the binding changed shape`).toBeGreaterThan(0);
  return [...new Set(found)];
}
function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? rustFiles(p) : name.endsWith(".rs") ? [p] : [];
  });
}

describe("what the window shows is worded in every language", () => {
  const all = { en, az, ru } as Record<string, Record<string, string>>;
  const has = (key: string) => Object.entries(all).filter(([, d]) => !(key in d)).map(([c]) => `${c}:${key}`);

  it("tooltips come from the dictionary, never a raw key or path", () => {
    const bad: string[] = [];
    for (const p of sources(uiRoot).filter((f) => f.endsWith(".svelte"))) {
      for (const m of read(p).matchAll(/\stitle=(\{[^}]*\}|"[^"]*")/g)) {
        const v = m[1];
        // Translated text, or text built from translated parts (partsText).
        if (/^\{\s*(t|tCode|partsText)\(/.test(v)) continue;
        // Data, not wording: the name of the file the lawyer chose.
        if (v === "{destination.name}") continue;
        bad.push(`${p.slice(uiRoot.length)}: title=${v}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("every code the core sends has words", () => {
    const missing = [
      ...literals("HeldBack", "code").filter((c) => c !== "no_consent").flatMap((c) => has(`export.why.${c}`)),
      ...has("export.why.no_consent"), ...has("export.why.no_consent_public"),
      ...literals("MetadataHold", "code").flatMap((c) => has(`export.file.${c}`)),
      ...literals("AttachmentOutcome", "status").flatMap((c) => [...has(`export.file.pill.${c}`), ...has(`export.file.${c}`)]),
      ...literals("NameOf").flatMap((c) => has(`export.hit.${c}`)),
      ...literals("Kind").flatMap((c) => has(`export.kind.${c}`)),
      ...literals("UnlockNotice", "code").flatMap((c) => has(`unlock.notice.${c}`)),
      ...literals("ReadOnlyReason", "reason").flatMap((c) => has(`unlock.readOnly.${c}`)),
    ];
    expect(missing).toEqual([]);
  });

  it("every error kind the backend can return has words", () => {
    const kinds = new Set<string>();
    for (const p of rustFiles(join(repo, "src-tauri", "src"))) {
      for (const m of read(p).matchAll(/(?:Self|CommandError)::new\(\s*"([a-z_]+)"/g)) kinds.add(m[1]);
    }
    expect(kinds.size).toBeGreaterThan(10);
    // The export screen words its own errors (export.err.*), beside its fields.
    const worded = (k: string) => (has(`export.err.${k}`).length === 0 ? [] : has(`err.${k}`));
    expect([...kinds].sort().flatMap(worded)).toEqual([]);
  });

  it("every exported field path has a label, not the raw path", () => {
    const table = read(join(repo, "docs", "formats", "profiles.md"));
    const rows = [...table.matchAll(/^\| ([a-z ]+) \| `([^`]+)` \|/gm)].map((m) => [m[1], m[2]] as const);
    expect(rows.length).toBeGreaterThan(50);
    // Evidence fields that leave as they are (not in the table's rules) and
    // the preview's own name for stripped copies.
    const extra = ["kind", "description", "source", "obtained_at", "attachments[].file_name", "attachments[].media_type",
      "attachments[].size", "attachments[].sha256", "custody[].who", "custody[].at", "custody[].action"].map((f) => ["evidence", f] as const);
    const unlabelled = [...rows, ...extra]
      .map(([kind, path]) => [kind === "every record" ? "incident" : kind, path] as const)
      .filter(([kind, path]) => fieldLabelKeys(kind, path) === null)
      .map(([kind, path]) => `${kind}: ${path}`);
    expect(unlabelled).toEqual([]);
  });
});
