import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { commitWithRetry, KvContentionError, KvTimeoutError, openKv, withTimeout } from "../../lib/kv.ts";

const memory = { kvPath: ":memory:", onDeploy: false, dataDir: "/nonexistent" };

Deno.test("withTimeout rejects a call that hangs, and passes one that settles", async () => {
  const hang = new Promise<never>(() => {});
  const error = await assertRejects(() => withTimeout(hang, 30, "KV read"));
  assert(error instanceof KvTimeoutError);
  assertEquals((error as Error).message, "KV read took longer than 30 ms");
  assertEquals(await withTimeout(Promise.resolve(7), 30), 7);
});

Deno.test("commitWithRetry: concurrent check+set increments on one key all land exactly once", async () => {
  const kv = await openKv(memory);
  try {
    const increment = () =>
      commitWithRetry(kv, async (op) => {
        const entry = await kv.get<number>(["n"]);
        op.check(entry).set(["n"], (entry.value ?? 0) + 1);
      }, { tries: 100 });
    await Promise.all(Array.from({ length: 50 }, increment));
    assertEquals((await kv.get<number>(["n"])).value, 50);
  } finally {
    kv.close();
  }
});

Deno.test("commitWithRetry gives up after its budget with KvContentionError, and returns null on a deliberate stop", async () => {
  const kv = await openKv(memory);
  try {
    let tries = 0;
    const error = await assertRejects(() =>
      commitWithRetry(kv, async (op) => {
        tries++;
        await kv.set(["k"], tries); // someone else always wins the race
        op.check({ key: ["k"], versionstamp: null }).set(["k"], 0);
      }, { tries: 3 })
    );
    assert(error instanceof KvContentionError);
    assertEquals(tries, 3);
    assertEquals(await commitWithRetry(kv, () => Promise.resolve(false)), null);
  } finally {
    kv.close();
  }
});

Deno.test("commitWithRetry retries 'database is locked' and rethrows other errors at once", async () => {
  const kv = await openKv(memory);
  try {
    let calls = 0;
    const result = await commitWithRetry(kv, (op) => {
      calls++;
      if (calls < 3) return Promise.reject(new TypeError("database is locked"));
      op.set(["x"], 1);
      return Promise.resolve();
    });
    assert(result?.ok);
    assertEquals(calls, 3);
    calls = 0;
    await assertRejects(() =>
      commitWithRetry(kv, () => {
        calls++;
        return Promise.reject(new RangeError("bad key"));
      })
    );
    assertEquals(calls, 1);
  } finally {
    kv.close();
  }
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
