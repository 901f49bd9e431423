/**
 * Serves `static/` and the island build output from memory, loaded once at start-up
 * (the files are small, and Deno Deploy's file system is read-only anyway).
 * Every file gets a strong ETag; content-hashed build files are `immutable`.
 *
 * @example
 * ```ts
 * const files = await loadStaticFiles([{ dir: "static", prefix: "/" }, { dir: "_fresh/js", prefix: "/_fresh/js/", immutable: true }]);
 * app.use(serveStatic(files));
 * ```
 */
import type { HonoRequest, MiddlewareHandler } from "hono";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
  woff2: "font/woff2",
};

export interface StaticFile {
  body: Uint8Array;
  etag: string;
  type: string;
  cacheControl: string;
}

export interface StaticSource {
  /** Absolute or cwd-relative directory. */
  dir: string;
  /** URL prefix ending in "/". */
  prefix: string;
  /** Content-hashed names: cache for a year without revalidation. */
  immutable?: boolean;
}

/** Reads every file under the sources into a URL path → file map. Missing dirs are skipped. */
export async function loadStaticFiles(sources: StaticSource[]): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const source of sources) {
    for (const relative of await walk(source.dir, "")) {
      const body = await Deno.readFile(`${source.dir}/${relative}`);
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
      const etag = `"${btoa(String.fromCharCode(...digest.slice(0, 12))).replace(/[+/=]/g, "")}"`;
      const ext = relative.split(".").at(-1) ?? "";
      files.set(source.prefix + relative, {
        body,
        etag,
        type: TYPES[ext] ?? "application/octet-stream",
        cacheControl: source.immutable ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate",
      });
    }
  }
  return files;
}

async function walk(dir: string, relative: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(relative ? `${dir}/${relative}` : dir)) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) out.push(...await walk(dir, path));
      else if (entry.isFile) out.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

/**
 * The response for a GET/HEAD of a loaded file (304 on a matching If-None-Match), or
 * undefined when the path names none: a plain call, for a pipeline that checks files
 * before its routes without a middleware layer of its own.
 */
export function staticFileResponse(
  files: Map<string, StaticFile>,
  req: Pick<HonoRequest, "method" | "path" | "header">,
): Response | undefined {
  if (req.method !== "GET" && req.method !== "HEAD") return undefined;
  const file = files.get(req.path);
  if (!file) return undefined;
  const headers = {
    "Content-Type": file.type,
    "ETag": file.etag,
    "Cache-Control": file.cacheControl,
  };
  const match = req.header("if-none-match");
  if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(req.method === "HEAD" ? null : file.body as Uint8Array<ArrayBuffer>, { headers });
}

/** Middleware answering GET/HEAD for the loaded files, 304 on a matching If-None-Match. */
export function serveStatic(files: Map<string, StaticFile>): MiddlewareHandler {
  // deno-lint-ignore require-await
  return async function serveStatic(c, next) {
    return staticFileResponse(files, c.req) ?? next();
  };
}
