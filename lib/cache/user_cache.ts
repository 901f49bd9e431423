/**
 * Per-user read cache on Deno KV: get-or-compute of a response body (bytes), 60 s TTL
 * checked on read, entries stamped with the user's cache version so that one bump
 * (`invalidateUser` in ./invalidate.ts) makes every older entry unusable at once, on
 * every instance sharing the KV.
 *
 * Why each piece:
 * - The version is the versionstamp of the user's version entry: each bump is a plain
 *   `set` (no read, no check: it never conflicts), and KV gives every commit a new, never
 *   repeated versionstamp. Unlike a `sum` counter, a `set` can carry `expireIn`, so the
 *   version of a user who went quiet leaves KV too ({@linkcode VERSION_TTL_MS}); a user
 *   without one reads as {@linkcode NO_VERSION}, which only entries written while the
 *   version was absent carry, and those are long stale (entries live at most
 *   {@linkcode CACHE_TTL_MS}, far below the version's lifetime).
 * - One slot per user and name: the version is stored in the entry, not in its key, so a
 *   write after a bump overwrites the entry it replaces (and deletes that entry's parts)
 *   instead of adding one more until the old ones expire. A user who checks in and
 *   reloads ten times a minute holds one dashboard entry, not ten (issue 13 §3: the KV
 *   per user stays within its budget, tests/lib/cache/kv_budget_test.ts).
 * - `expireIn` is lazy (an expired key stays readable), so the expiry is stored in the
 *   value and checked here; `expireIn` is still set so KV reclaims the space later.
 * - Values are limited to 64 KiB: a body over {@linkcode PART_BYTES} is split into parts
 *   stored under a random id, written before the head that names them, so a reader never
 *   mixes two writers' parts (a part deleted under a reader reads as a miss). The
 *   dashboard caches its computed view (~10 KB for 20 habits, one value; a pro plan's
 *   1,000 habits would take parts); the habit list is ~6 KB: one value.
 * - The version is read BEFORE computing: a write that lands during the computation bumps
 *   the version, so whatever this computation stores is keyed under the old version and
 *   never read.
 * - Concurrent misses for one key on this instance share one computation (single flight);
 *   the in-flight map entry is deleted when it settles, so the map stays bounded.
 * - KV can fail or hang: every call is bounded, and a failure means "compute without the
 *   cache" (logged), never a failed read.
 *
 * @example
 * ```ts
 * const { body, status } = await cachedBytes(kv, user.id, ["habits", archived, today], async () =>
 *   new TextEncoder().encode(JSON.stringify({ habits: await listHabits(db, user.id) })));
 * ```
 */
import { withTimeout } from "@/lib/kv.ts";
import { log } from "@/lib/log.ts";

/** How long an entry is served after it was computed. */
export const CACHE_TTL_MS = 60_000;

/**
 * How long a user's version entry lives after its last bump. Far longer than anything
 * keyed by it stays fresh (cache entries: {@linkcode CACHE_TTL_MS}; the auth memory: 5 s),
 * so when it expires nothing that could still be served depends on it.
 */
export const VERSION_TTL_MS = 60 * 60_000;

/** A user's version when KV holds none (never bumped, or expired after a quiet hour). */
export const NO_VERSION = "none";

/** The largest part stored in one KV value (KV's limit is 64 KiB, keys and envelope aside). */
export const PART_BYTES = 60 * 1024;

/** Cache keys longer than this (as JSON) skip the cache: KV keys are limited to 2 KiB. */
const MAX_KEY_CHARS = 1_500;

/** Bytes backed by a plain ArrayBuffer (what `Response` and KV take). */
export type Bytes = Uint8Array<ArrayBuffer>;

/** What a key segment after the user may be (Deno KV key parts). */
export type CacheKeyPart = Deno.KvKeyPart;

/** `HIT`: served from KV; `MISS`: computed here (also when KV failed). */
export type CacheStatus = "HIT" | "MISS";

export interface CachedBytes {
  body: Bytes;
  status: CacheStatus;
}

