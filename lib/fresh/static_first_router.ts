/**
 * Hono's TrieRouter with the answers for static paths kept: a request for a path that a
 * route names literally (`/api/health`, `/api/habits`, `/app`) is answered from a map,
 * without walking the trie. Hono's default RegExpRouter does the same with its static
 * map, but refuses our route set (`/api/goals/:id` beside `/api/goals/pin`…), so the
 * app fell back to the trie for every request.
 *
 * A match depends only on the method and the path, and Hono only reads a match result,
 * so one result serves every request for that method and path. Only known methods and
 * paths a route names literally are kept: the map is bounded by the route table, however
 * many distinct paths clients send.
 *
 * @example
 * ```ts
 * const app = new Hono({ router: new StaticFirstRouter() });
 * ```
 */
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** The methods whose matches are kept (any other is matched in the trie each time). */
const KEPT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A pattern with no parameter, wildcard or optional part: it matches one path only. */
function isStaticPattern(path: string): boolean {
  return !/[:*{}?]/.test(path);
}

/** See the module documentation. */
export class StaticFirstRouter<T> implements Router<T> {
  name = "StaticFirstRouter";
  readonly #trie = new TrieRouter<T>();
  readonly #staticPaths = new Set<string>();
  #kept = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#trie.add(method, path, handler);
    if (isStaticPattern(path)) this.#staticPaths.add(path);
    // Any route added can change any path's match (a `*` middleware, say).
    this.#kept = new Map();
  }

  match(method: string, path: string): Result<T> {
    if (!this.#staticPaths.has(path) || !KEPT_METHODS.has(method)) return this.#trie.match(method, path);
    const key = `${method} ${path}`;
    let result = this.#kept.get(key);
    if (result === undefined) {
      result = this.#trie.match(method, path);
      this.#kept.set(key, result);
    }
    return result;
  }
}
