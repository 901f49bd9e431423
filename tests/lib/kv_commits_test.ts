/**
 * lib/kv_commits.ts: operations submitted together share KV commits, yet each gets the
 * answer it would have had alone (a failed check fails only its own operation, two
 * operations on one key are never decided against the same versionstamp), and a KV
 * that does not answer does not hold the queue.
 */
import { COMMIT_BOUND_MS, commitGrouped, pendingCommits } from "@/lib/kv_commits.ts";
import { KvTimeoutError } from "@/lib/kv.ts";
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { countingKv } from "@/tests/support/counting_kv.ts";

Deno.test("a lone operation is one commit, sent at once", async () => {
  using kv = countingKv(await Deno.openKv(":memory:"));
  const versionstamp = await commitGrouped(kv, { sets: [{ key: ["a"], value: 1 }] });
  assertEquals(kv.counts.commits, 1);
  const entry = await kv.get(["a"]);
  assertEquals([entry.value, entry.versionstamp], [1, versionstamp]);
});

Deno.test("50 operations at once on different keys: all committed, in far fewer commits", async () => {
  using kv = countingKv(await Deno.openKv(":memory:"));
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => commitGrouped(kv, { sets: [{ key: ["k", i], value: i, expireIn: 60_000 }] })),
  );
  assert(results.every((versionstamp) => versionstamp !== null));
  // Each operation hears the versionstamp its keys got.
  for (let i = 0; i < 50; i++) assertEquals((await kv.get(["k", i])).versionstamp, results[i]);
  for (let i = 0; i < 50; i++) assertEquals((await kv.get(["k", i])).value, i);
  // The first goes alone; the rest wait for it and go together.
  assert(kv.counts.commits <= 3, `${kv.counts.commits} commits`);
  assertEquals(pendingCommits(kv), 0);
});

Deno.test("a failed check fails its own operation only; the others in its group commit", async () => {
  await using kv = await Deno.openKv(":memory:");
  await kv.set(["taken"], "first");
  const stale = { key: ["taken"], versionstamp: null }; // expects the key absent: it is not
  const [first, second, conflicting, third] = await Promise.all([
    commitGrouped(kv, { sets: [{ key: ["x"], value: 0 }] }),
    commitGrouped(kv, { sets: [{ key: ["y"], value: 1 }] }),
    commitGrouped(kv, { checks: [stale], sets: [{ key: ["taken"], value: "second" }] }),
    commitGrouped(kv, { sets: [{ key: ["z"], value: 2 }] }),
  ]);
  assertEquals([first, second, conflicting, third].map((v) => v !== null), [true, true, false, true]);
  assertEquals((await kv.getMany([["x"], ["y"], ["z"], ["taken"]])).map((e) => e.value), [0, 1, 2, "first"]);
});

Deno.test("two operations checking one key against the same versionstamp: exactly one wins", async () => {
  await using kv = await Deno.openKv(":memory:");
  for (let round = 0; round < 20; round++) {
    const key = ["budget", round];
    const entry = await kv.get<number>(key);
    const results = await Promise.all([
      commitGrouped(kv, { sets: [{ key: ["other", round], value: 0 }] }), // keeps the queue busy
      ...[1, 2, 3].map((n) => commitGrouped(kv, { checks: [entry], sets: [{ key, value: n }] })),
    ]);
    assertEquals(results.slice(1).filter((v) => v !== null).length, 1, `round ${round}: ${results}`);
  }
});

Deno.test("a commit that never settles is given up, and the queue goes on", async () => {
  await using real = await Deno.openKv(":memory:");
  let hang = true;
  // The first commit hangs (an unreachable remote KV retries forever inside Deno).
  const kv = new Proxy(real, {
    get(target, name) {
      if (name !== "atomic") return Reflect.get(target, name, target);
      return () => {
        const op = target.atomic();
        if (!hang) return op;
        hang = false;
        return new Proxy(op, {
          get: (o, n) =>
            n === "commit" ? () => new Promise(() => {}) : Reflect.get(o, n, o).bind?.(o) ?? Reflect.get(o, n, o),
        });
      };
    },
  }) as Deno.Kv;
  const started = performance.now();
  const stuck = commitGrouped(kv, { sets: [{ key: ["a"], value: 1 }] });
  const behind = commitGrouped(kv, { sets: [{ key: ["b"], value: 2 }] });
  const error = await assertRejects(() => stuck);
  assert(error instanceof KvTimeoutError, String(error));
  assert(await behind !== null);
  assert(performance.now() - started < COMMIT_BOUND_MS * 1.5, "waits out one commit's bound, no more");
  assertEquals((await real.get(["b"])).value, 2);
  assertEquals(pendingCommits(kv), 0);
});