export interface CacheOptions {
  /** Milliseconds an entry stays fresh; {@linkcode CACHE_TTL_MS} by default. */
  ttlMs?: number;
  /** The clock (tests inject one). */
  now?: () => number;
  /** Bound for each KV call. */
  timeoutMs?: number;
  /** The user's version, when this request already read it (authentication does). */
  version?: string;
}

type CacheContext = { state: { services: { kv: Deno.Kv }; user?: { id: string }; userVersion?: string } };

/** The version authentication read for this request, if it is `userId`'s. */
function knownVersion(ctx: CacheContext, userId: string): string | undefined {
  return ctx.state.user?.id === userId ? ctx.state.userVersion : undefined;
}

/** What the head entry holds: the body itself when it fits, else the parts' id and count. */
interface CacheHead {
  /** The user's cache version the body was computed under. */
  version: string;
  expiresAt: number;
  body?: Bytes;
  partsId?: string;
  parts?: number;
}

/** The key of a user's cache version; bumped by every mutation. */
export function versionKey(userId: string): Deno.KvKey {
  return ["cache_version", userId];
}

/**
 * Reads the user's current cache version ({@linkcode NO_VERSION} when KV holds none).
 *
 * Reads asked for in the same turn of the event loop go to KV together: one `getMany` per
 * ten users, one read per user however many requests asked ({@linkcode VersionReads}).
 * Every read is still sent after it was asked for, so it sees every write that completed
 * before: a client reads its own writes, and a revocation counts from the next request.
 */
export function readVersion(kv: Deno.Kv, userId: string, timeoutMs?: number): Promise<string> {
  let reads = versionReads.get(kv);
  if (!reads) versionReads.set(kv, reads = new VersionReads(kv));
  return reads.read(userId, timeoutMs);
}

const versionReads = new WeakMap<Deno.Kv, VersionReads>();

/** The most keys KV's `getMany` takes in one call. */
const GET_MANY_KEYS = 10;

interface VersionWaiter {
  resolve(version: string): void;
  reject(error: unknown): void;
}

/**
 * The version reads of one KV, gathered while a read is on its way: the first one asked
 * for goes at once (no added latency on a quiet instance); those asked for while it is
 * out wait for it and then go together, one `getMany` per ten users, one key per user.
 * Under load most requests join a batch: a cached read cost a KV read of its own (~50 µs
 * of a ~120 µs request), and a batch costs about what one read does. Every read is still
 * sent after it was asked for. Waiting is bounded by the shortest timeout asked for in
 * the batch.
 */
class VersionReads {
  #pending = new Map<string, VersionWaiter[]>();
  #timeoutMs: number | undefined;
  #reading = false;

  constructor(readonly kv: Deno.Kv) {}

  read(userId: string, timeoutMs?: number): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const waiters = this.#pending.get(userId);
    if (waiters) waiters.push({ resolve, reject });
    else this.#pending.set(userId, [{ resolve, reject }]);
    if (timeoutMs !== undefined) this.#timeoutMs = Math.min(this.#timeoutMs ?? timeoutMs, timeoutMs);
    if (!this.#reading) this.#send();
    return promise;
  }

  /** Sends every pending read; when they are all answered, what gathered meanwhile. */
  #send(): void {
    const pending = this.#pending;
    if (pending.size === 0) {
      this.#reading = false;
      return;
    }
    const timeoutMs = this.#timeoutMs;
    this.#pending = new Map();
    this.#timeoutMs = undefined;
    this.#reading = true;
    const users = [...pending.keys()];
    const reads: Promise<void>[] = [];
    for (let i = 0; i < users.length; i += GET_MANY_KEYS) {
      const chunk = users.slice(i, i + GET_MANY_KEYS);
      // A KV that throws instead of rejecting fails this batch's reads, not the caller.
      const read = Promise.resolve().then(() => this.kv.getMany(chunk.map(versionKey)));
      reads.push(
        withTimeout(read, timeoutMs, "KV cache version read").then(
          (entries) => {
            entries.forEach((entry, j) => {
              for (const waiter of pending.get(chunk[j])!) waiter.resolve(entry.versionstamp ?? NO_VERSION);
            });
          },
          (error) => {
            for (const user of chunk) for (const waiter of pending.get(user)!) waiter.reject(error);
          },
        ),
      );
    }
    Promise.all(reads).then(() => this.#send());
  }
}

