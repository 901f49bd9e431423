import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { KvTimeoutError } from "../../../lib/kv.ts";
import { budgetKey, consume } from "../../../lib/rate_limit/kv_limiter.ts";

const policy = { action: "test", limit: 20, windowMs: 60_000 };

/** A KV whose every call never settles: a remote KV that is unreachable. */
const hangingKv = {
  get: () => new Promise(() => {}),
  atomic: () => ({ check: () => ({}), set: () => ({}), commit: () => new Promise(() => {}) }),
} as unknown as Deno.Kv;

Deno.test("consume: 40 concurrent attempts against 20 in one KV → exactly 20 allowed, one log of 20", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const results = await Promise.all(
      Array.from({ length: 40 }, () => consume(kv, policy, "alice", { deadlineMs: 10_000, tries: 1_000 })),
    );
    assertEquals(results.filter((d) => d.allowed).length, 20);
    assertEquals((await kv.get<number[]>(budgetKey("test", "alice"))).value?.length, 20);
    const refused = results.find((d) => !d.allowed)!;
    assert(refused.retryAfterMs > 59_000 && refused.retryAfterMs <= 60_000);
    assertEquals((await consume(kv, policy, "bob")).allowed, true); // another subject, its own budget
  } finally {
    kv.close();
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

Deno.test("consume never waits more than its 100 ms deadline on a KV that hangs or throws", async () => {
  const started = performance.now();
  const timeout = await assertRejects(() => consume(hangingKv, policy, "x"));
  assert(timeout instanceof KvTimeoutError);
  const waited = performance.now() - started;
  assert(waited >= 95 && waited < 150, `waited ${waited} ms`);
  const throwing = { get: () => Promise.reject(new Error("kv down")), atomic: () => ({}) } as unknown as Deno.Kv;
  const error = await assertRejects(() => consume(throwing, policy, "x"));
  assertEquals((error as Error).message, "kv down");
});

Deno.test("3 processes × 80 concurrent attempts at one key on one KV file, limit 50 → exactly 50 allowed", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite3`;
  try {
    (await Deno.openKv(path)).close(); // create the file before the children race for it
    const script = new URL("./hammer.ts", import.meta.url).pathname;
    const startAt = String(Date.now() + 1_500);
    const children = Array.from(
      { length: 3 },
      () =>
        new Deno.Command(Deno.execPath(), { args: ["run", "-A", script, path, "80", "50", startAt], stdout: "piped" })
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
