/**
 * Builds the browser code for islands: ONE esbuild run with code splitting over the
 * client boot and every island file, so the browser gets one copy of preact and of
 * signals, one chunk per island file and content-hashed names (the server serves them
 * as immutable).
 *
 * Output, under `outDir` (default `${root}/_fresh`):
 * - `js/boot-<hash>.js`, `js/island-<name>-<hash>.js`, `js/chunk-<hash>.js` (shared code),
 *   plus `.map` files in dev;
 * - `assets.json`: {@linkcode IslandAssets} + `inputsHash` + what the hash covered;
 * - `metafile.json`: esbuild's metafile (size analysis, and the one-copy test).
 *
 * @example
 * ```ts
 * const assets = await bundleIslands({ root, islandFiles: ["islands/Counter.tsx"] });
 * assets.islands["islands/Counter.tsx"]; // → "/_fresh/js/island-Counter-PQ3XKDWN.js"
 * if (await isBundleStale({ root, islandFiles })) await bundleIslands({ root, islandFiles });
 * ```
 *
 * @module
 */
import * as esbuild from "esbuild";
import { basename, isAbsolute, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSETS_FILE, loadIslandAssets } from "./assets.ts";
import { inputsHash, localInputs } from "./bundle_inputs.ts";
import { denoResolvePlugin } from "./resolve_plugin.ts";
import type { IslandAssets } from "./types.ts";

export { loadIslandAssets };

/** The client runtime's entry point. */
const BOOT_ENTRY = fileURLToPath(new URL("./client/boot.ts", import.meta.url));
const DEFAULT_PUBLIC_PATH = "/_fresh/js/";
const METAFILE = "metafile.json";

/** Options of {@linkcode bundleIslands}. */
export interface BundleOptions {
  /** Absolute project directory (deno.json, node_modules). */
  root: string;
  /** Project-relative island modules, e.g. "islands/Counter.tsx". */
  islandFiles: string[];
  /** Default `${root}/_fresh`. */
  outDir?: string;
  /** URL prefix of `${outDir}/js/`; default "/_fresh/js/". */
  publicPath?: string;
  /** No minification, linked source maps. */
  dev?: boolean;
}

/** What `assets.json` holds besides {@linkcode IslandAssets}. */
interface Manifest extends IslandAssets {
  inputsHash: string;
  /** The local files the build read, project-relative: re-hashed by isBundleStale. */
  inputs: string[];
}

/** Builds run one at a time in a process: two builds into one directory would delete each other's files. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * One esbuild run with splitting over the boot module and every island file; writes the
 * hashed files to `${outDir}/js/` (removing files of earlier builds) and the manifest to
 * `${outDir}/assets.json`, and returns the manifest.
 */
export function bundleIslands(
  options: BundleOptions,
): Promise<IslandAssets & { inputsHash: string }> {
  const run = queue.then(() => build(options));
  queue = run.catch(() => {});
  return run;
}

async function build(options: BundleOptions): Promise<IslandAssets & { inputsHash: string }> {
  const root = resolve(options.root);
  const outDir = resolve(options.outDir ?? join(root, "_fresh"));
  const jsDir = join(outDir, "js");
  const publicPath = withTrailingSlash(options.publicPath ?? DEFAULT_PUBLIC_PATH);
  const dev = options.dev ?? false;
  const islandFiles = normalizeIslandFiles(options.islandFiles);
  const denoJson = await readDenoJson(root);

  const entryPoints = [
    { in: BOOT_ENTRY, out: "boot" },
    ...entryNames(islandFiles).map((out, i) => ({ in: join(root, islandFiles[i]), out })),
  ];
  const result = await withEsbuild(() =>
    esbuild.build({
      absWorkingDir: root,
      entryPoints,
      outdir: jsDir,
      entryNames: "[name]-[hash]",
      chunkNames: "chunk-[hash]",
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: ["es2022"],
      write: false,
      metafile: true,
      minify: !dev,
      sourcemap: dev ? "linked" : false,
      jsx: "automatic",
      jsxImportSource: denoJson.compilerOptions?.jsxImportSource ?? "preact",
      define: { "process.env.NODE_ENV": JSON.stringify(dev ? "development" : "production") },
      charset: "utf8",
      logLevel: "silent",
      plugins: [denoResolvePlugin({ root, imports: denoJson.imports ?? {} })],
    })
  );
  const metafile = result.metafile!;

  // Metafile paths are relative to absWorkingDir (root); output files all sit in jsDir.
  const urlOf = (metaPath: string) => publicPath + basename(metaPath);
  const outputFor = (entry: string) => {
    const found = Object.entries(metafile.outputs).find(([, output]) =>
      output.entryPoint !== undefined && resolve(root, output.entryPoint) === entry
    );
    if (!found) throw new Error(`esbuild produced no output for ${entry}`);
    return found[0];
  };
  const staticImports = (start: string) => {
    const seen = new Set<string>();
    const visit = (path: string) => {
      for (const imported of metafile.outputs[path]?.imports ?? []) {
        if (imported.kind !== "import-statement" || imported.external || seen.has(imported.path)) continue;
        seen.add(imported.path);
        visit(imported.path);
      }
    };
    visit(start);
    return [...seen].sort().map(urlOf);
  };

  const bootOutput = outputFor(BOOT_ENTRY);
  const boot = urlOf(bootOutput);
  const islands: Record<string, string> = {};
  const preload: Record<string, string[]> = { [boot]: staticImports(bootOutput) };
  for (const file of islandFiles) {
    const output = outputFor(join(root, file));
    islands[file] = urlOf(output);
    preload[file] = staticImports(output);
  }

  const inputs = localInputs(metafile.inputs, root);
  const manifest: Manifest = {
    boot,
    islands,
    preload,
    inputsHash: await inputsHash({ root, islandFiles, localInputs: inputs, dev, publicPath }),
    inputs,
  };

  // Chunks first, manifest last (atomically), so a reader never sees a manifest that
  // names files not yet written; then drop the files no manifest refers to any more.
  await Deno.mkdir(jsDir, { recursive: true });
  const written = new Set<string>();
  await Promise.all(result.outputFiles!.map((file) => {
    written.add(basename(file.path));
    return Deno.writeFile(file.path, file.contents);
  }));
  await writeAtomically(join(outDir, METAFILE), JSON.stringify(metafile));
  await writeAtomically(join(outDir, ASSETS_FILE), JSON.stringify(manifest, null, 2) + "\n");
  for await (const entry of Deno.readDir(jsDir)) {
    if (entry.isFile && !written.has(entry.name)) await Deno.remove(join(jsDir, entry.name));
  }
  return { boot, islands, preload, inputsHash: manifest.inputsHash };
}

