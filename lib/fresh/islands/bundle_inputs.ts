/**
 * The fingerprint of a bundle's inputs, so `isBundleStale` can tell without running
 * esbuild whether the last build still matches the sources.
 *
 * Hashed: the list of island files, the contents of every local file the last build read
 * (island files, what they import, the client runtime; taken from esbuild's metafile),
 * deno.json and deno.lock (package versions), and the options that change the output.
 *
 * @module
 */
import { relative, resolve } from "node:path";

/** Bump when the bundle's layout changes, so older builds count as stale. */
const FORMAT = "islands-bundle/1";

/** What goes into {@linkcode inputsHash}. */
export interface BundleInputs {
  root: string;
  /** Project-relative island files, sorted. */
  islandFiles: readonly string[];
  /** Project-relative local files the build read (may include `../` paths). */
  localInputs: readonly string[];
  dev: boolean;
  publicPath: string;
}

/**
 * SHA-256 (hex) over the inputs. A file that cannot be read counts as "missing", so
 * deleting an imported file also changes the hash.
 *
 * @example
 * ```ts
 * const hash = await inputsHash({ root, islandFiles, localInputs, dev: false, publicPath: "/_fresh/js/" });
 * ```
 */
export async function inputsHash(inputs: BundleInputs): Promise<string> {
  const files = [...new Set([...inputs.islandFiles, ...inputs.localInputs, "deno.json", "deno.lock"])]
    .sort();
  const digests = await Promise.all(files.map(async (file) => {
    try {
      return await sha256(await Deno.readFile(resolve(inputs.root, file)));
    } catch {
      return "missing";
    }
  }));
  const lines = [
    FORMAT,
    `dev ${inputs.dev}`,
    `publicPath ${inputs.publicPath}`,
    `islands ${inputs.islandFiles.join(" ")}`,
    ...files.map((file, i) => `${file} ${digests[i]}`),
  ];
  return await sha256(new TextEncoder().encode(lines.join("\n")));
}

/**
 * The local source files among esbuild's metafile inputs (paths relative to `root`),
 * without packages from node_modules and without virtual modules.
 */
export function localInputs(metafileInputs: Record<string, unknown>, root: string): string[] {
  return Object.keys(metafileInputs)
    .filter((path) => !/(^|\/)node_modules\//.test(path) && !/^[\w-]+:/.test(path) && !path.startsWith("<"))
    .map((path) => toPosix(relative(root, resolve(root, path))))
    .sort();
}

function toPosix(path: string): string {
  return path.replaceAll("\\", "/");
}

async function sha256(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
