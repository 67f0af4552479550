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

describe("event times", () => {
  it("show a day-only, month-only or year-only value without a time, on its own date", async () => {
    const { formatEventTime, i18n } = await import("./index.svelte");
    i18n.locale = "en";
    // Midnight in Baku is still the day before in UTC: the date stays 6 March.
    const day = formatEventTime("2025-03-06T00:00:00+04:00", "day");
    expect(day).toMatch(/6 Mar 2025/);
    expect(day).not.toMatch(/00:00|\d:\d/);
    expect(formatEventTime("2025-03-01T00:00:00+04:00", "month")).toBe("March 2025");
    expect(formatEventTime("2025-01-01T00:00:00+04:00", "year")).toBe("2025");
    expect(formatEventTime("2025-03-06T09:30:00+04:00", "minute")).toMatch(/\d{2}:\d{2}/);
  });
});
