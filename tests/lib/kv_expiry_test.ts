/**
 * Every KV entry the app writes expires (issue 13 §3, the `expireIn` part): after a
 * realistic session of requests (sign-up, log-in, habits with a year of check-ins, cached
 * reads and the dashboard, goals, reminders and a scheduler tick, settings, an export,
 * a Stripe plan change, client error reports, health checks, refused log-ins, log-out),
 * the KV file is read with SQLite itself: `expireIn` is not visible through the KV API,
 * but Deno stores it per row (`kv.expiration_ms`, -1 when none). An entry without an
 * expiry, or with one further out than the longest the app sets (a user's cache version:
 * one hour), fails the test with its key.
 */
import { DatabaseSync } from "node:sqlite";
import Stripe from "stripe";
import { VERSION_TTL_MS } from "@/lib/cache/user_cache.ts";
import type { Mailer } from "@/lib/mail.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";

const WEBHOOK_SECRET = "whsec_test_kv_expiry";
const PRICE_PRO = "price_test_kv_expiry";

/** A Deno KV key (FoundationDB-style tuple encoding) as text, for messages. */
function describeKey(bytes: Uint8Array): string {
  const parts: string[] = [];
  let i = 0;
  const until0 = () => {
    const out: number[] = [];
    while (i < bytes.length) {
      if (bytes[i] === 0x00) {
        if (bytes[i + 1] === 0xff) {
          out.push(0);
          i += 2;
          continue;
        }
        i++;
        break;
      }
      out.push(bytes[i++]);
    }
    return new Uint8Array(out);
  };
  while (i < bytes.length) {
    const code = bytes[i++];
    if (code === 0x02) parts.push(JSON.stringify(new TextDecoder().decode(until0())));
    else if (code === 0x01) parts.push(`bytes(${until0().length})`);
    else if (code === 0x21) {
      const raw = bytes.slice(i, i + 8);
      i += 8;
      if (raw[0] & 0x80) raw[0] ^= 0x80;
      else for (let k = 0; k < 8; k++) raw[k] ^= 0xff;
      parts.push(String(new DataView(raw.buffer).getFloat64(0)));
    } else if (code >= 0x0c && code <= 0x1c) {
      const size = Math.abs(code - 0x14);
      let n = 0n;
      for (let k = 0; k < size; k++) n = (n << 8n) | BigInt(bytes[i + k]);
      i += size;
      parts.push(`${code < 0x14 ? "-" : ""}${n}n`);
    } else if (code === 0x26 || code === 0x27) parts.push(String(code === 0x27));
    else return `[${parts.join(", ")}, ?0x${code.toString(16)}…]`;
  }
  return `[${parts.join(", ")}]`;
}

