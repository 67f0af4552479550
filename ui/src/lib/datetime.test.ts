import { describe, expect, it } from "vitest";
import { fromTexts, parseDate, parseTime, toTexts, INVALID } from "./datetime";

describe("typed dates and times", () => {
  it("reads day-first dates with any usual separator", () => {
    expect(parseDate("24.11.2026")).toBe("2026-11-24");
    expect(parseDate("24/11/2026")).toBe("2026-11-24");
    expect(parseDate(" 4-1-2026 ")).toBe("2026-01-04");
    expect(parseDate("2026-11-24")).toBe("2026-11-24");
  });

  it("refuses dates that are not on the calendar or not complete", () => {
    for (const bad of ["31.02.2026", "29.02.2025", "13/13/2026", "24.11.26", "24.11", "", "tomorrow", "00.01.2026"]) {
      expect(parseDate(bad), bad).toBe("");
    }
    expect(parseDate("29.02.2028")).toBe("2028-02-29");
  });

  it("reads 24-hour times and refuses the rest", () => {
    expect(parseTime("9:30")).toBe("09:30");
    expect(parseTime("09.30")).toBe("09:30");
    expect(parseTime("2359")).toBe("23:59");
    for (const bad of ["24:00", "12:60", "9", "9:3", "9:30 PM", ""]) expect(parseTime(bad), bad).toBe("");
  });

  it("combines the boxes into the datetime-local shape, or marks them invalid", () => {
    expect(fromTexts("", "", true)).toBe("");
    expect(fromTexts("24.11.2026", "9:05", true)).toBe("2026-11-24T09:05");
    expect(fromTexts("24.11.2026", "", true)).toBe(INVALID);
    expect(fromTexts("", "09:05", true)).toBe(INVALID);
    expect(fromTexts("24.11.2026", "", false)).toBe("2026-11-24");
    expect(fromTexts("2026-11-24T10:00", "", true)).toBe("2026-11-24T10:00");
    expect(new Date(INVALID).getTime()).toBeNaN(); // so validDateTime reports it
  });

  it("draws a value in each language's order", () => {
    expect(toTexts("2026-11-24T09:05", "az")).toEqual({ date: "24.11.2026", time: "09:05" });
    expect(toTexts("2026-11-24T09:05", "ru")).toEqual({ date: "24.11.2026", time: "09:05" });
    expect(toTexts("2026-11-24", "en")).toEqual({ date: "24/11/2026", time: "" });
    expect(toTexts(INVALID, "en")).toEqual({ date: "", time: "" });
  });
});
