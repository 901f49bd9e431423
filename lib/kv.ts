/**
 * Deno KV, opened once, and the vocabulary of its failures.
 *
 * Why: a remote KV that is unreachable does not fail, it retries forever inside Deno (a
 * KV Connect server whose port is closed leaves `get` pending), so every call is bounded
 * ({@linkcode withTimeout}); and several processes on one local KV file make `commit()`
 * throw "database is locked" now and then ({@linkcode isLockedError}): contention, which
 * callers retry, unlike a real failure.
 *
 * @example
 * ```ts
 * const kv = await openKv(config);
 * const entry = await withTimeout(kv.get<number>(["counter"]), 1_000, "counter read");
 * ```
 */
import type { Config } from "./config.ts";
import { openRemoteKv } from "./kv_remote.ts";
import { observedTimeout, type ObservedTimer } from "./observed_timeout.ts";

/** How long one KV call may take before the caller gives up on it. */
export const KV_TIMEOUT_MS = 1_000;

/** Thrown when a KV call did not settle in time. */
export class KvTimeoutError extends Error {
  override name = "KvTimeoutError";
}

/** Thrown when contention (failed checks, locks, a long queue) outlasted the caller's budget. */
export class KvContentionError extends Error {
  override name = "KvContentionError";
}

/**
 * Opens the KV store the config names: `:memory:`, a file path (its folder is
 * created), or a KV Connect URL. On Deno Deploy with no path, the global KV.
 */
export async function openKv(config: Pick<Config, "kvPath" | "onDeploy" | "dataDir">): Promise<Deno.Kv> {
  const path = config.kvPath;
  if (config.onDeploy && path === `${config.dataDir}/kv.sqlite3`) return await Deno.openKv();
  // A KV Connect server: bounded open, and the app starts even while it is unreachable.
  if (/^https?:\/\//.test(path)) return await openRemoteKv(path);
  if (path !== ":memory:") {
    const folder = path.replace(/\/[^/]*$/, "");
    if (folder && folder !== path) await Deno.mkdir(folder, { recursive: true });
  }
  return await Deno.openKv(path);
}

/** Rejects with {@linkcode KvTimeoutError} when `promise` has not settled after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms = KV_TIMEOUT_MS, what = "KV call"): Promise<T> {
  let timer: ObservedTimer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Stall-tolerant: a pause of this process is not the KV's slowness.
    timer = observedTimeout(() => reject(new KvTimeoutError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => timer?.clear());
}

/**
 * True for SQLite's "database is locked"/"busy", which several processes on one local KV
 * file make `commit()` throw now and then: contention, to retry, not a failure.
 *
 * @example
 * ```ts
 * isLockedError(new TypeError("database is locked")); // true
 * ```
 */
export function isLockedError(error: unknown): boolean {
  return error instanceof Error && /database is locked|busy/i.test(error.message);
}
