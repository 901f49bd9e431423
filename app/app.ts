/**
 * The app: the request pipeline around the file-system routes. `createApp` does no
 * I/O, so tests build one around their own services and call `app.request()` in
 * process.
 *
 * Pipeline: ONE outer layer does, in order, request id + state (app/request_context.ts)
 * → static files for GET/HEAD, or the body limit (1 MiB; an import's upload, more) for a
 * request that may carry a body → the routes (their own middleware chain) → on the way
 * out compression (pages and assets only), the response headers (security headers with a
 * per-request CSP nonce on HTML, Cache-Control `no-store` for anything personal or
 * uncached: app/response_headers.ts), the request id header and the log line. Errors
 * anywhere become the API.md envelope or the error page. Each Hono layer is a closure, a
 * promise and a turn per request; these steps are plain calls in one, which is what
 * brought `GET /api/health` near Hono's own floor (docs/performance.md).
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
import type { IslandAssets } from "@/lib/fresh/islands/server.ts";
import { HttpError, type Manifest, mountRoutes } from "fresh";
import { type StaticFile, staticFileResponse } from "@/lib/fresh/static_files.ts";
import { StaticFirstRouter } from "@/lib/fresh/static_first_router.ts";
import { errorResponse } from "./error_response.ts";
import { IMPORT_BODY_LIMIT_BYTES, IMPORT_SIZE_CAPS } from "@/domain/import_limits.ts";
import { finishRequest, startRequest } from "./request_context.ts";
import { responseHeaders } from "./response_headers.ts";
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
  const app = new Hono<AppEnv>({ router: new StaticFirstRouter() });
  const https = options.services.config.appOrigin.startsWith("https:");

  const anyBody = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: () => {
      throw new HttpError(413, `The request body is over the ${BODY_LIMIT_BYTES / 1024 / 1024} MiB limit`);
    },
  });
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
  const writeHeaders = responseHeaders({ https });
  // Deno.serve does not compress on its own here. Pages and assets only: JSON responses
  // carry no Content-Length at this point, so the size threshold could not spare the
  // many tiny API bodies a gzip stream each. Hono's middleware does the work, called
  // with the response already made (its `next` resolves at once), and only for those types.
  const compressible = /^(text\/(html|css|javascript)|image\/svg\+xml)/;
  const compressor = compress({ contentTypeFilter: compressible });
  const done = () => Promise.resolve();
  const { services, staticFiles } = options;

  app.use(async function edge(c, next) {
    const started = startRequest(c, services);
    try {
      const method = c.req.method;
      if (method === "GET" || method === "HEAD") {
        const file = staticFileResponse(staticFiles, c.req);
        if (file) c.res = file;
        else await next();
      } else {
        // A real Loop backup or export is bigger than 1 MiB; the import's own caps bound what it costs.
        await (method === "POST" && IMPORT_UPLOAD_PATHS.has(c.req.path) ? importBody : anyBody)(c, next);
      }
      if (compressible.test(c.res.headers.get("content-type") ?? "")) await compressor(c, done);
    } catch (error) {
      // What this layer throws itself (the body limit's 413); the routes' errors were
      // already answered by the error handler below.
      c.res = await errorResponse(c, error, router);
    }
    writeHeaders(c);
    finishRequest(c, started);
  });

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
