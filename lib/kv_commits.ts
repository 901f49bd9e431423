/**
 * Group commit for Deno KV: atomic operations that different requests of one instance
 * submit at the same time are committed together, as one atomic commit.
 *
 * Why: a local KV commit is a SQLite transaction that waits for the disk (fsync, ~5 ms
 * on this project's machines) and commits one after another, so a check-in, which makes
 * two commits (its rate-limit budget, its user's cache version), could not go faster
 * than half the disk's commit rate, whatever else was free (issue 14: ~100 check-ins/s
 * on a file KV, twice that on a RAM disk). Deno Deploy's KV answers a commit after a
 * network round trip: the same reasoning holds there.
 *
 * How: while one commit is in flight, what is submitted waits; when it settles, every
 * waiting operation goes out in the next one (up to KV's limits per commit). An
 * operation is its checks and its mutations, all or nothing as before:
 * - the group commits: every operation in it committed, each with the same versionstamp;
 * - the group did not commit (one operation's check failed) or threw (a lock, an
 *   error): each of its operations is committed again on its own, so each gets its own
 *   answer, exactly the one it would have had alone. An operation whose check fails is
 *   never applied, so "exact" rate limits (lib/rate_limit/kv_limiter.ts) stay exact.
 * A lone operation goes out at once, as a plain commit: a quiet instance pays nothing.
 *
 * A KV that does not answer (a remote KV that is unreachable retries forever inside
 * Deno) must not hold the queue: a commit is given up after {@linkcode COMMIT_BOUND_MS}
 * with `KvTimeoutError`, and the next group goes. Callers keep their own bounds
 * (lib/kv.ts `withTimeout`, at most that long); an operation still unsent after twice
 * the bound has been given up by its caller and is dropped, not committed late.
 *
 * @example
 * ```ts
 * const versionstamp = await commitGrouped(kv, {
 *   checks: [entry],
 *   sets: [{ key, value: log, expireIn: 60_000 }],
 * });
 * if (versionstamp === null) retry(); // a check failed: read again, decide again
 * ```
 */

/** One `set` of an operation. */
export interface KvSet {
  key: Deno.KvKey;
  value: unknown;
  expireIn?: number;
}

/** What one caller would have put in one `kv.atomic()`: checks, then sets. */
export interface KvOperation {
  checks?: readonly Deno.AtomicCheck[];
  sets: readonly KvSet[];
}

import { KvTimeoutError, withTimeout } from "./kv.ts";

/** How long one commit, or one operation waiting for its turn, may take before it is given up. */
export const COMMIT_BOUND_MS = 2_000;

/** KV's limits per atomic operation (Deno KV: 100 checks, 1000 mutations), kept well under. */
const MAX_CHECKS = 100;
const MAX_MUTATIONS = 1000;
/** Operations per group: enough to cover a disk sync's worth of requests. */
const MAX_OPERATIONS = 64;

interface Pending {
  operation: KvOperation;
  /** `performance.now()` when it was submitted. */
  since: number;
  resolve(versionstamp: string | null): void;
  reject(error: unknown): void;
}

interface Queue {
  waiting: Pending[];
  running: boolean;
}

// One queue per KV handle (tests open many); gone with the handle.
const queues = new WeakMap<Deno.Kv, Queue>();

/**
 * Commits `operation` atomically, grouped with the operations other callers submit
 * meanwhile. Resolves with the commit's versionstamp (shared by its group: every key
 * the operation set now has it), or null when one of its checks failed; rejects with
 * the KV's error for it alone.
 */
export function commitGrouped(kv: Deno.Kv, operation: KvOperation): Promise<string | null> {
  let queue = queues.get(kv);
  if (!queue) queues.set(kv, queue = { waiting: [], running: false });
  const pending = Promise.withResolvers<string | null>();
  queue.waiting.push({ operation, since: performance.now(), resolve: pending.resolve, reject: pending.reject });
  if (!queue.running) run(kv, queue);
  return pending.promise;
}

