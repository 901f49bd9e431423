/**
 * The client entry point (`/_fresh/js/boot-<hash>.js`): hydrates the page's islands.
 * Loaded by the `<script type="module">` that `renderToHtml` adds to pages with islands.
 *
 * Island failures (and errors thrown later by their event handlers) are reported to
 * `POST /api/monitoring`: each distinct message once, at most 5 per page load.
 *
 * @module
 */
import { hydrateIslands } from "./hydrate_islands.ts";

const reporter = globalThis as { __cgReportError?: (error: unknown) => void };
const reported = new Set<string>();
reporter.__cgReportError ??= (error) => {
  const message = String((error as Error)?.message ?? error).slice(0, 1_000);
  if (reported.size >= 5 || reported.has(message)) return;
  reported.add(message);
  fetch("/api/monitoring", {
    method: "POST",
    keepalive: true,
    headers: { "Content-Type": "application/json" },
    // No query string: it may carry tokens.
    body: JSON.stringify({
      message: message || "Unknown error",
      stack: String((error as Error)?.stack ?? "").slice(0, 3_000) || undefined,
      url: location.origin + location.pathname,
      userAgent: navigator.userAgent.slice(0, 500),
    }),
  }).catch(() => {});
};
addEventListener(
  "error",
  (event) => reporter.__cgReportError?.((event as ErrorEvent).error ?? (event as ErrorEvent).message),
);
addEventListener("unhandledrejection", (event) => reporter.__cgReportError?.(event.reason));

hydrateIslands();
