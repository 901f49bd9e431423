import { assert, assertEquals } from "@/tests/support/assert.ts";
import { LocalLimiter } from "@/lib/rate_limit/local_limiter.ts";

Deno.test("the local limiter lets the limit through, refuses the rest with a Retry-After > 0", () => {
  let now = 120_000;
  const limiter = new LocalLimiter({ action: "reads", limit: 60, windowMs: 60_000 }, { now: () => now });
  const results = Array.from({ length: 80 }, () => limiter.hit("1.2.3.4"));
  assertEquals(results.filter((r) => r.allowed).length, 60);
  const refused = results[79];
  assert(!refused.allowed && refused.retryAfterMs >= 1 && refused.retryAfterMs <= 120_000);
  assertEquals(limiter.hit("5.6.7.8").allowed, true); // another key, its own budget
  now += refused.retryAfterMs;
  assertEquals(limiter.hit("1.2.3.4").allowed, true);
});

Deno.test("the local limiter's memory is bounded: old keys are evicted, never more than capacity", () => {
  const limiter = new LocalLimiter({ action: "anonymous", limit: 1, windowMs: 60_000 }, { capacity: 100 });
  for (let i = 0; i < 10_000; i++) limiter.hit(`ip-${i}`);
  assertEquals(limiter.size, 100);
  assertEquals(limiter.hit("ip-9999").allowed, false); // recent keys are kept
});
