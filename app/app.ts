/**
 * The app: the request pipeline around the file-system routes. `createApp` does no
 * I/O, so tests build one around their own services and call `app.request()` in
 * process.
 *
 * Pipeline, outermost first: request id + state + log line → Cache-Control (`no-store` for
 * anything personal or uncached) → compression → secure headers (CSP with
 * a per-request nonce) → body limit (1 MiB; an import's upload, more) → static files → routes; errors anywhere
 * become the API.md envelope or the error page.
 *
 * @example
 * ```ts
 * const app = createApp({ services, manifest, assets: null, staticFiles: new Map() });
 * const res = await app.request("/api/health");
 * ```
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { secureHeaders } from "hono/secure-headers";
import type { IslandAssets } from "@/lib/fresh/islands/server.ts";
import { HttpError, type Manifest, mountRoutes } from "fresh";
import { serveStatic, type StaticFile } from "@/lib/fresh/static_files.ts";
import { embedHeaders } from "@/lib/embed_headers.ts";
import { cacheControl } from "./cache_control.ts";
import { errorResponse } from "./error_response.ts";
import { IMPORT_BODY_LIMIT_BYTES, IMPORT_SIZE_CAPS } from "@/domain/import_limits.ts";
import { requestContext } from "./request_context.ts";
import type { AppEnv, Services } from "./state.ts";

/** Largest request body accepted (API.md): larger → 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The routes that take an import's upload, and so {@linkcode IMPORT_BODY_LIMIT_BYTES} (POST only). */
export const IMPORT_UPLOAD_PATHS: ReadonlySet<string> = new Set(["/api/import", "/export"]);

export interface AppOptions {
  services: Services;
  manifest: Manifest;
  assets: IslandAssets | null;
  staticFiles: Map<string, StaticFile>;
}

export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const https = options.services.config.appOrigin.startsWith("https:");

  app.use(requestContext(options.services));
  app.use(cacheControl());
  // Deno.serve does not compress on its own here. Pages and assets only: JSON responses
  // carry no Content-Length at this point, so the size threshold could not spare the
  // many tiny API bodies a gzip stream each.
  app.use(compress({ contentTypeFilter: /^(text\/(html|css|javascript)|image\/svg\+xml)/ }));
  // Shared grid images may be embedded by any site (lib/embed_headers.ts).
  app.use(embedHeaders());
  app.use(secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", (c) => `'nonce-${c.get("state").nonce}'`],
      // Style attributes cannot carry a nonce; style injection is the lesser risk.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: https ? "max-age=63072000; includeSubDomains" : false,
    // `no-referrer` (Hono's default) makes Chromium post forms with `Origin: null`,
    // which the CSRF guard must then judge by Sec-Fetch-Site alone.
    referrerPolicy: "strict-origin-when-cross-origin",
    crossOriginEmbedderPolicy: false,
  }));
  const anyBody = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: () => {
      throw new HttpError(413, `The request body is over the ${BODY_LIMIT_BYTES / 1024 / 1024} MiB limit`);
    },
  });
  // A real Loop backup or export is bigger than 1 MiB; the import's own caps bound what it costs.
  const importBody = bodyLimit({
    maxSize: IMPORT_BODY_LIMIT_BYTES,
    onError: () => {
      throw new HttpError(
        413,
        `The upload is over ${IMPORT_BODY_LIMIT_BYTES / 1024 / 1024} MiB, the most an import takes ` +
          `(a file up to ${IMPORT_SIZE_CAPS.inflatedBytes / 1024 / 1024} MiB)`,
      );
    },
  });
  app.use((c, next) =>
    (c.req.method === "POST" && IMPORT_UPLOAD_PATHS.has(c.req.path) ? importBody : anyBody)(c, next)
  );
  app.use(serveStatic(options.staticFiles));

  const router = mountRoutes(app, {
    manifest: options.manifest,
    assets: options.assets,
    state: (c) => c.get("state"),
    nonce: (c) => c.get("state").nonce,
  });
  app.notFound((c) => errorResponse(c, new HttpError(404), router));
  app.onError((error, c) => errorResponse(c, error, router));
  return app;
}
