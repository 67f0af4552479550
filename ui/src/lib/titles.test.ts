import { describe, expect, it } from "vitest";
import type { Title } from "./bindings/Title";
import type { SnippetPart } from "./bindings/SnippetPart";

const p = (text: string, hit = false): SnippetPart[] => [{ text, hit }];

describe("record titles", () => {
  it("are worded in the window's language from the typed parts", async () => {
    const { i18n } = await import("./i18n/index.svelte");
    const { titleText, contextText } = await import("./titles");
    const hearing: Title<string> = { of: "hearing", hearing_kind: "detention_extension", court: "Bakı Ağır Cinayətlər Məhkəməsi" };
    const incident: Title<string> = { of: "incident", incident_type: "access_denied", facility: "Kürdəxanı" };
    i18n.locale = "en";
    expect(titleText(hearing)).toBe("Extension of detention — Bakı Ağır Cinayətlər Məhkəməsi");
    expect(titleText(incident)).toBe("Visit refused (lawyer denied access) — Kürdəxanı");
    expect(contextText("1-123/2025", "C-001")).toBe("C-001 · Case 1-123/2025");
    i18n.locale = "az";
    expect(titleText(hearing)).toMatch(/^\S.* — Bakı Ağır Cinayətlər Məhkəməsi$/);
    expect(titleText(hearing)).not.toContain("Extension");
    expect(contextText("1-123/2025", null)).toBe("İş 1-123/2025");
    i18n.locale = "ru";
    expect(titleText({ of: "deadline", deadline_kind: "appeal" })).not.toMatch(/[A-Za-z]/);
    expect(contextText(null, "C-001")).toBe("C-001");
    i18n.locale = "en";
  });

  it("keep the search's marks on the words that matched", async () => {
    const { titleParts, partsText } = await import("./titles");
    const hit: Title<SnippetPart[]> = { of: "incident", incident_type: "access_denied", facility: [...p("Kürdəxanı", true), ...p(" İVS")] };
    const parts = titleParts(hit);
    expect(parts.filter((x) => x.hit).map((x) => x.text)).toEqual(["Kürdəxanı"]);
    expect(partsText(parts)).toBe("Visit refused (lawyer denied access) — Kürdəxanı İVS");
    const client: Title<SnippetPart[]> = { of: "client", full_name: p("Rəşad Məmmədov"), pseudonym: [] };
    expect(partsText(titleParts(client))).toBe("Rəşad Məmmədov");
    const bare: Title<SnippetPart[]> = { of: "case", case_number: p("1-123/2025", true), court: [] };
    expect(partsText(titleParts(bare))).toBe("1-123/2025");
  });
});
