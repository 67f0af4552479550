// Pure helpers for the in-memory PDF viewer (no pdf.js import here, so the
// Evidence screen can use them without loading pdf.js, and vitest can test
// them without a canvas).

/** Zoom steps the viewer offers besides "fit width" (1 = 100 %). */
export const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3] as const;
export const MIN_ZOOM = ZOOM_STEPS[0];
export const MAX_ZOOM = ZOOM_STEPS[ZOOM_STEPS.length - 1];

/** True when an attachment should open in the PDF viewer. */
export function isPdf(mediaType: string, fileName: string): boolean {
  const type = mediaType.split(";")[0].trim().toLowerCase();
  if (type === "application/pdf" || type === "application/x-pdf") return true;
  // Files stored before the media type was known arrive as octet-stream.
  return (type === "" || type === "application/octet-stream") && /\.pdf$/i.test(fileName.trim());
}

/** Keeps a page number inside 1..count (count 0 → 1). */
export function clampPage(page: number, count: number): number {
  if (!Number.isFinite(page)) return 1;
  return Math.min(Math.max(1, Math.trunc(page)), Math.max(1, count));
}

/**
 * Scale that makes a page of `pageWidth` PDF units fill `available` CSS
 * pixels, kept within the zoom limits. Bad sizes (0, NaN) give 1.
 */
export function fitWidthScale(available: number, pageWidth: number): number {
  if (!(available > 0) || !(pageWidth > 0)) return 1;
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, available / pageWidth));
}

/** Next zoom step above (dir 1) or below (dir -1) the current scale. */
export function stepZoom(current: number, dir: 1 | -1): number {
  const eps = 1e-6;
  if (dir > 0) return ZOOM_STEPS.find((s) => s > current + eps) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((s) => s < current - eps) ?? MIN_ZOOM;
}

/**
 * Device pixels for a canvas showing `cssPixels`, capped so a huge zoom on a
 * dense screen cannot allocate an enormous backing store.
 */
export function canvasPixels(cssWidth: number, cssHeight: number, ratio: number, maxPixels = 16_777_216): { width: number; height: number; ratio: number } {
  let r = ratio > 0 && Number.isFinite(ratio) ? ratio : 1;
  const area = cssWidth * cssHeight * r * r;
  if (area > maxPixels) r *= Math.sqrt(maxPixels / area);
  return { width: Math.max(1, Math.floor(cssWidth * r)), height: Math.max(1, Math.floor(cssHeight * r)), ratio: r };
}

export type PdfErrorKey = "pdf.password" | "pdf.damaged" | "pdf.failed";

/** Translation key for an error from pdf.js's getDocument or render. */
export function pdfErrorKey(e: unknown): PdfErrorKey {
  const name = e && typeof e === "object" && "name" in e ? String((e as { name: unknown }).name) : "";
  if (name === "PasswordException") return "pdf.password";
  if (name === "InvalidPDFException" || name === "FormatError" || name === "UnknownErrorException") return "pdf.damaged";
  return "pdf.failed";
}

export type ViewerKey = "prev" | "next" | "first" | "last" | "zoomIn" | "zoomOut" | "fit" | "close";

/** What a key press on the focused viewer means, or null to let it through. */
export function viewerKey(key: string): ViewerKey | null {
  switch (key) {
    case "ArrowLeft":
    case "PageUp":
      return "prev";
    case "ArrowRight":
    case "PageDown":
      return "next";
    case "Home":
      return "first";
    case "End":
      return "last";
    case "+":
    case "=":
      return "zoomIn";
    case "-":
      return "zoomOut";
    case "0":
      return "fit";
    case "Escape":
      return "close";
    default:
      return null;
  }
}
