/**
 * The KV budget (issue 13 §3): one heavy user — 20 habits × a year of check-ins, goals,
 * the dashboard again and again with check-ins in between, every habit's page and API
 * read (tests/support/heavy_session.ts) — holds at most 64 KB of live KV, rate-limit
 * keys included, measured with `kv.list` (lib/cache/kv_usage.ts). Before the dashboard
 * cached its computed view, the same session held ~2.9 MB (a year of raw check-ins in 14
 * parts, one copy per cache version). And the cached dashboard is the freshly computed
 * one: a MISS (rendered from the view just computed) and a HIT (from the cached JSON)
 * are the same HTML but for the nonce.
 */
import { kvUsage } from "@/lib/cache/kv_usage.ts";
import { emailSubject } from "@/app/rate_limit/middleware.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { heavyUserSession, seedHeavyUser } from "@/tests/support/heavy_session.ts";
import { createTestUser } from "@/tests/support/users.ts";

/** The budget of live KV per active user. */
const BUDGET_BYTES = 64 * 1024;

Deno.test("KV budget: a heavy user's session leaves at most 64 KB of KV, the dashboard in one value", async () => {
  await using t = await startTestApp();
  const alice = await createTestUser(t.services, { plan: "pro" });
  await seedHeavyUser(t.services, alice);
  const requests = await heavyUserSession(t.app, alice);

  const usage = await kvUsage(t.services.kv);
  const own = usage.byOwner(alice.id, await emailSubject(alice.email));
  const families = new Map<string, { entries: number; bytes: number }>();
  for (const e of usage.entries) {
    if (!e.key.some((p) => typeof p === "string" && p.includes(alice.id))) continue;
    const family = e.key[0] === "cache" ? `cache/${String(e.key[2])}` : String(e.key[0]);
    const now = families.get(family) ?? { entries: 0, bytes: 0 };
    families.set(family, { entries: now.entries + 1, bytes: now.bytes + e.keyBytes + e.valueBytes });
  }
  console.log(`  heavy user after ${requests} requests: ${own.entries} KV entries, ${own.bytes} bytes`);
  for (const [family, tally] of families) console.log(`    ${family}: ${JSON.stringify(tally)}`);

  const dashboard = usage.entries.filter((e) =>
    e.key[0] === "cache" && e.key[1] === alice.id && e.key[2] === "dashboard"
  );
  assertEquals(dashboard.length, 1, "one dashboard slot, one value, however often it was rewritten");
  assert(dashboard[0].valueBytes < 24_000, `the dashboard's cached view is ${dashboard[0].valueBytes} bytes`);
  assert(own.bytes <= BUDGET_BYTES, `the heavy user holds ${own.bytes} bytes of KV, over the ${BUDGET_BYTES} budget`);
});

Deno.test("KV budget: the cached dashboard of a heavy user is the freshly computed one, byte for byte", async () => {
  await using t = await startTestApp();
  const alice = await createTestUser(t.services, { plan: "pro", weekStart: 7 });
  await seedHeavyUser(t.services, alice);
  const normalise = async (r: Response) => {
    assertEquals(r.status, 200);
    const nonce = r.headers.get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
    const html = await r.text();
    return nonce ? html.replaceAll(nonce, "NONCE") : html;
  };
  const miss = await t.app.request("/app", { headers: alice.session });
  const hit = await t.app.request("/app", { headers: alice.session });
  assertEquals([miss.headers.get("x-cache"), hit.headers.get("x-cache")], ["MISS", "HIT"]);
  const [fresh, cached] = [await normalise(miss), await normalise(hit)];
  assert(fresh.includes("Strength training") && fresh.includes("part3"), "the page shows the seeded year");
  assertEquals(cached, fresh);
});
