// pdf.js, loaded only through import() when a PDF is first opened, so it is
// a separate chunk that neither the cold start nor the first screen pays for.
//
// Decrypted bytes go straight from memory to pdf.js: no URL, no file, no
// network. Each document gets its own worker, terminated on close, so the
// parsed document does not outlive the viewer.
import { getDocument, PDFWorker, type PDFDocumentProxy } from "pdfjs-dist";
// Bundled by Vite as a local asset (served by the app's own protocol).
import workerUrl from "pdfjs-dist/build/pdf.worker.min.mjs?url";

export type { PDFDocumentProxy, PDFPageProxy, RenderTask } from "pdfjs-dist";

export interface OpenedPdf {
  doc: PDFDocumentProxy;
  /** Destroys the document and terminates its worker. Safe to call twice. */
  close(): Promise<void>;
}

export interface PendingPdf {
  promise: Promise<OpenedPdf>;
  /** Aborts a load in progress (or closes a loaded document). */
  close(): Promise<void>;
}

/**
 * Opens a PDF from bytes in memory. The bytes are handed over to the worker
 * (the buffer is detached afterwards).
 */
export function openPdf(bytes: Uint8Array): PendingPdf {
  // The app's origin (tauri://localhost) is opaque to the URL API, which
  // would make pdf.js wrap its worker in a blob: URL; creating the module
  // worker here keeps it a plain same-origin script ('self' in the CSP).
  const webWorker = new Worker(workerUrl, { type: "module", name: "pdf" });
  const worker: PDFWorker = PDFWorker.fromPort({ port: webWorker });
  const task = getDocument({
    data: bytes,
    worker,
    // No eval/new Function for fonts (the CSP forbids it anyway).
    isEvalSupported: false,
    // Nothing is ever fetched: no character maps or standard fonts from a
    // URL (non-embedded fonts fall back to installed system fonts), no
    // range requests, no XFA forms, no scripting.
    cMapUrl: undefined,
    standardFontDataUrl: undefined,
    useSystemFonts: true,
    useWorkerFetch: false,
    disableAutoFetch: true,
    disableStream: true,
    disableRange: true,
    enableXfa: false,
    stopAtErrors: false,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await task.destroy();
    } catch {
      // The worker goes away below whatever the document's state.
    }
    worker.destroy();
    webWorker.terminate();
  };
  // A worker that cannot start (or crashes) must not leave the viewer waiting.
  const failed = new Promise<never>((_, reject) => {
    webWorker.addEventListener("error", (e) => {
      e.preventDefault();
      reject(new Error("The PDF worker stopped."));
    });
  });
  const promise = Promise.race([task.promise, failed]).then((doc) => ({ doc, close }));
  return { promise, close };
}