const inFlight = new Map<string, Promise<CachedBytes>>();

/** How many computations are in flight on this instance (tests check it drains). */
export function inFlightCount(): number {
  return inFlight.size;
}

/**
 * Returns the cached body for `name` of `userId` when a fresh one exists under the user's
 * current version, else computes it with `compute`, stores it and returns it. A `compute`
 * that throws (a 404, say) stores nothing and the error reaches every waiter.
 */
export async function cachedBytes(
  kv: Deno.Kv,
  userId: string,
  name: readonly CacheKeyPart[],
  compute: () => Promise<Bytes>,
  options: CacheOptions = {},
): Promise<CachedBytes> {
  let version: string;
  try {
    version = options.version ?? await readVersion(kv, userId, options.timeoutMs);
  } catch (error) {
    log.warn("cache.bypass", { reason: "version read failed", userId, name: name.join("/"), error });
    return { body: await compute(), status: "MISS" };
  }
  const key: Deno.KvKey = ["cache", userId, ...name];
  const flightKey = JSON.stringify([version, ...key]);
  // KV keys are limited to 2 KiB; a key built from a huge path parameter is not cached.
  if (flightKey.length > MAX_KEY_CHARS) return { body: await compute(), status: "MISS" };
  const memory = memoryOf(kv);
  const remembered = memory.get(flightKey, (options.now ?? Date.now)());
  if (remembered) return { body: remembered, status: "HIT" };
  const running = inFlight.get(flightKey);
  if (running) return await running;
  const flight = readOrCompute(kv, key, version, compute, options)
    .then((result) => {
      memory.set(flightKey, result.body, result.expiresAt);
      return { body: result.body, status: result.status };
    })
    .finally(() => inFlight.delete(flightKey));
  inFlight.set(flightKey, flight);
  return await flight;
}

/** What {@linkcode readOrCompute} found or made, and until when it is fresh (undefined: not to be kept). */
interface ReadOrComputed extends CachedBytes {
  expiresAt: number | undefined;
}

async function readOrCompute(
  kv: Deno.Kv,
  key: Deno.KvKey,
  version: string,
  compute: () => Promise<Bytes>,
  options: CacheOptions,
): Promise<ReadOrComputed> {
  const now = options.now ?? Date.now;
  let replaced: CacheHead | null = null;
  try {
    const read = await readEntry(kv, key, version, now(), options.timeoutMs);
    if (read.body) return { body: read.body, status: "HIT", expiresAt: read.head?.expiresAt };
    replaced = read.head;
  } catch (error) {
    log.warn("cache.read_failed", { key: describe(key), error });
  }
  const body = await compute();
  const expiresAt = now() + ttlOf(options);
  try {
    await writeEntry(kv, key, { version, body, expiresAt, replaced }, options);
  } catch (error) {
    log.warn("cache.write_failed", { key: describe(key), bytes: body.byteLength, error });
    // Not in KV: other instances compute it again, and so does this one.
    return { body, status: "MISS", expiresAt: undefined };
  }
  return { body, status: "MISS", expiresAt };
}

/**
 * Bytes of bodies each instance keeps in memory, per KV (see {@linkcode BodyMemory}):
 * each body is charged twice, for its bytes and the text {@linkcode textOf} keeps
 * beside them, so 8 MiB of bodies fit as before.
 */
export const MEMORY_BYTES = 16 * 1024 * 1024;

const memories = new WeakMap<Deno.Kv, BodyMemory>();

function memoryOf(kv: Deno.Kv): BodyMemory {
  let memory = memories.get(kv);
  if (!memory) memories.set(kv, memory = new BodyMemory(MEMORY_BYTES));
  return memory;
}

