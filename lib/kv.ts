/**
 * Deno KV, opened once, with every call bounded by a timeout and commits retried.
 *
 * Why the wrappers: a remote KV that is unreachable can hang forever, and several
 * processes on one local KV file make `commit()` throw "database is locked" now and
 * then (see STACK_NOTES). Callers get a bounded wait and a bounded number of tries.
 *
 * @example
 * ```ts
 * const kv = await openKv(config);
 * const result = await commitWithRetry(kv, async (op) => {
 *   const entry = await kv.get<number>(["counter"]);
 *   op.check(entry).set(["counter"], (entry.value ?? 0) + 1);
 * });
 * ```
 */
import type { Config } from "./config.ts";
import { openRemoteKv } from "./kv_remote.ts";

/** How long one KV call may take before the caller gives up on it. */
export const KV_TIMEOUT_MS = 1_000;

/** Thrown when a KV call did not settle in time. */
export class KvTimeoutError extends Error {
  override name = "KvTimeoutError";
}

/** Thrown when a commit still failed its checks (or hit a lock) after every try. */
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KvTimeoutError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface RetryOptions {
  /** Tries in all, first included. */
  tries?: number;
  /** Bound for each read/commit round. */
  timeoutMs?: number;
}

/**
 * Runs `attempt` (read, then add checks and mutations to a fresh atomic operation) and
 * commits; retries with jittered backoff when a check fails or the file is locked, up
 * to `tries` times. `attempt` may return `false` to stop without committing (e.g. a
 * limit is reached); then `null` is returned.
 */
export async function commitWithRetry(
  kv: Deno.Kv,
  attempt: (op: Deno.AtomicOperation) => Promise<boolean | void>,
  { tries = 8, timeoutMs = KV_TIMEOUT_MS }: RetryOptions = {},
): Promise<Deno.KvCommitResult | null> {
  let lastError: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const op = kv.atomic();
      if (await withTimeout(attempt(op), timeoutMs, "KV read") === false) return null;
      const result = await withTimeout(op.commit(), timeoutMs, "KV commit");
      if (result.ok) return result;
    } catch (error) {
      if (!isLocked(error)) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** i, 32)));
  }
  throw new KvContentionError(`KV commit failed after ${tries} tries`, { cause: lastError });
}

function isLocked(error: unknown): boolean {
  return error instanceof Error && /database is locked|busy/i.test(error.message);
}