/** Options of {@linkcode isBundleStale}. */
export interface StaleOptions {
  root: string;
  islandFiles: string[];
  /** Default `${root}/_fresh`. */
  outDir?: string;
  /** The build you want; a build made with other options is stale. Default false. */
  dev?: boolean;
  /** Default "/_fresh/js/". */
  publicPath?: string;
}

/**
 * True when `${outDir}/assets.json` is missing, names files that are gone, or its
 * `inputsHash` differs from a fresh hash of the inputs (island files, the files they and
 * the client runtime import, deno.json, deno.lock). Cheap: reads and hashes files, no
 * esbuild.
 *
 * @example
 * ```ts
 * if (await isBundleStale({ root, islandFiles })) await bundleIslands({ root, islandFiles });
 * ```
 */
export async function isBundleStale(options: StaleOptions): Promise<boolean> {
  const root = resolve(options.root);
  const outDir = resolve(options.outDir ?? join(root, "_fresh"));
  let manifest: Partial<Manifest>;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(outDir, ASSETS_FILE)));
  } catch {
    return true;
  }
  if (
    typeof manifest.inputsHash !== "string" || !Array.isArray(manifest.inputs) ||
    typeof manifest.boot !== "string" || typeof manifest.islands !== "object" || manifest.islands === null
  ) {
    return true;
  }
  const hash = await inputsHash({
    root,
    islandFiles: normalizeIslandFiles(options.islandFiles),
    localInputs: manifest.inputs,
    dev: options.dev ?? false,
    publicPath: withTrailingSlash(options.publicPath ?? DEFAULT_PUBLIC_PATH),
  });
  if (hash !== manifest.inputsHash) return true;
  const urls = [manifest.boot, ...Object.values(manifest.islands), ...Object.values(manifest.preload ?? {}).flat()];
  for (const url of new Set(urls)) {
    try {
      await Deno.stat(join(outDir, "js", basename(url)));
    } catch {
      return true;
    }
  }
  return false;
}

/** esbuild's service is a child process: stop it when no build needs it, so nothing lingers. */
async function withEsbuild<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await esbuild.stop();
  }
}

/** "islands/Counter.tsx" → "island-Counter"; "islands/admin/Chart.tsx" → "island-admin-Chart". */
function entryNames(files: readonly string[]): string[] {
  const used = new Set<string>(["boot"]);
  return files.map((file) => {
    const stem = file.replace(/^islands\//, "").replace(/\.[jt]sx?$/, "").replace(/[^\w-]+/g, "-");
    let name = `island-${stem}`;
    for (let n = 2; used.has(name); n++) name = `island-${stem}-${n}`;
    used.add(name);
    return name;
  });
}

function normalizeIslandFiles(files: readonly string[]): string[] {
  for (const file of files) {
    if (isAbsolute(file) || file.startsWith("../")) {
      throw new Error(`island files must be project-relative paths such as "islands/Counter.tsx", got "${file}"`);
    }
  }
  return [...new Set(files.map((file) => normalize(file).replaceAll("\\", "/")))].sort();
}

interface DenoJson {
  imports?: Record<string, string>;
  compilerOptions?: { jsxImportSource?: string };
}

async function readDenoJson(root: string): Promise<DenoJson> {
  try {
    return JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw new Error(`cannot read ${join(root, "deno.json")}: ${error instanceof Error ? error.message : error}`);
  }
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, text);
  await Deno.rename(temporary, path);
}

function withTrailingSlash(path: string): string {
  return path.endsWith("/") ? path : `${path}/`;
}