/**
 * This instance's copy of the entries it last read or wrote, so a hit costs no KV read
 * of the entry: only the user's version is read (every request, as before), and a body
 * is served from memory only under the very version it was stored with, within the same
 * freshness as the KV entry. A version never repeats, so a write anywhere makes every
 * instance's copy unusable at its next read, exactly as it does the KV entry.
 *
 * Bounded by bytes ({@linkcode MEMORY_BYTES}); the least recently used go first. The key
 * is the version and the KV key together, so a bump leaves old copies to age out.
 */
class BodyMemory {
  #entries = new Map<string, { body: Bytes; expiresAt: number }>();
  #bytes = 0;

  constructor(readonly budget: number) {}

  get(key: string, now: number): Bytes | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) {
      this.#bytes -= charge(entry.body);
      return undefined;
    }
    this.#entries.set(key, entry); // most recently used last
    return entry.body;
  }

  set(key: string, body: Bytes, expiresAt: number | undefined): void {
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= charge(old.body);
    }
    if (expiresAt === undefined || charge(body) > this.budget / 8) return;
    this.#entries.set(key, { body, expiresAt });
    this.#bytes += charge(body);
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.budget) break;
      this.#entries.delete(oldest);
      this.#bytes -= charge(entry.body);
    }
  }
}

/** What a remembered body costs: its bytes, and at most as much again for its text. */
function charge(body: Bytes): number {
  return 2 * body.byteLength;
}

const texts = new WeakMap<Bytes, string>();

/**
 * The UTF-8 text of a cached body, decoded once per body object: a hit from memory
 * returns the very bytes object it stored, so its text is found here. A response made
 * from a string costs ~0.1–0.7 µs; from a `Uint8Array`, which Deno copies, ~4 µs for a
 * 6.5 KB list (a throwaway loop of 200,000) — and the copy was the largest allocation of
 * a cached read. Held only while the bytes are (a WeakMap).
 */
function textOf(body: Bytes): string {
  let text = texts.get(body);
  if (text === undefined) {
    text = decoder.decode(body);
    texts.set(body, text);
  }
  return text;
}

/** The slot's body when it is fresh and of `version`; else the head found there (its parts are to go). */
async function readEntry(
  kv: Deno.Kv,
  key: Deno.KvKey,
  version: string,
  now: number,
  timeoutMs?: number,
): Promise<{ body?: Bytes; head: CacheHead | null }> {
  const head = (await withTimeout(kv.get<CacheHead>(key), timeoutMs, "KV cache read")).value;
  if (!head || head.version !== version || head.expiresAt <= now) return { head };
  if (head.body) return { body: head.body, head };
  if (!head.partsId || !head.parts) return { head };
  const keys = partKeys(key, head);
  const parts: Bytes[] = [];
  // getMany takes at most 10 keys per call.
  for (let i = 0; i < keys.length; i += 10) {
    const entries = await withTimeout(kv.getMany<Bytes[]>(keys.slice(i, i + 10)), timeoutMs, "KV cache read");
    for (const entry of entries) {
      if (!entry.value) return { head };
      parts.push(entry.value);
    }
  }
  return { body: concat(parts), head };
}

function partKeys(key: Deno.KvKey, head: CacheHead): Deno.KvKey[] {
  return Array.from({ length: head.parts ?? 0 }, (_, i) => [...key, "part", head.partsId!, i]);
}

/** What one write stores, and the head it replaces (read just before computing). */
interface CacheWrite {
  version: string;
  body: Bytes;
  expiresAt: number;
  replaced: CacheHead | null;
}

