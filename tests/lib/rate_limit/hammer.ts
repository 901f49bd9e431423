/**
 * Child process of kv_limiter_test.ts: fires `count` concurrent attempts at one budget
 * in the KV file `path` and prints how many were allowed, as JSON.
 * `deno run -A hammer.ts <kvPath> <count> <limit> <startAtMs>`: all children start firing at
 * `startAtMs`, so their attempts really overlap.
 */
import { consume } from "@/lib/rate_limit/kv_limiter.ts";

const [path, count, limit, startAt] = Deno.args;
const kv = await Deno.openKv(path);
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
const policy = { action: "hammer", limit: Number(limit), windowMs: 60_000 };
// The default budget: contention must be waited out within it, not failed.
const results = await Promise.allSettled(
  Array.from({ length: Number(count) }, () => consume(kv, policy, "one-key")),
);
const allowed = results.filter((r) => r.status === "fulfilled" && r.value.allowed).length;
const failed = results.filter((r) => r.status === "rejected").length;
kv.close();
console.log(JSON.stringify({ allowed, failed }));
