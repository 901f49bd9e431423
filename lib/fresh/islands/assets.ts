/**
 * Reads the bundle manifest that `bundle.ts` writes. Kept apart from the bundler so the
 * server can load it without importing esbuild.
 *
 * @module
 */
import type { IslandAssets } from "./types.ts";

/** File name of the manifest inside the output directory. */
export const ASSETS_FILE = "assets.json";

/**
 * Reads `${outDir}/assets.json`; null when there is none (nothing was built yet).
 * Synchronous on purpose: it runs once at start-up. A malformed file throws.
 *
 * @example
 * ```ts
 * const assets = loadIslandAssets(`${root}/_fresh`);
 * if (!assets) console.warn("no island bundle: run `deno task build`");
 * ```
 */
export function loadIslandAssets(outDir: string): IslandAssets | null {
  const path = `${outDir.replace(/\/$/, "")}/${ASSETS_FILE}`;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const data = JSON.parse(text) as Partial<IslandAssets>;
  if (
    typeof data.boot !== "string" || typeof data.islands !== "object" || data.islands === null ||
    typeof data.preload !== "object" || data.preload === null
  ) {
    throw new Error(`${path} is not an island manifest: delete it and run \`deno task build\``);
  }
  return { boot: data.boot, islands: data.islands, preload: data.preload };
}
