/**
 * The cache core without the app: TTL checked on read with an injected clock, versioned
 * keys (a bump makes the next read a MISS), bodies over one KV value split and rejoined,
 * single flight under 50 concurrent misses, errors not cached, and a failing or hanging
 * KV still serving the read (MISS, logged).
 */
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import {
  type Bytes,
  cachedBytes,
  cachedJson,
  cachedValue,
  inFlightCount,
  PART_BYTES,
  readVersion,
} from "@/lib/cache/user_cache.ts";
import { setLogSink } from "@/lib/log.ts";

const text = (s: string): Bytes => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

/** A compute function that counts its calls and returns `value` after `delayMs`. */
function counted(value: Bytes, delayMs = 0) {
  const fn = async () => {
    fn.calls++;
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return value;
  };
  fn.calls = 0;
  return fn;
}

Deno.test("user cache", async (t) => {
  const kv = await Deno.openKv(":memory:");
  try {
    await t.step("MISS computes and stores; HIT serves the same bytes without computing", async () => {
      const compute = counted(text('{"a":1}'));
      const first = await cachedBytes(kv, "u1", ["x"], compute);
      const second = await cachedBytes(kv, "u1", ["x"], compute);
      assertEquals([first.status, second.status], ["MISS", "HIT"]);
      assertEquals(str(second.body), '{"a":1}');
      assertEquals(compute.calls, 1);
      // Other users and other names are other entries.
      assertEquals((await cachedBytes(kv, "u2", ["x"], compute)).status, "MISS");
      assertEquals((await cachedBytes(kv, "u1", ["y"], compute)).status, "MISS");
    });

    await t.step("the TTL is checked on read: fresh until 60 s, then a MISS", async () => {
      let now = 1_000_000;
      const clock = { now: () => now };
      const compute = counted(text("v"));
      assertEquals((await cachedBytes(kv, "ttl", ["x"], compute, clock)).status, "MISS");
      now += 59_999;
      assertEquals((await cachedBytes(kv, "ttl", ["x"], compute, clock)).status, "HIT");
      now += 1;
      assertEquals((await cachedBytes(kv, "ttl", ["x"], compute, clock)).status, "MISS");
      assertEquals(compute.calls, 2);
    });

    await t.step("invalidateUser bumps the version: the next read is a MISS, other users keep theirs", async () => {
      const compute = counted(text("v"));
      await cachedBytes(kv, "inv", ["x"], compute);
      await cachedBytes(kv, "keep", ["x"], compute);
      const before = await readVersion(kv, "inv");
      await invalidateUser(kv, "inv");
      const after = await readVersion(kv, "inv");
      assert(after !== before, "a bump changes the version");
      await invalidateUser(kv, "inv");
      assert(![before, after].includes(await readVersion(kv, "inv")), "every bump gives a version never seen before");
      assertEquals((await cachedBytes(kv, "inv", ["x"], compute)).status, "MISS");
      assertEquals((await cachedBytes(kv, "inv", ["x"], compute)).status, "HIT");
      assertEquals((await cachedBytes(kv, "keep", ["x"], compute)).status, "HIT");
    });

    await t.step("a body over one KV value is split into parts and comes back byte-identical", async () => {
      // 10 parts: more than one atomic write of parts.
      const big = new Uint8Array(PART_BYTES * 9 + 123);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
      const compute = counted(big);
      assertEquals((await cachedBytes(kv, "big", ["x"], compute)).status, "MISS");
      const hit = await cachedBytes(kv, "big", ["x"], compute);
      assertEquals(hit.status, "HIT");
      assertEquals(hit.body.byteLength, big.byteLength);
      assert(hit.body.every((b, i) => b === big[i]), "parts rejoin in order");
      assertEquals(compute.calls, 1);
    });

    await t.step("50 concurrent misses for one key compute once; the in-flight map drains", async () => {
      const compute = counted(text("once"), 30);
      const results = await Promise.all(Array.from({ length: 50 }, () => cachedBytes(kv, "herd", ["x"], compute)));
      assertEquals(compute.calls, 1);
      assert(results.every((r) => str(r.body) === "once"));
      assertEquals(inFlightCount(), 0);
    });

    await t.step("a computation that throws is not cached and reaches every waiter", async () => {
      let calls = 0;
      const failing = async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 10));
        throw new Error("not found");
      };
      const all = await Promise.allSettled([1, 2, 3].map(() => cachedBytes(kv, "err", ["x"], failing)));
      assert(all.every((r) => r.status === "rejected"));
      assertEquals(calls, 1);
      assertEquals(inFlightCount(), 0);
      await assertRejects(() => cachedBytes(kv, "err", ["x"], failing));
      assertEquals(calls, 2);
    });

    await t.step("cachedValue revives timestamps by key name only", async () => {
      const value = { createdAt: new Date("2026-01-02T03:04:05.000Z"), name: "2026-01-02T03:04:05.000Z" };
      const miss = await cachedValue({ state: { services: { kv } } }, "val", ["x"], () => Promise.resolve(value));
      const hit = await cachedValue({ state: { services: { kv } } }, "val", ["x"], () => Promise.resolve(value));
      assertEquals([miss.status, hit.status], ["MISS", "HIT"]);
      assert(hit.value.createdAt instanceof Date);
      assertEquals(hit.value.createdAt.getTime(), value.createdAt.getTime());
      assertEquals(hit.value.name, value.name);
    });
  } finally {
    kv.close();
  }
});

