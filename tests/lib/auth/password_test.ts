import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import {
  ARGON2_PARAMS,
  closePasswordWorkers,
  DUMMY_HASH,
  hashPassword,
  passwordHashingMode,
  passwordVerificationCount,
  runPasswordJob,
  verifyPassword,
} from "@/lib/auth/password.ts";

/** Largest gap between ticks of a 5 ms interval while `fn` runs, and how long `fn` took. */
async function measureStalls(fn: () => Promise<unknown>): Promise<{ maxGapMs: number; ticks: number; ms: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const interval = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(interval);
  }
  const now = performance.now();
  return { maxGapMs: Math.max(maxGapMs, now - last), ticks, ms: now - started };
}

Deno.test("password hashing", async (t) => {
  try {
    await t.step("runs in workers here", () => {
      assertEquals(passwordHashingMode(), "worker");
    });

    await t.step("an encoded argon2id string with m=19 MiB, t=2, p=1 and a 16-byte salt", async () => {
      const hash = await hashPassword("correct horse battery");
      assertMatch(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      assert(hash !== await hashPassword("correct horse battery"), "a fresh salt per hash");
    });

    await t.step("verify: the right password true, a wrong one false", async () => {
      const hash = await hashPassword("correct horse battery");
      assertEquals(await verifyPassword(hash, "correct horse battery"), true);
      assertEquals(await verifyPassword(hash, "correct horse batterY"), false);
      assertEquals(await verifyPassword(hash, ""), false);
    });

    await t.step("a hash in the standard encoded format (made elsewhere) verifies", async () => {
      // Made on the main thread, outside the pool: the stored format is all that is shared.
      const hash = await runPasswordJob({ op: "hash", password: "from another process" }) as string;
      assertEquals(await verifyPassword(hash, "from another process"), true);
      // Reference vector of the argon2 CLI: `echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1`.
      const reference = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
      assertEquals(await verifyPassword(reference, "password"), true);
      assertEquals(await verifyPassword(reference, "Password"), false);
    });

    await t.step("Unicode passwords compare after NFC normalisation", async () => {
      const hash = await hashPassword("caf\u00e9 au lait");
      assertEquals(await verifyPassword(hash, "cafe\u0301 au lait"), true);
    });

    await t.step("no account, or an unusable stored hash: false, after a full verification", async () => {
      assertEquals(await verifyPassword(null, "anything at all"), false);
      assertEquals(await verifyPassword("test-only: cannot log in", "anything at all"), false);
      const { memorySize, iterations, parallelism } = ARGON2_PARAMS;
      const prefix = `$argon2id$v=19$m=${memorySize},t=${iterations},p=${parallelism}$`;
      assert(DUMMY_HASH.startsWith(prefix), "the dummy hash costs what a real one does");
      const real = await hashPassword("some password");
      assert(real.startsWith(prefix));
      // Same parameters (above) and one verification each: the same cost, counted not timed.
      const before = passwordVerificationCount();
      await verifyPassword(real, "wrong password");
      await verifyPassword(null, "wrong password");
      assertEquals(passwordVerificationCount() - before, 2);
    });

    await t.step("the event loop keeps ticking while passwords hash", async () => {
      // Warm first: the first main-thread hash compiles the WASM module asynchronously.
      await runPasswordJob({ op: "hash", password: "warm up the main thread" });
      const inline = await measureStalls(() => runPasswordJob({ op: "hash", password: "blocking on purpose" }));
      // Starting a worker costs the main thread a few ms once; measure a warm pool.
      await Promise.all([hashPassword("warm up one"), hashPassword("warm up two")]);
      const pooled = await measureStalls(() =>
        Promise.all([hashPassword("one password"), hashPassword("two password"), hashPassword("three password")])
      );
      // Counted, not timed: on the main thread a hash freezes the loop, so the 5 ms
      // interval cannot fire while it runs (a busy machine only makes that truer); in the
      // pool it keeps firing for as long as the hashes take.
      assert(inline.ticks <= 1, `the interval fired ${inline.ticks} times during a main-thread hash`);
      assert(pooled.ticks >= 3, `${pooled.ticks} ticks in ${pooled.ms} ms of pooled hashing`);
    });

    await t.step("workers start again after being closed", async () => {
      closePasswordWorkers();
      assertEquals(await verifyPassword(await hashPassword("again and again"), "again and again"), true);
    });
  } finally {
    closePasswordWorkers();
  }
});

Deno.test("without Worker (some Deploy runtimes), hashing falls back to the main thread", async () => {
  const script = `
    delete globalThis.Worker;
    const { hashPassword, verifyPassword, passwordHashingMode } = await import(${
    JSON.stringify(new URL("../../../lib/auth/password.ts", import.meta.url).href)
  });
    const hash = await hashPassword("no workers here");
    console.log(JSON.stringify([passwordHashingMode(), await verifyPassword(hash, "no workers here")]));`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    cwd: new URL("../../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, stderr);
  assertEquals(JSON.parse(new TextDecoder().decode(output.stdout).trim()), ["main-thread", true]);
});
