/**
 * The types the rest of the app sees (re-exported by `server.ts`), in a module of their
 * own so the renderer, the bundler and the manifest loader can share them.
 *
 * @module
 */
import type { ComponentType } from "preact";

/** One island: an exported component of a module under `islands/`. */
export interface IslandEntry {
  /** Project-relative module path, e.g. "islands/Counter.tsx". */
  file: string;
  /** The export's name in that module ("default" for a default export). */
  exportName: string;
  // deno-lint-ignore no-explicit-any
  component: ComponentType<any>;
}

/** Where the browser finds the built client code (`_fresh/assets.json`). */
export interface IslandAssets {
  /** URL of the client boot module, e.g. "/_fresh/js/boot-3F2A1B.js". */
  boot: string;
  /** file ("islands/Counter.tsx") → URL of its chunk. */
  islands: Record<string, string>;
  /**
   * file → URLs of the shared chunks it imports statically (for `<link rel="modulepreload">`).
   * The boot module's own shared chunks are listed under its URL (`preload[boot]`).
   */
  preload: Record<string, string[]>;
}