async function writeEntry(
  kv: Deno.Kv,
  key: Deno.KvKey,
  { version, body, expiresAt, replaced }: CacheWrite,
  options: CacheOptions,
): Promise<void> {
  // expireIn lets KV drop the entry some time after it went stale; freshness is `expiresAt`.
  const expireIn = ttlOf(options) * 2;
  // The head goes with the deletion of the parts of the head it replaces, in one commit.
  const setHead = async (head: CacheHead) => {
    const op = kv.atomic().set(key, head, { expireIn });
    if (replaced?.partsId) { for (const part of partKeys(key, replaced)) op.delete(part); }
    await withTimeout(op.commit(), options.timeoutMs, "KV cache write");
  };
  if (body.byteLength <= PART_BYTES) {
    await setHead({ version, expiresAt, body });
    return;
  }
  // Parts first, in commits of at most PARTS_PER_COMMIT (an atomic write is limited in
  // total size too), then the head that names them: a reader finds either no head or a
  // head whose parts are all there. Parts of a write that failed halfway expire unread.
  const partsId = crypto.randomUUID();
  const count = Math.ceil(body.byteLength / PART_BYTES);
  for (let first = 0; first < count; first += PARTS_PER_COMMIT) {
    const op = kv.atomic();
    for (let i = first; i < Math.min(count, first + PARTS_PER_COMMIT); i++) {
      op.set([...key, "part", partsId, i], body.slice(i * PART_BYTES, (i + 1) * PART_BYTES), { expireIn });
    }
    await withTimeout(op.commit(), options.timeoutMs, "KV cache write");
  }
  await setHead({ version, expiresAt, partsId, parts: count });
}

/**
 * An entry's freshness: as asked, but never near the version's lifetime, which is what
 * keeps an entry written under {@linkcode NO_VERSION} from outliving it.
 */
function ttlOf(options: CacheOptions): number {
  return Math.min(options.ttlMs ?? CACHE_TTL_MS, VERSION_TTL_MS / 4);
}

/** Parts per atomic write: 8 × 60 KiB stays under KV's 800 KiB total per atomic operation. */
const PARTS_PER_COMMIT = 8;

function concat(parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

function describe(key: Deno.KvKey): string {
  return key.map(String).join("/");
}

/** The response header that says whether a read came from the cache. */
export const CACHE_HEADER = "X-Cache";

/**
 * A JSON read of the signed-in user through the cache: the exact bytes of the body are
 * cached, so a HIT and a MISS differ only in `X-Cache`.
 *
 * @example
 * ```ts
 * return await cachedJson(ctx, user.id, ["habits", archived], async () => ({ habits: await listHabits(db, user.id) }));
 * ```
 */
export async function cachedJson(
  ctx: CacheContext,
  userId: string,
  name: readonly CacheKeyPart[],
  compute: () => Promise<unknown>,
  options?: CacheOptions,
): Promise<Response> {
  const { body, status } = await cachedBytes(
    ctx.state.services.kv,
    userId,
    name,
    async () => encoder.encode(JSON.stringify(await compute())),
    { version: knownVersion(ctx, userId), ...options },
  );
  return new Response(textOf(body), { headers: { "content-type": "application/json", [CACHE_HEADER]: status } });
}

/**
 * A value of the signed-in user (page data) through the cache, as JSON. Timestamps
 * (`createdAt`, `updatedAt`, `archivedAt`: the only `Date`s our rows carry) come back as
 * `Date`s; they are revived by key name, never by shape, so a user-typed string that looks
 * like a date stays a string.
 *
 * @example
 * ```ts
 * const { value, status } = await cachedValue(ctx, user.id, ["dashboard", today], () => loadDashboard(db, user.id, today));
 * ```
 */
export async function cachedValue<T>(
  ctx: CacheContext,
  userId: string,
  name: readonly CacheKeyPart[],
  compute: () => Promise<T>,
  options?: CacheOptions,
): Promise<{ value: T; status: CacheStatus }> {
  let computed: { value: T } | undefined;
  const { body, status } = await cachedBytes(ctx.state.services.kv, userId, name, async () => {
    const value = await compute();
    computed = { value };
    return encoder.encode(JSON.stringify(value));
  }, { version: knownVersion(ctx, userId), ...options });
  // The computing request keeps its own value; waiters and hits parse the shared bytes.
  if (computed) return { value: computed.value, status };
  return { value: JSON.parse(textOf(body), reviveTimestamps) as T, status };
}

const TIMESTAMP_KEYS = new Set(["createdAt", "updatedAt", "archivedAt"]);

function reviveTimestamps(key: string, value: unknown): unknown {
  return TIMESTAMP_KEYS.has(key) && typeof value === "string" ? new Date(value) : value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
