/**
 * Gives tests a fresh rate-limit budget: deletes every per-action budget in KV.
 * For tests that exercise something else many times in a row (log-in redirects),
 * not for the rate-limit tests themselves.
 */
export async function resetRateLimits(kv: Deno.Kv): Promise<void> {
  for await (const entry of kv.list({ prefix: ["rate_limit"] })) await kv.delete(entry.key);
}
