import { describe, expect, it } from "vitest";
import { canvasPixels, clampPage, fitWidthScale, isPdf, MAX_ZOOM, MIN_ZOOM, pdfErrorKey, stepZoom, viewerKey } from "./pdfview";

describe("isPdf", () => {
  it("recognises the PDF media type, with or without parameters", () => {
    expect(isPdf("application/pdf", "a.bin")).toBe(true);
    expect(isPdf("Application/PDF; charset=binary", "x")).toBe(true);
  });
  it("falls back to the extension only for unknown types", () => {
    expect(isPdf("application/octet-stream", "Report.PDF")).toBe(true);
    expect(isPdf("", "report.pdf ")).toBe(true);
    expect(isPdf("image/png", "looks-like.pdf")).toBe(false);
    expect(isPdf("application/octet-stream", "report.pdf.zip")).toBe(false);
  });
});

describe("clampPage", () => {
  it("keeps pages within the document", () => {
    expect(clampPage(0, 3)).toBe(1);
    expect(clampPage(4, 3)).toBe(3);
    expect(clampPage(2.7, 3)).toBe(2);
    expect(clampPage(NaN, 3)).toBe(1);
    expect(clampPage(5, 0)).toBe(1);
  });
});

describe("fitWidthScale", () => {
  it("fills the available width", () => {
    expect(fitWidthScale(612, 612)).toBe(1);
    expect(fitWidthScale(918, 612)).toBeCloseTo(1.5);
  });
  it("stays within the zoom limits and survives bad sizes", () => {
    expect(fitWidthScale(10, 612)).toBe(MIN_ZOOM);
    expect(fitWidthScale(100_000, 612)).toBe(MAX_ZOOM);
    expect(fitWidthScale(0, 612)).toBe(1);
    expect(fitWidthScale(500, 0)).toBe(1);
    expect(fitWidthScale(NaN, 612)).toBe(1);
  });
});

describe("stepZoom", () => {
  it("moves to the neighbouring step from any scale", () => {
    expect(stepZoom(1, 1)).toBe(1.25);
    expect(stepZoom(1, -1)).toBe(0.75);
    expect(stepZoom(1.1, 1)).toBe(1.25);
    expect(stepZoom(1.1, -1)).toBe(1);
  });
  it("stops at the ends", () => {
    expect(stepZoom(MAX_ZOOM, 1)).toBe(MAX_ZOOM);
    expect(stepZoom(MIN_ZOOM, -1)).toBe(MIN_ZOOM);
  });
});

describe("canvasPixels", () => {
  it("multiplies by the device pixel ratio", () => {
    expect(canvasPixels(100, 50, 2)).toEqual({ width: 200, height: 100, ratio: 2 });
    expect(canvasPixels(100, 50, 0)).toEqual({ width: 100, height: 50, ratio: 1 });
  });
  it("caps the backing store", () => {
    const p = canvasPixels(4000, 4000, 2, 1_000_000);
    expect(p.width * p.height).toBeLessThanOrEqual(1_000_000);
    expect(p.width).toBe(1000);
  });
});

describe("pdfErrorKey", () => {
  it("tells password-protected from damaged files", () => {
    expect(pdfErrorKey({ name: "PasswordException", message: "No password given" })).toBe("pdf.password");
    expect(pdfErrorKey({ name: "InvalidPDFException", message: "Invalid PDF structure." })).toBe("pdf.damaged");
    expect(pdfErrorKey(new Error("worker gone"))).toBe("pdf.failed");
    expect(pdfErrorKey(null)).toBe("pdf.failed");
  });
});

describe("viewerKey", () => {
  it("maps navigation and zoom keys", () => {
    expect(viewerKey("ArrowRight")).toBe("next");
    expect(viewerKey("PageUp")).toBe("prev");
    expect(viewerKey("Home")).toBe("first");
    expect(viewerKey("End")).toBe("last");
    expect(viewerKey("+")).toBe("zoomIn");
    expect(viewerKey("-")).toBe("zoomOut");
    expect(viewerKey("0")).toBe("fit");
    expect(viewerKey("Escape")).toBe("close");
    expect(viewerKey("Tab")).toBeNull();
  });
});
