import { assert, assertEquals } from "@/tests/support/assert.ts";
import { decide, retryAfterSeconds } from "@/lib/rate_limit/sliding_window.ts";

const policy = { limit: 20, windowMs: 60_000 };

/** Runs `count` attempts at the given times, threading the log; returns the allowed count and the log. */
function burst(times: number[], start: number[] = []) {
  let log = start;
  let allowed = 0;
  const decisions = times.map((now) => {
    const d = decide(policy, log, now);
    log = d.log;
    if (d.allowed) allowed++;
    return d;
  });
  return { allowed, log, decisions };
}

Deno.test("a burst of 40 against a limit of 20: exactly 20 pass, with remaining counting down", () => {
  const { allowed, decisions } = burst(Array.from({ length: 40 }, (_, i) => 1_000 + i));
  assertEquals(allowed, 20);
  assertEquals(decisions.slice(0, 20).map((d) => d.allowed), Array(20).fill(true));
  assertEquals(decisions[0].remaining, 19);
  assertEquals(decisions[19].remaining, 0);
  assertEquals(decisions.slice(20).some((d) => d.allowed), false);
});

Deno.test("a refusal says exactly when the oldest request leaves the window, and one more passes then", () => {
  const { log } = burst(Array.from({ length: 20 }, (_, i) => 1_000 + i * 100)); // 1000 … 2900
  const refused = decide(policy, log, 30_000);
  assertEquals(refused.allowed, false);
  assertEquals(refused.retryAfterMs, 61_000 - 30_000);
  assertEquals(retryAfterSeconds(refused.retryAfterMs), 31);
  // 1 ms before the oldest leaves: still refused; exactly when it leaves: one passes, the next does not.
  assertEquals(decide(policy, log, 60_999).allowed, false);
  const next = decide(policy, log, 61_000);
  assertEquals(next.allowed, true);
  assertEquals(next.remaining, 0);
  assertEquals(decide(policy, next.log, 61_000).allowed, false);
});

Deno.test("no window of 60 s ever holds more than the limit (sliding, not fixed: no 2× at a boundary)", () => {
  // Attempts every 250 ms for 5 minutes, plus bursts at would-be fixed-window boundaries.
  const times = Array.from({ length: 1200 }, (_, i) => i * 250);
  for (const edge of [59_999, 60_000, 119_999, 120_000]) times.push(...Array(30).fill(edge));
  times.sort((a, b) => a - b);
  let log: number[] = [];
  const passed: number[] = [];
  for (const now of times) {
    const d = decide(policy, log, now);
    log = d.log;
    if (d.allowed) passed.push(now);
  }
  for (const start of passed) {
    const inWindow = passed.filter((t) => t >= start && t < start + 60_000).length;
    assert(inWindow <= 20, `${inWindow} passed in the window starting at ${start}`);
  }
  assertEquals(passed.length, 100); // 20 per window, 5 windows: the budget is used, not wasted
});

Deno.test("Retry-After is whole seconds, rounded up, never below 1", () => {
  assertEquals(retryAfterSeconds(1), 1);
  assertEquals(retryAfterSeconds(999), 1);
  assertEquals(retryAfterSeconds(1_000), 1);
  assertEquals(retryAfterSeconds(1_001), 2);
  assertEquals(retryAfterSeconds(0), 1);
  const refused = decide({ limit: 1, windowMs: 60_000 }, [5_000], 64_999.5);
  assert(refused.retryAfterMs > 0);
  assertEquals(retryAfterSeconds(refused.retryAfterMs), 1);
});