/** How many operations have been submitted on `kv` and not yet answered (tests check it drains). */
export function pendingCommits(kv: Deno.Kv): number {
  return queues.get(kv)?.waiting.length ?? 0;
}

async function run(kv: Deno.Kv, queue: Queue): Promise<void> {
  queue.running = true;
  try {
    while (queue.waiting.length > 0) {
      refuseStale(queue);
      const group = takeGroup(queue);
      if (group.length === 0) break;
      if (group.length === 1) await commitAlone(kv, group[0]);
      else await commitTogether(kv, group);
    }
  } finally {
    queue.running = false;
  }
}

/** Refuses the operations that waited more than twice {@linkcode COMMIT_BOUND_MS} for their turn. */
function refuseStale(queue: Queue): void {
  const oldest = performance.now() - 2 * COMMIT_BOUND_MS;
  if (queue.waiting[0].since >= oldest) return;
  queue.waiting = queue.waiting.filter((pending) => {
    if (pending.since >= oldest) return true;
    pending.reject(new KvTimeoutError(`KV commit waited longer than ${2 * COMMIT_BOUND_MS} ms for its turn`));
    return false;
  });
}

/**
 * The oldest waiting operations that fit in one commit (at least one), in order, and no
 * two touching the same key: KV checks every check of a commit before any of its
 * mutations, so two operations checking one key against the same versionstamp would
 * both pass, and one's write would silently replace the other's.
 */
function takeGroup(queue: Queue): Pending[] {
  let checks = 0;
  let mutations = 0;
  let count = 0;
  const keys = new Set<string>();
  for (const { operation } of queue.waiting) {
    checks += operation.checks?.length ?? 0;
    mutations += operation.sets.length;
    const touched = keysOf(operation);
    if (count > 0) {
      if (checks > MAX_CHECKS || mutations > MAX_MUTATIONS || count === MAX_OPERATIONS) break;
      if (touched.some((key) => keys.has(key))) break;
    }
    for (const key of touched) keys.add(key);
    count++;
  }
  return queue.waiting.splice(0, count);
}

/** The keys an operation checks or sets, each as a string that tells keys apart. */
function keysOf({ checks = [], sets }: KvOperation): string[] {
  return [...checks.map((check) => check.key), ...sets.map((set) => set.key)].map(keyString);
}

function keyString(key: Deno.KvKey): string {
  return key.map((part) => `${typeof part}:${part instanceof Uint8Array ? part.join(",") : String(part)}`).join(
    "\u0000",
  );
}

function atomicOf(kv: Deno.Kv, operations: readonly KvOperation[]): Deno.AtomicOperation {
  const op = kv.atomic();
  for (const { checks = [], sets } of operations) {
    if (checks.length) op.check(...checks);
    for (const { key, value, expireIn } of sets) op.set(key, value, expireIn === undefined ? undefined : { expireIn });
  }
  return op;
}

async function commitAlone(kv: Deno.Kv, pending: Pending): Promise<void> {
  try {
    const result = await withTimeout(atomicOf(kv, [pending.operation]).commit(), COMMIT_BOUND_MS, "KV commit");
    pending.resolve(result.ok ? result.versionstamp : null);
  } catch (error) {
    pending.reject(error);
  }
}

async function commitTogether(kv: Deno.Kv, group: Pending[]): Promise<void> {
  let versionstamp: string | null = null;
  try {
    const commit = atomicOf(kv, group.map((p) => p.operation)).commit();
    const result = await withTimeout(commit, COMMIT_BOUND_MS, "KV group commit");
    if (result.ok) versionstamp = result.versionstamp;
  } catch (error) {
    // A KV that does not answer would not answer each one either.
    if (error instanceof KvTimeoutError) {
      for (const pending of group) pending.reject(error);
      return;
    }
    // Otherwise answered below, one by one: each operation gets its own error or success.
  }
  if (versionstamp !== null) {
    for (const pending of group) pending.resolve(versionstamp);
    return;
  }
  await Promise.all(group.map((pending) => commitAlone(kv, pending)));
}
