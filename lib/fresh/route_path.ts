/**
 * Turns `routes/` file paths into URL patterns and orders them so that static
 * segments win over `[param]` ones, which win over `[...rest]` catch-alls.
 *
 * @example
 * ```ts
 * routePattern("habits/[id]/edit.tsx"); // "/habits/:id/edit"
 * routePattern("(app)/index.tsx");       // "/"
 * routePattern("docs/[...path].tsx");    // "/docs/*"
 * ```
 */

const EXTENSION = /\.(tsx|ts|jsx|js)$/;

/** True for files that are special (`_app`, `_layout`, `_middleware`, `_404`, …), not routes. */
export function isSpecialFile(file: string): boolean {
  return basename(file).startsWith("_");
}

/** The Hono pattern for a route file path relative to `routes/`. */
export function routePattern(file: string): string {
  const segments = file.replace(EXTENSION, "").split("/")
    .filter((segment) => !/^\(.+\)$/.test(segment));
  if (segments.at(-1) === "index") segments.pop();
  const out = segments.map((segment) => {
    const rest = /^\[\.\.\.(\w+)\]$/.exec(segment);
    if (rest) return "*";
    return segment.replace(/\[(\w+)\]/g, ":$1");
  });
  return "/" + out.join("/");
}

/** The name of a catch-all route's parameter (`[...path]` → "path"), if any. */
export function catchAllName(file: string): string | undefined {
  return /\[\.\.\.(\w+)\]\.\w+$/.exec(file)?.[1];
}

/** 0 static, 1 param, 2 catch-all; compared segment by segment. */
function rank(segment: string): number {
  if (segment === "*") return 2;
  return segment.includes(":") ? 1 : 0;
}

/** Sorts patterns most specific first (the order routes are registered in). */
export function compareRoutePatterns(a: string, b: string): number {
  const as = a.split("/").slice(1);
  const bs = b.split("/").slice(1);
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    // A shorter pattern cannot shadow a longer one; list it first for stable output.
    if (as[i] === undefined) return -1;
    if (bs[i] === undefined) return 1;
    const diff = rank(as[i]) - rank(bs[i]);
    if (diff !== 0) return diff;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The folders a file sits in, root first: "api/habits/[id].ts" → ["", "api", "api/habits"]. */
export function folderChain(file: string): string[] {
  const parts = file.split("/").slice(0, -1);
  const chain = [""];
  for (let i = 1; i <= parts.length; i++) chain.push(parts.slice(0, i).join("/"));
  return chain;
}

function basename(file: string): string {
  return file.split("/").at(-1) ?? file;
}
