import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { isLockedError, KvTimeoutError, openKv, withTimeout } from "@/lib/kv.ts";

Deno.test("withTimeout rejects a call that hangs, and passes one that settles", async () => {
  const hang = new Promise<never>(() => {});
  const error = await assertRejects(() => withTimeout(hang, 30, "KV read"));
  assert(error instanceof KvTimeoutError);
  assertEquals((error as Error).message, "KV read took longer than 30 ms");
  assertEquals(await withTimeout(Promise.resolve(7), 30), 7);
});

Deno.test("withTimeout does not blame the KV for a stall of this process", async () => {
  // The answer becomes ready at 150 ms, past the 100 ms deadline, while the event loop is
  // blocked (a long synchronous task, a starved CPU): when it wakes, both are due.
  const answer = new Promise<number>((resolve) => setTimeout(() => resolve(1), 150));
  const outcome = withTimeout(answer, 100, "KV read").then((value) => value, (error) => error);
  const until = performance.now() + 600;
  while (performance.now() < until) { /* busy: the loop cannot run */ }
  assertEquals(await outcome, 1);
  // A KV that is truly silent still times out.
  const error = await assertRejects(() => withTimeout(new Promise(() => {}), 100, "KV read"));
  assert(error instanceof KvTimeoutError);
});

Deno.test("isLockedError: SQLite's lock and busy errors are contention, anything else is not", () => {
  assert(isLockedError(new TypeError("database is locked")));
  assert(isLockedError(new Error("SQLITE_BUSY: database busy")));
  assert(!isLockedError(new RangeError("bad key")));
  assert(!isLockedError("database is locked"));
});

Deno.test("openKv creates the folder of a file path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const kv = await openKv({ kvPath: `${dir}/nested/kv.sqlite3`, onDeploy: false, dataDir: dir });
    await kv.set(["a"], 1);
    kv.close();
    assert((await Deno.stat(`${dir}/nested/kv.sqlite3`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