Deno.test("user cache: a failing or hanging KV still serves the read, as a logged MISS", async () => {
  const lines: string[] = [];
  const restore = setLogSink((_, line) => lines.push(line));
  try {
    const broken = {
      get: () => Promise.reject(new Error("KV unavailable")),
      getMany: () => Promise.reject(new Error("KV unavailable")),
    } as unknown as Deno.Kv;
    const hanging = {
      get: () => new Promise(() => {}),
      getMany: () => new Promise(() => {}),
    } as unknown as Deno.Kv;
    const compute = counted(text("fresh"));
    const a = await cachedBytes(broken, "u", ["x"], compute);
    const b = await cachedBytes(hanging, "u", ["x"], compute, { timeoutMs: 20 });
    assertEquals([a.status, b.status], ["MISS", "MISS"]);
    assertEquals([str(a.body), str(b.body)], ["fresh", "fresh"]);
    assertEquals(compute.calls, 2);
    assertEquals(lines.filter((l) => l.includes('"cache.bypass"')).length, 2);
    assert(lines.some((l) => l.includes("KV unavailable")));

    // Reads work but writes fail: served, and logged.
    const kv = await Deno.openKv(":memory:");
    try {
      const readOnly = {
        get: kv.get.bind(kv),
        getMany: kv.getMany.bind(kv),
        set: () => Promise.reject(new Error("disk full")),
        atomic() {
          const op = { set: () => op, delete: () => op, commit: () => Promise.reject(new Error("disk full")) };
          return op;
        },
      } as unknown as Deno.Kv;
      assertEquals((await cachedBytes(readOnly, "w", ["x"], compute)).status, "MISS");
      assert(lines.some((l) => l.includes('"cache.write_failed"') && l.includes("disk full")));
    } finally {
      kv.close();
    }
  } finally {
    restore();
  }
});

Deno.test("cachedJson: MISS, memory HIT and KV HIT send the same bytes, text past ASCII included", async () => {
  const dir = await Deno.makeTempDir();
  // Two handles on one KV file: two instances, each with its own memory of bodies.
  const kv = await Deno.openKv(`${dir}/kv.sqlite3`);
  const otherKv = await Deno.openKv(`${dir}/kv.sqlite3`);
  try {
    const value = { name: 'Läuft 🏃‍♀️ 走る \u2028 "q" \\', n: [1, 2.5, -0], nested: { ok: true } };
    let calls = 0;
    const compute = () => {
      calls++;
      return Promise.resolve(value);
    };
    const expected = new TextEncoder().encode(JSON.stringify(value));
    const read = async (on: Deno.Kv) => {
      const res = await cachedJson({ state: { services: { kv: on } } }, "json-user", ["v"], compute);
      return { status: res.headers.get("x-cache"), type: res.headers.get("content-type"), body: await res.bytes() };
    };
    assertEquals(await read(kv), { status: "MISS", type: "application/json", body: expected });
    assertEquals(await read(kv), { status: "HIT", type: "application/json", body: expected });
    assertEquals(await read(otherKv), { status: "HIT", type: "application/json", body: expected });
    assertEquals(await read(otherKv), { status: "HIT", type: "application/json", body: expected });
    assertEquals(calls, 1);
  } finally {
    kv.close();
    otherKv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
