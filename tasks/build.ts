/**
 * `deno task build`: writes `fresh.gen.ts` (the route/island manifest) and bundles the
 * islands into `_fresh/` with one esbuild run. `--if-stale` skips the bundle when its
 * inputs are unchanged (what `deno task start` and `deno task test` use).
 */
import { generateManifest, listModules } from "@/lib/fresh/manifest.ts";
import { bundleIslands, isBundleStale } from "@/lib/fresh/islands/bundle.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Rewrites the manifest when it changed; returns true when it did. */
export async function writeManifest(root = ROOT): Promise<boolean> {
  const source = await generateManifest(root);
  const path = `${root}/fresh.gen.ts`;
  const current = await Deno.readTextFile(path).catch(() => "");
  if (current === source) return false;
  await Deno.writeTextFile(path, source);
  return true;
}

/** Manifest + island bundle; returns what it did, for logs. */
export async function build(options: { ifStale?: boolean; dev?: boolean; root?: string } = {}) {
  const root = options.root ?? ROOT;
  const started = performance.now();
  const manifestChanged = await writeManifest(root);
  const islandFiles = await listModules(root, "islands");
  const stale = !options.ifStale || await isBundleStale({ root, islandFiles });
  if (stale) await bundleIslands({ root, islandFiles, dev: options.dev });
  return { manifestChanged, bundled: stale, islands: islandFiles.length, ms: Math.round(performance.now() - started) };
}

if (import.meta.main) {
  const result = await build({ ifStale: Deno.args.includes("--if-stale"), dev: Deno.args.includes("--dev") });
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "build.done", ...result }));
}
