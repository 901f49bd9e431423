/**
 * This instance's memory of who a session or token belongs to (app/auth/auth_cache.ts
 * reads and fills it; app/cache/invalidate.ts carries it across a check-in's version
 * bump). Its own module so that neither of those imports the other.
 *
 * Bounded ({@linkcode AUTH_CACHE_MAX} credentials, oldest out first) and indexed by user,
 * so carrying one user's entries costs that user's entries, not the whole memory.
 *
 * @example
 * ```ts
 * const memory = rememberedOf(services);
 * memory.set("s:<hash>", { user, version, expiresAt: Date.now() + AUTH_CACHE_TTL_MS });
 * carryRemembered(services, user.id, oldVersion, newVersion);
 * ```
 */
import type { AuthUser } from "@/db/users.ts";
import type { Services } from "@/app/state.ts";

/** Most credentials one instance remembers. */
export const AUTH_CACHE_MAX = 10_000;

export interface RememberedEntry {
  user: AuthUser;
  /** The user's version (a versionstamp) when this was stored; never the "none" version. */
  version: string;
  expiresAt: number;
}

/** Credential key → entry, with each user's keys at hand. */
export class RememberedCredentials {
  #entries = new Map<string, RememberedEntry>();
  #keysOfUser = new Map<string, Set<string>>();

  get(key: string): RememberedEntry | undefined {
    return this.#entries.get(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  set(key: string, entry: RememberedEntry): void {
    this.delete(key);
    if (this.#entries.size >= AUTH_CACHE_MAX) this.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
    let keys = this.#keysOfUser.get(entry.user.id);
    if (!keys) this.#keysOfUser.set(entry.user.id, keys = new Set());
    keys.add(key);
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const keys = this.#keysOfUser.get(entry.user.id);
    keys?.delete(key);
    if (keys?.size === 0) this.#keysOfUser.delete(entry.user.id);
  }

  /** The entries of one user. */
  *ofUser(userId: string): Iterable<RememberedEntry> {
    for (const key of this.#keysOfUser.get(userId) ?? []) yield this.#entries.get(key)!;
  }
}

// One memory per app (tests run several apps in one process, each with its own DB and KV).
const memories = new WeakMap<Services, RememberedCredentials>();

/** The memory of the app `services` belong to. */
export function rememberedOf(services: Services): RememberedCredentials {
  let memory = memories.get(services);
  if (!memory) memories.set(services, memory = new RememberedCredentials());
  return memory;
}

/**
 * After this instance moved `userId`'s version from `from` to `to` with a write that
 * changed neither credentials nor profile (a check-in), and KV confirmed that nothing
 * else moved it in between (a check on `from`): what it remembered of the user under
 * `from` is as true under `to`, so it is kept instead of being looked up again
 * (app/cache/invalidate.ts decides when).
 */
export function carryRemembered(services: Services, userId: string, from: string, to: string): void {
  for (const entry of memories.get(services)?.ofUser(userId) ?? []) {
    if (entry.version === from) entry.version = to;
  }
}

/** Whether this instance remembers `userId` under `version` (any of their credentials). */
export function remembersAt(services: Services, userId: string, version: string): boolean {
  for (const entry of memories.get(services)?.ofUser(userId) ?? []) {
    if (entry.version === version) return true;
  }
  return false;
}
