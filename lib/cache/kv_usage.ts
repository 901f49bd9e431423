/**
 * How much a Deno KV holds, and for whom: walks every entry with `kv.list` and sizes its
 * key and value as KV stores them (issue 13 §3's budget: ≤ 64 KB per active user,
 * rate-limit keys included). Used by the budget test (tests/lib/cache/kv_budget_test.ts)
 * and the bench (bench/kv_size.ts); cheap enough for an operator's one-off look, not for
 * a request path (it reads the whole KV).
 *
 * Sizes: a value is stored as its bytes when it is a `Uint8Array`, else V8-serialized
 * (what `node:v8`'s `serialize` gives); a key as its tuple encoding (a type byte per
 * part, strings and bytes with a terminator, numbers as 8 bytes, bigints as up to 8).
 * The same as the sqlite file's `length(k)` and `length(v)` give, give or take a byte of
 * framing per value; the file itself is larger (pages, indexes, free space).
 *
 * @example
 * ```ts
 * const usage = await kvUsage(kv);
 * usage.byOwner(user.id); // { entries: 4, bytes: 13_402 }
 * ```
 */
import { serialize } from "node:v8";

/** One entry and its size. */
export interface KvEntrySize {
  key: Deno.KvKey;
  keyBytes: number;
  valueBytes: number;
}

/** Entries and bytes. */
export interface KvTally {
  entries: number;
  bytes: number;
}

/** Everything the KV holds, sized. */
export interface KvUsage {
  entries: KvEntrySize[];
  /** All entries. */
  total: KvTally;
  /** By the first part of the key ("cache", "rate_limit", …). */
  byFamily: Map<string, KvTally>;
  /** Entries whose key names `owner` in any part (a user id, an e-mail, an IP subject). */
  byOwner(...owners: string[]): KvTally;
}

const encoder = new TextEncoder();

/** The size of `key` in Deno KV's tuple encoding. */
export function keySize(key: Deno.KvKey): number {
  let bytes = 0;
  for (const part of key) {
    if (typeof part === "string") bytes += 2 + encoder.encode(part).byteLength;
    else if (part instanceof Uint8Array) bytes += 2 + part.byteLength;
    else if (typeof part === "number") bytes += 9;
    else if (typeof part === "bigint") bytes += 9;
    else bytes += 1;
  }
  return bytes;
}

/** The size of `value` as stored: its bytes, or its V8 serialization. */
export function valueSize(value: unknown): number {
  return value instanceof Uint8Array ? value.byteLength : serialize(value).byteLength;
}

/** Walks the whole KV (`kv.list` with an empty prefix) and sizes each entry. */
export async function kvUsage(kv: Deno.Kv): Promise<KvUsage> {
  const entries: KvEntrySize[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    entries.push({ key: entry.key, keyBytes: keySize(entry.key), valueBytes: valueSize(entry.value) });
  }
  const tally = (list: KvEntrySize[]): KvTally => ({
    entries: list.length,
    bytes: list.reduce((sum, e) => sum + e.keyBytes + e.valueBytes, 0),
  });
  const byFamily = new Map<string, KvTally>();
  for (const entry of entries) {
    const family = String(entry.key[0]);
    const now = byFamily.get(family) ?? { entries: 0, bytes: 0 };
    byFamily.set(family, { entries: now.entries + 1, bytes: now.bytes + entry.keyBytes + entry.valueBytes });
  }
  return {
    entries,
    total: tally(entries),
    byFamily,
    byOwner: (...owners) =>
      tally(
        entries.filter((e) => e.key.some((part) => typeof part === "string" && owners.some((o) => part.includes(o)))),
      ),
  };
}
