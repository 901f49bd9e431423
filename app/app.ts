/**
 * The app: the request pipeline around the file-system routes. `createApp` does no
 * I/O, so tests build one around their own services and call `app.request()` in
 * process.
 *
 * Pipeline, outermost first: request id + state + log line → response headers (security
 * headers with a per-request CSP nonce on HTML, Cache-Control `no-store` for anything
 * personal or uncached) → compression → body limit (1 MiB; an import's upload, more) or,
 * for GET/HEAD, static files → routes; errors anywhere become the API.md envelope or the
 * error page. Each layer is a closure and a promise per request, so there are few.
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
import { serveStatic, type StaticFile } from "@/lib/fresh/static_files.ts";
import { errorResponse } from "./error_response.ts";
import { IMPORT_BODY_LIMIT_BYTES, IMPORT_SIZE_CAPS } from "@/domain/import_limits.ts";
import { requestContext } from "./request_context.ts";
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
  const app = new Hono<AppEnv>();
  const https = options.services.config.appOrigin.startsWith("https:");

  app.use(requestContext(options.services));
  app.use(responseHeaders({ https }));
  // Deno.serve does not compress on its own here. Pages and assets only: JSON responses
  // carry no Content-Length at this point, so the size threshold could not spare the
  // many tiny API bodies a gzip stream each.
  app.use(compress({ contentTypeFilter: /^(text\/(html|css|javascript)|image\/svg\+xml)/ }));
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
  const staticFiles = serveStatic(options.staticFiles);
  // One layer for body limits and static files: a request without a body (most of them)
  // skips the limit, and a static file never reaches the routes.
  app.use((c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD") return staticFiles(c, next);
    return (method === "POST" && IMPORT_UPLOAD_PATHS.has(c.req.path) ? importBody : anyBody)(c, next);
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
