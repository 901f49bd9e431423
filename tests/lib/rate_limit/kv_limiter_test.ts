import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { KvContentionError, KvTimeoutError } from "@/lib/kv.ts";
import { budgetKey, consume, MAX_WAITING_PER_KEY, waitingKeys } from "@/lib/rate_limit/kv_limiter.ts";

const policy = { action: "test", limit: 20, windowMs: 60_000 };

/** A KV whose every call never settles: a remote KV that is unreachable. */
const hangingKv = {
  get: () => new Promise(() => {}),
  atomic: () => ({ check: () => ({}), set: () => ({}), commit: () => new Promise(() => {}) }),
} as unknown as Deno.Kv;

type Commit = Deno.AtomicOperation["commit"];

/** `kv` whose commits go through `commit(original)` (a Proxy keeps every other call as it is). */
function wrapCommits(kv: Deno.Kv, commit: (original: Commit) => ReturnType<Commit>) {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const original = op.commit.bind(op);
          op.commit = () => commit(original);
          return op;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `kv` with its commits counted. */
function countingCommits(kv: Deno.Kv) {
  const counts = { commits: 0 };
  const counted = wrapCommits(kv, (commit) => {
    counts.commits++;
    return commit();
  });
  return { kv: counted, counts };
}

Deno.test("consume: 40 concurrent attempts against 20 in one instance → exactly 20 allowed, in a few batched commits", async () => {
  const real = await Deno.openKv(":memory:");
  const { kv, counts } = countingCommits(real);
  try {
    const results = await Promise.all(Array.from({ length: 40 }, () => consume(kv, policy, "alice")));
    assertEquals(results.filter((d) => d.allowed).length, 20);
    assertEquals((await real.get<number[]>(budgetKey("test", "alice"))).value?.length, 20);
    // Same-key requests are decided together: one read and one commit per batch, not 40 racing commits.
    assert(counts.commits <= 3, `${counts.commits} commits for 40 decisions`);
    const refused = results.find((d) => !d.allowed)!;
    assert(refused.retryAfterMs > 59_000 && refused.retryAfterMs <= 60_000);
    // In arrival order: the first 20 callers are the ones let through.
    assertEquals(results.map((d) => d.allowed), [...Array(20).fill(true), ...Array(20).fill(false)]);
    assertEquals((await consume(kv, policy, "bob")).allowed, true); // another subject, its own budget
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertEquals(waitingKeys(kv), 0, "no queue is left behind");
  } finally {
    real.close();
  }
});

Deno.test("consume with an injected clock: the budget comes back as the window slides", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = 1_000_000;
    const opts = { now: () => now };
    for (let i = 0; i < 20; i++) assertEquals((await consume(kv, policy, "c", opts)).allowed, true);
    assertEquals((await consume(kv, policy, "c", opts)).allowed, false);
    now += 60_000;
    assertEquals((await consume(kv, policy, "c", opts)).allowed, true);
  } finally {
    kv.close();
  }
});

Deno.test("consume: a KV that does not answer or throws is a KV failure, for everyone queued on the key", async () => {
  const queued = Array.from({ length: 5 }, () => consume(hangingKv, policy, "x", { callTimeoutMs: 50 }));
  for (const attempt of queued) {
    assert(await assertRejects(() => attempt) instanceof KvTimeoutError);
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  assertEquals(waitingKeys(hangingKv), 0);
  const throwing = { get: () => Promise.reject(new Error("kv down")), atomic: () => ({}) } as unknown as Deno.Kv;
  const error = await assertRejects(() => consume(throwing, policy, "x"));
  assertEquals((error as Error).message, "kv down");
});

Deno.test("consume: contention that outlasts the budget is refused (KvContentionError), never allowed uncounted", async () => {
  const real = await Deno.openKv(":memory:");
  // Another writer always commits between our read and our commit: every check fails.
  const raced = new Proxy(real, {
    get(target, prop) {
      if (prop === "get") {
        return async (key: Deno.KvKey) => {
          const entry = await target.get(key);
          await target.set(["rate_limit", "test", "raced"], [Date.now()]);
          return entry;
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    const error = await assertRejects(() => consume(raced, policy, "raced", { budgetMs: 200 }));
    assert(error instanceof KvContentionError, String(error));
  } finally {
    real.close();
  }
});

Deno.test("consume retries SQLite's 'database is locked' as contention", async () => {
  const real = await Deno.openKv(":memory:");
  let locks = 2;
  const locking = wrapCommits(
    real,
    (commit) => locks-- > 0 ? Promise.reject(new TypeError("database is locked")) : commit(),
  );
  try {
    assertEquals((await consume(locking, policy, "l")).allowed, true);
    assertEquals(locks, -1);
    assertEquals((await real.get<number[]>(budgetKey("test", "l"))).value?.length, 1);
  } finally {
    real.close();
  }
});

Deno.test("consume: the queue on one key is bounded; the overflow is refused as contention", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const wide = { action: "wide", limit: 5, windowMs: 60_000 };
    const results = await Promise.allSettled(
      Array.from({ length: MAX_WAITING_PER_KEY + 10 }, () => consume(kv, wide, "crowd")),
    );
    const refusedAsBusy = results.filter((r) => r.status === "rejected" && r.reason instanceof KvContentionError);
    assert(refusedAsBusy.length >= 9, `${refusedAsBusy.length} refused as contention`);
    assertEquals(results.filter((r) => r.status === "fulfilled" && r.value.allowed).length, 5);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertEquals(waitingKeys(kv), 0);
  } finally {
    kv.close();
  }
});

Deno.test("3 processes × 100 concurrent attempts at one key on one KV file, limit 50 → exactly 50 allowed", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    (await Deno.openKv(path)).close(); // create the file before the children race for it
    const script = new URL("./hammer.ts", import.meta.url).pathname;
    const startAt = String(Date.now() + 1_500);
    const children = Array.from(
      { length: 3 },
      () =>
        new Deno.Command(Deno.execPath(), { args: ["run", "-A", script, path, "100", "50", startAt], stdout: "piped" })
          .output(),
    );
    const outputs = await Promise.all(children);
    const counts = outputs.map((o) => {
      assertEquals(o.code, 0);
      return JSON.parse(new TextDecoder().decode(o.stdout)) as { allowed: number; failed: number };
    });
    assertEquals(counts.reduce((sum, c) => sum + c.failed, 0), 0);
    assertEquals(counts.reduce((sum, c) => sum + c.allowed, 0), 50);
    const kv = await Deno.openKv(path);
    assertEquals((await kv.get<number[]>(budgetKey("hammer", "one-key"))).value?.length, 50);
    kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
