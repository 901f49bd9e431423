/**
 * Islands on the server: the registry, and rendering a document with island markers,
 * serialized props and the boot script.
 *
 * @example
 * ```ts
 * import * as counter from "../../../islands/Counter.tsx";
 * const islands = islandEntries({ "islands/Counter.tsx": counter });
 * const assets = loadIslandAssets(`${root}/_fresh`);
 * const { html } = renderToHtml(<App />, { islands, assets, nonce });
 * return new Response("<!DOCTYPE html>" + html, { headers: { "content-type": "text/html; charset=utf-8" } });
 * ```
 *
 * @module
 */
import type { VNode } from "preact";
import { type IslandRender, renderWithIslands } from "./island_render.ts";
import { type IslandRef, type IslandsPayload, PAYLOAD_ID } from "./protocol.ts";
import { scriptSafeJson } from "./serialize.ts";
import type { IslandAssets, IslandEntry } from "./types.ts";

export type { IslandAssets, IslandEntry } from "./types.ts";
export { loadIslandAssets } from "./assets.ts";
export { IslandPropsError } from "./serialize.ts";

/**
 * Builds the registry from island modules: every exported function (component) is an
 * island. A component exported under two names is registered once, preferring
 * `default`.
 *
 * @example
 * ```ts
 * islandEntries({ "islands/Counter.tsx": { default: Counter, helper: 1 } });
 * // → [{ file: "islands/Counter.tsx", exportName: "default", component: Counter }]
 * ```
 */
export function islandEntries(
  modules: Record<string, Record<string, unknown>>,
): IslandEntry[] {
  const entries: IslandEntry[] = [];
  const seen = new Set<unknown>();
  for (const file of Object.keys(modules).sort()) {
    const exports = modules[file];
    const names = Object.keys(exports).sort((a, b) =>
      a === "default" ? -1 : b === "default" ? 1 : a < b ? -1 : a > b ? 1 : 0
    );
    for (const exportName of names) {
      const component = exports[exportName];
      if (typeof component !== "function" || seen.has(component)) continue;
      seen.add(component);
      entries.push({ file, exportName, component: component as IslandEntry["component"] });
    }
  }
  return entries;
}

/** Options of {@linkcode renderToHtml}. */
export interface RenderToHtmlOptions {
  islands: readonly IslandEntry[];
  /** The built bundle; only needed when the page renders an island. */
  assets: IslandAssets | null;
  /** The request's CSP nonce, put on the boot script and the preload links. */
  nonce: string;
}

/**
 * Renders a whole document vnode (`<html>…</html>`) to HTML, without the doctype.
 *
 * With at least one island rendered it adds `<link rel="modulepreload">` for the boot
 * module and the islands' chunks before `</head>`, and the props JSON plus ONE
 * `<script type="module" nonce="…">` before `</body>`. With none, the HTML is exactly
 * what preact-render-to-string produces: a page without islands ships no JavaScript.
 *
 * Throws when an island rendered but `assets` is null, or when an island's file is
 * missing from `assets` (both mean: run `deno task build`), and
 * {@linkcode IslandPropsError} for a prop that cannot be sent to the browser.
 *
 * @example
 * ```ts
 * const { html, islandCount } = renderToHtml(
 *   <html><head /><body><Counter start={3} since={new Date()} /></body></html>,
 *   { islands, assets, nonce: "r4nd0m" },
 * );
 * ```
 */
export function renderToHtml(
  // deno-lint-ignore no-explicit-any
  vnode: VNode<any>,
  options: RenderToHtmlOptions,
): { html: string; islandCount: number } {
  const rendered = renderWithIslands(vnode, registryFor(options.islands));
  const done = rendered.islands.filter((island) => island.done);
  if (done.length === 0) return { html: rendered.html, islandCount: 0 };
  const { assets } = options;
  if (!assets) {
    throw new Error(
      `The page renders islands (${names(done)}) but no island bundle is loaded: ` +
        "run `deno task build` (it writes _fresh/assets.json), then restart the server.",
    );
  }
  const payload = buildPayload(rendered, assets);
  const nonce = options.nonce ? ` nonce="${escapeAttribute(options.nonce)}"` : "";
  const head = preloadUrls(payload, assets)
    .map((url) => `<link rel="modulepreload" href="${escapeAttribute(url)}"${nonce}>`)
    .join("");
  const body = `<script type="application/json" id="${PAYLOAD_ID}">${scriptSafeJson(payload)}</script>` +
    `<script type="module"${nonce} src="${escapeAttribute(assets.boot)}"></script>`;
  return { html: inject(rendered.html, head, body), islandCount: done.length };
}

const registries = new WeakMap<readonly IslandEntry[], ReadonlyMap<unknown, IslandEntry>>();

/** The component → entry map, built once per registry array. */
function registryFor(islands: readonly IslandEntry[]): ReadonlyMap<unknown, IslandEntry> {
  let registry = registries.get(islands);
  if (!registry) {
    registry = new Map(islands.map((entry) => [entry.component, entry]));
    registries.set(islands, registry);
  }
  return registry;
}

function buildPayload(rendered: IslandRender, assets: IslandAssets): IslandsPayload {
  const chunks: string[] = [];
  const islands = rendered.islands.map((island): IslandRef | null => {
    if (!island.done) return null;
    const url = assets.islands[island.entry.file];
    if (!url) {
      throw new Error(
        `Island ${island.name} is not in the island bundle (it was built before this island ` +
          "existed): run `deno task build`, then restart the server.",
      );
    }
    let chunk = chunks.indexOf(url);
    if (chunk === -1) chunk = chunks.push(url) - 1;
    const ref: IslandRef = { chunk, export: island.entry.exportName, name: island.name, props: island.props };
    if (island.slot) ref.slot = 1;
    return ref;
  });
  return { v: 1, chunks, islands, signals: rendered.signals };
}

/** Boot first, then each used chunk and the shared chunks it imports; each once. */
function preloadUrls(payload: IslandsPayload, assets: IslandAssets): string[] {
  const urls = new Set<string>([assets.boot, ...assets.preload[assets.boot] ?? []]);
  const byUrl = new Map(Object.entries(assets.islands).map(([file, url]) => [url, file]));
  for (const url of payload.chunks) {
    urls.add(url);
    for (const shared of assets.preload[byUrl.get(url) ?? ""] ?? []) urls.add(shared);
  }
  return [...urls];
}

/**
 * Puts `head` before the first `</head>` and `body` before the last `</body>` (or
 * `</html>`, or the end). Text and attribute values are entity-encoded by the renderer,
 * so these tags can only come from real elements (or from dangerouslySetInnerHTML,
 * which is the author's business). Without a `<head>`, the links go with the scripts.
 */
function inject(html: string, head: string, body: string): string {
  let at = html.lastIndexOf("</body>");
  if (at === -1) at = html.lastIndexOf("</html>");
  if (at === -1) at = html.length;
  const headEnd = html.indexOf("</head>");
  if (headEnd === -1 || headEnd > at) return html.slice(0, at) + head + body + html.slice(at);
  return html.slice(0, headEnd) + head + html.slice(headEnd, at) + body + html.slice(at);
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function names(islands: readonly { name: string }[]): string {
  return [...new Set(islands.map((island) => island.name))].join(", ");
}
