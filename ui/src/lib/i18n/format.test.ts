import { describe, expect, it } from "vitest";

describe("file sizes", () => {
  it("use each language's unit words and decimal mark", async () => {
    const { formatSize, i18n } = await import("./index.svelte");
    i18n.locale = "ru";
    expect(formatSize(187)).toMatch(/^187\sБ$/);
    expect(formatSize(1536)).toMatch(/^1,5\s[кК]Б$/);
    i18n.locale = "en";
    expect(formatSize(3 * 1024 * 1024)).toMatch(/^3\sMB$/);
  });
});