/** Signs up and uses the app as a person would, with its KV in the file `kvPath`. */
async function realisticSession(kvPath: string): Promise<void> {
  {
    await using test = await startTestApp({
      kvPath,
      config: { stripeSecretKey: "sk_test_kv", stripeWebhookSecret: WEBHOOK_SECRET, stripePricePro: PRICE_PRO },
    });
    const { app, services } = test;
    const origin = services.config.appOrigin;
    let cookie = "";
    const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await app.request(path, {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(cookie ? { Cookie: cookie, Origin: origin } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? JSON.parse(text.startsWith("<") ? "{}" : text) : {},
      };
    };

    const email = `session-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const password = "a long enough passphrase 42";
    const signup = await send("POST", "/api/auth/signup", { email, password });
    assertEquals(signup.status, 201);
    const login = await app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
    assertEquals(login.status, 200);
    cookie = login.headers.get("set-cookie")!.split(";")[0];
    const userId = signup.body.user.id as string;

    // Habits, one with a year of check-ins: the dashboard's cached data spans several KV values.
    const habits: string[] = [];
    for (const name of ["Read", "Run", "Write"]) {
      const created = await send("POST", "/api/habits", { name });
      assertEquals(created.status, 201);
      habits.push(created.body.habit.id);
    }
    await services.db.sql`
      insert into checkins (user_id, habit_id, day, status, note)
      select ${userId}::uuid, h, (current_date - d)::date, 'done', repeat('note ', 60)
        from unnest(${`{${habits.join(",")}}`}::uuid[]) h, generate_series(1, 365) d
      on conflict do nothing`;
    assertEquals(
      (await send("POST", `/api/habits/${habits[0]}/checkins`, { date: signup.body.user.today, status: "done" }))
        .status,
      200,
    );
    for (let i = 0; i < 2; i++) {
      await send("GET", "/api/habits");
      await send("GET", `/api/habits/${habits[1]}`);
      await send("GET", "/api/goals");
      assertEquals((await app.request("/app", { headers: { Cookie: cookie } })).status, 200);
    }
    const goal = await send("POST", "/api/goals", { title: "Marathon" });
    await send("POST", "/api/milestones", { goalId: goal.body.goal.id, title: "Half" });
    await send("POST", "/api/reminders", { title: "Stretch", time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
    await send("POST", "/api/settings/save", { displayName: "Session" });
    await send("POST", "/api/tokens", { name: "script" });
    assertEquals(
      (await send("GET", "/api/export?format=json", undefined, { "Sec-Fetch-Site": "same-origin" })).status,
      200,
    );
    await send("POST", "/api/monitoring", { message: "a client error" });
    assertEquals((await send("GET", "/api/health/deep")).status, 200);

    const mailer: Mailer = { send: () => Promise.resolve(), close() {} };
    assert((await runSchedulerTick(services, new Date(), { mailer })).delivered >= 1);

    const payload = JSON.stringify({
      id: `evt_kv_${crypto.randomUUID().slice(0, 8)}`,
      object: "event",
      type: "customer.subscription.created",
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: "sub_kv",
          object: "subscription",
          customer: "cus_kv",
          status: "active",
          items: { object: "list", data: [{ id: "si_kv", price: { id: PRICE_PRO } }] },
          metadata: { user_id: userId },
        },
      },
    });
    const signature = await new Stripe("sk_test_signing").webhooks.generateTestHeaderStringAsync({
      payload,
      secret: WEBHOOK_SECRET,
    });
    const hook = await app.request("/api/stripe/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "Stripe-Signature": signature },
      body: payload,
    });
    assertEquals(hook.status, 200);
    await hook.body?.cancel();

    // Wrong passwords: the per-e-mail and per-IP log-in budgets (anonymous, from a proxy address).
    const savedCookie = cookie;
    cookie = "";
    for (let i = 0; i < 3; i++) await send("POST", "/api/auth/login", { email, password: "wrong" });
    cookie = savedCookie;
    assertEquals((await send("POST", "/api/auth/logout")).status, 204);
  }
}

Deno.test("every KV entry written by a realistic session carries an expiry, none longer than an hour", async () => {
  const dir = await Deno.makeTempDir();
  const kvPath = `${dir}/kv.sqlite3`;
  try {
    await realisticSession(kvPath); // the app and its KV are closed when it returns
    const sqlite = new DatabaseSync(kvPath, { readOnly: true });
    const rows = sqlite.prepare("select k, length(v) as bytes, expiration_ms as expires from kv").all() as {
      k: Uint8Array;
      bytes: number;
      expires: number;
    }[];
    sqlite.close();
    const now = Date.now();
    const families = new Map<string, { entries: number; bytes: number; longestS: number }>();
    const problems: string[] = [];
    for (const row of rows) {
      const key = describeKey(row.k);
      const family = key.slice(1).split(",")[0];
      const stats = families.get(family) ?? { entries: 0, bytes: 0, longestS: 0 };
      stats.entries++;
      stats.bytes += row.bytes;
      stats.longestS = Math.max(stats.longestS, Math.round((row.expires - now) / 1000));
      families.set(family, stats);
      if (row.expires <= 0) problems.push(`${key} never expires`);
      else if (row.expires > now + VERSION_TTL_MS + 60_000) {
        problems.push(
          `${key} expires in ${Math.round((row.expires - now) / 60_000)} min, longer than any explained TTL`,
        );
      }
    }
    console.log(`  ${rows.length} KV entries after the session:`);
    for (const [family, stats] of families) console.log(`    ${family}: ${JSON.stringify(stats)}`);
    for (const family of ['"rate_limit"', '"cache"', '"cache_version"']) {
      assert(families.has(family), `the session wrote no ${family} entry: it is not realistic enough`);
    }
    assertEquals(problems, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
