/**
 * A Deno KV that counts what is done through it, for the per-route KV operations table
 * (tests/lib/cache/kv_ops_test.ts → docs/kv.md): keys read (`get` 1, `getMany` one per
 * key, `list` one per entry returned), keys written (`set`, `delete`, each mutation of an
 * atomic operation), commits (a `set` or `delete` is one, as is each `atomic().commit()`),
 * and Deno Deploy's billing units: a read unit per started 4 KiB of each key + value
 * read, a write unit per started 1 KiB of each key + value written.
 *
 * It also notes every key set without `expireIn` ({@linkcode CountingKv.unexpiring}):
 * every entry the app writes must expire (issue 13 §3). Everything else passes through
 * to the real KV unchanged.
 *
 * @example
 * ```ts
 * const kv = countingKv(await Deno.openKv(":memory:"));
 * await kv.get(["x"]);
 * kv.counts; // { reads: 1, writes: 0, commits: 0, readUnits: 1, writeUnits: 0 }
 * ```
 */
import { keySize, valueSize } from "@/lib/cache/kv_usage.ts";

/** What was done through the KV since the last {@linkcode CountingKv.reset}. */
export interface KvCounts {
  reads: number;
  writes: number;
  commits: number;
  readUnits: number;
  writeUnits: number;
}

export type CountingKv = Deno.Kv & {
  readonly counts: KvCounts;
  /** Keys set without `expireIn` since the wrapper was made (never reset). */
  readonly unexpiring: Deno.KvKey[];
  reset(): void;
};

const zero = (): KvCounts => ({ reads: 0, writes: 0, commits: 0, readUnits: 0, writeUnits: 0 });

/** Wraps `kv` (see the module doc). */
export function countingKv(kv: Deno.Kv): CountingKv {
  let counts = zero();
  const unexpiring: Deno.KvKey[] = [];
  const expiring = (key: Deno.KvKey, options: unknown) => {
    if (!(options as { expireIn?: number } | undefined)?.expireIn) unexpiring.push(key);
  };
  const read = (entry: Deno.KvEntryMaybe<unknown>) => {
    counts.reads++;
    counts.readUnits += Math.max(1, Math.ceil((keySize(entry.key) + valueSize(entry.value ?? null)) / 4096));
  };
  const written = (key: Deno.KvKey, value: unknown) => {
    counts.writes++;
    counts.writeUnits += Math.max(1, Math.ceil((keySize(key) + valueSize(value)) / 1024));
  };
  const atomic = (op: Deno.AtomicOperation): Deno.AtomicOperation => {
    const wrapped: Deno.AtomicOperation = new Proxy(op, {
      get(target, name) {
        const real = Reflect.get(target, name, target);
        if (typeof real !== "function") return real;
        return (...args: unknown[]) => {
          if (name === "commit") {
            counts.commits++;
            return real.apply(target, args);
          }
          if (name === "set") {
            written(args[0] as Deno.KvKey, args[1]);
            expiring(args[0] as Deno.KvKey, args[2]);
          } else if (name === "delete") written(args[0] as Deno.KvKey, null);
          else if (name === "sum" || name === "min" || name === "max") written(args[0] as Deno.KvKey, args[1]);
          real.apply(target, args);
          return wrapped;
        };
      },
    });
    return wrapped;
  };
  return new Proxy(kv, {
    get(target, name) {
      if (name === "counts") return counts;
      if (name === "unexpiring") return unexpiring;
      if (name === "reset") return () => counts = zero();
      const real = Reflect.get(target, name, target);
      if (typeof real !== "function") return real;
      switch (name) {
        case "get":
          return async (...args: unknown[]) => {
            const entry = await real.apply(target, args);
            read(entry);
            return entry;
          };
        case "getMany":
          return async (...args: unknown[]) => {
            const entries = await real.apply(target, args);
            for (const entry of entries) read(entry);
            return entries;
          };
        case "list":
          return (...args: unknown[]) => {
            const iterator = real.apply(target, args) as Deno.KvListIterator<unknown>;
            return (async function* () {
              for await (const entry of iterator) {
                read(entry);
                yield entry;
              }
            })();
          };
        case "set":
          return (...args: unknown[]) => {
            written(args[0] as Deno.KvKey, args[1]);
            expiring(args[0] as Deno.KvKey, args[2]);
            counts.commits++;
            return real.apply(target, args);
          };
        case "delete":
          return (...args: unknown[]) => {
            written(args[0] as Deno.KvKey, null);
            counts.commits++;
            return real.apply(target, args);
          };
        case "atomic":
          return () => atomic(real.apply(target, []));
        default:
          return real.bind(target);
      }
    },
  }) as CountingKv;
}
