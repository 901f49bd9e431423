/**
 * An esbuild plugin that resolves imports the way Deno does for this project, for a
 * browser bundle: through deno.json's import map, `npm:` specifiers to the packages in
 * the project's `node_modules` (deno.json has `"nodeModulesDir": "auto"`).
 *
 * Every package import made by project code is resolved from the project root, so all
 * of them meet the same `node_modules/preact`; esbuild follows the symlinks to real
 * paths, so the imports packages make among themselves land on the same files too. That
 * is what keeps one copy of preact and of signals in the bundle.
 *
 * @module
 */
import type { Plugin } from "esbuild";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Options of {@linkcode denoResolvePlugin}. */
export interface DenoResolveOptions {
  /** Absolute project directory (where deno.json and node_modules are). */
  root: string;
  /** deno.json's `imports`. */
  imports: Record<string, string>;
}

const SKIP = Symbol("deno-resolve: resolving");

/**
 * @example
 * ```ts
 * await esbuild.build({ plugins: [denoResolvePlugin({ root, imports: denoJson.imports })], ... });
 * ```
 */
export function denoResolvePlugin({ root, imports }: DenoResolveOptions): Plugin {
  // Longest prefix first, as an import map does.
  const prefixes = Object.keys(imports).filter((key) => key.endsWith("/"))
    .sort((a, b) => b.length - a.length);
  const mapped = (specifier: string): string => {
    if (Object.hasOwn(imports, specifier)) return imports[specifier];
    const prefix = prefixes.find((p) => specifier.startsWith(p));
    return prefix ? imports[prefix] + specifier.slice(prefix.length) : specifier;
  };

  return {
    name: "deno-resolve",
    setup(build) {
      // esbuild filters are Go regexps (no lookahead); the cheap checks happen below.
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData?.[SKIP] || args.kind === "entry-point") return undefined;
        const specifier = args.path;
        if (/^\.{0,2}\//.test(specifier)) return undefined;
        // Packages' imports of their own dependencies: esbuild's node resolution is right.
        if (/[\\/]node_modules[\\/]/.test(args.importer)) return undefined;

        const target = mapped(specifier);
        if (/^\.{0,2}\//.test(target)) return { path: resolve(root, target) };
        if (target.startsWith("file://")) return { path: fileURLToPath(target) };
        if (/^(jsr|https?|node|data):/.test(target)) {
          return {
            errors: [{
              text: `"${specifier}" cannot be bundled for the browser: islands may import local ` +
                "files and npm packages only (jsr:, https: and node: modules are server-only)",
            }],
          };
        }
        const bare = target.startsWith("npm:") ? npmToBare(target) : target;
        const result = await build.resolve(bare, {
          kind: args.kind,
          resolveDir: root,
          importer: args.importer,
          pluginData: { [SKIP]: true },
        });
        if (result.errors.length > 0) {
          return {
            errors: [{
              text: `Cannot resolve "${specifier}" (as "${bare}") from ${root}/node_modules: ` +
                "is it in deno.json's imports? Run `deno install` to populate node_modules.",
            }],
          };
        }
        return { path: result.path, sideEffects: result.sideEffects };
      });
    },
  };
}

/**
 * `npm:preact@10.29.8/hooks`, `npm:/preact@^10/hooks` → `preact/hooks`;
 * `npm:@preact/signals@2` → `@preact/signals`.
 */
export function npmToBare(specifier: string): string {
  const rest = specifier.slice("npm:".length).replace(/^\//, "");
  const match = /^((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(rest);
  if (!match) throw new Error(`not an npm specifier: ${specifier}`);
  return match[1] + (match[2] ?? "");
}
