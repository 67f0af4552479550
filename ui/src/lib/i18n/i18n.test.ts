// Fails when a locale lacks a key, has an extra or empty one, or when a key
// is defined but never used by any component (dead text drifts untranslated).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import en from "./en";
import az from "./az";
import ru from "./ru";

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
