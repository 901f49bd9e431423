/**
 * Deleting an account (API.md `DELETE /api/account`): confirmed with the password; every
 * row of the user in every table with a `user_id` column (found in
 * information_schema, so a table added later is covered the day it appears) and the
 * user's own row are gone; every KV entry that names the user or their e-mail is gone;
 * the cookie and the tokens stop working at once on another instance; another user's
 * data is untouched.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { canonicalEmail } from "@/domain/email_address.ts";
import type { Db } from "@/db/client.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { json } from "@/tests/support/api.ts";

const PASSWORD = "correct horse battery staple";

/** Every table with a `user_id` column, and how many rows each holds for `userId`. */
async function rowsOf(db: Db, userId: string): Promise<Record<string, number>> {
  const tables = await db.sql<{ table_name: string }[]>`
    select table_name from information_schema.columns
     where table_schema = 'public' and column_name = 'user_id'
     order by table_name`;
  const counts: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await db.sql.unsafe(`select count(*)::int as n from "${table_name}" where user_id = $1`, [userId]);
    counts[table_name] = n;
  }
  return counts;
}

/** Every KV key (as text) that mentions one of `needles`. */
async function kvKeysMentioning(kv: Deno.Kv, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    const text = JSON.stringify(entry.key, (_, v) => typeof v === "bigint" ? `${v}n` : v);
    if (needles.some((needle) => text.includes(needle))) found.push(text);
  }
  return found;
}

Deno.test("delete account: every row and KV entry of the user, on every instance, in one request", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await using a = await startTestApp({ kvPath: `${dir}/kv.sqlite3`, config: { smtpUrl: "smtp://127.0.0.1:9" } });
    await using b = await startTestApp({
      kvPath: `${dir}/kv.sqlite3`,
      db: a.services.db,
      config: { smtpUrl: "smtp://127.0.0.1:9" },
    });
    const { db, kv } = a.services;
    const origin = a.services.config.appOrigin;
    const send = (app: typeof a.app, method: string, path: string, body?: unknown, headers = {}) =>
      app.request(path, {
        method,
        headers: { Origin: origin, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const signUp = async (email: string) => {
      const res = await send(a.app, "POST", "/api/auth/signup", { email, password: PASSWORD });
      const { user } = await json(res, 201);
      return { id: user.id as string, cookie: { Cookie: res.headers.get("set-cookie")!.split(";")[0] } };
    };

    const ann = await signUp("Ann.Deleted@example.test");
    const bob = await signUp("bob.stays@example.test");

    // Ann uses everything that writes rows or KV entries: each table and key kind is exercised.
    for (const user of [ann, bob]) {
      // A webhook first, so the writes below enqueue its deliveries (loopback passes the
      // address check: the test app runs without APP_ORIGIN, like development).
      await json(
        await send(a.app, "POST", "/api/webhooks", { url: "http://127.0.0.1:9/cg", events: ["habit.*"] }, user.cookie),
        201,
      );
      const { habit } = await json(await send(a.app, "POST", "/api/habits", { name: "Read" }, user.cookie), 201);
      await json(await send(a.app, "POST", `/api/habits/${habit.id}/share`, {}, user.cookie), 201);
      const today = new Date().toISOString().slice(0, 10);
      await json(
        await send(a.app, "POST", `/api/habits/${habit.id}/checkins`, { date: today, status: "done" }, user.cookie),
        200,
      );
      await json(
        await send(a.app, "POST", "/api/pauses", { habitId: habit.id, from: today, to: today }, user.cookie),
        201,
      );
      const { goal } = await json(await send(a.app, "POST", "/api/goals", { title: "Run" }, user.cookie), 201);
      await json(await send(a.app, "POST", "/api/milestones", { goalId: goal.id, title: "5 km" }, user.cookie), 201);
      await json(await send(a.app, "POST", "/api/subgoals", { goalId: goal.id, title: "Shoes" }, user.cookie), 201);
      await json(await send(a.app, "PATCH", "/api/goals/pin", { goalId: goal.id, pinned: true }, user.cookie), 200);
      const { reminder } = await json(
        await send(a.app, "POST", "/api/reminders", { title: "Go", time: "07:00", days: [1, 2] }, user.cookie),
        201,
      );
      // A push device, a push of a reminder to it and a used one-tap link, as the scheduler
      // and the one-tap page write them (their own tests drive them end to end).
      const endpoint = `https://push.example.test/${user.id}`;
      const [device] = await db.sql<{ id: string }[]>`
        insert into push_subscriptions (user_id, endpoint, p256dh, auth)
        values (${user.id}, ${endpoint}, ${"B".repeat(87)}, ${"A".repeat(22)}) returning id`;
      await db.sql`
        insert into reminder_pushes (reminder_id, local_date, user_id, subscription_id, give_up_at)
        values (${reminder.id}, ${today}, ${user.id}, ${device.id}, now() + interval '15 minutes')`;
      await db.sql`
        insert into one_tap_uses (token_id, user_id, habit_id, local_date, action)
        values (${crypto.randomUUID()}, ${user.id}, ${habit.id}, ${today}, 'done')`;
      await json(await send(a.app, "GET", "/api/habits", undefined, user.cookie), 200); // a cached read
      await json(await send(a.app, "POST", "/api/settings/save", { displayName: "Me" }, user.cookie), 200);
      const doc = { format: "consistencygrid-export", version: 1, habits: [] };
      await json(await send(a.app, "POST", "/api/import", doc, user.cookie), 201); // an `imports` row
    }
    await json(await send(a.app, "POST", "/api/auth/password-reset", { email: "ann.deleted@example.test" }), 202);
    await send(a.app, "POST", "/api/auth/login", { email: "ann.deleted@example.test", password: "wrong one x" });
    await db.sql`insert into notifications (user_id, title) values (${ann.id}, 'Hello')`;
    await db
      .sql`insert into usage_counters (user_id, feature, period, used) values (${ann.id}, 'export', '2026-01-01', 1)`;
    const { secret } = await json(await send(a.app, "POST", "/api/tokens", { name: "cli" }, ann.cookie), 201);
    const bearer = { Authorization: `Bearer ${secret}` };

    const emailHash = await sha256Hex(canonicalEmail("Ann.Deleted@example.test"));
    const before = await rowsOf(db, ann.id);
    const bobBefore = await rowsOf(db, bob.id);

    await t.step("the fixture touched every table with a user_id, and KV", async () => {
      const empty = Object.entries(before).filter(([, n]) => n === 0).map(([table]) => table);
      // Tables no route can fill for a user here (billing needs Stripe); every other one has rows.
      assertEquals(empty.filter((table) => table !== "billing_customers"), [], "tables the fixture left empty");
      assert((await kvKeysMentioning(kv, [ann.id, emailHash])).length >= 4);
    });

    await t.step("both instances know the user; a wrong password deletes nothing", async () => {
      assertEquals((await send(b.app, "GET", "/api/me", undefined, ann.cookie)).status, 200);
      assertEquals((await send(b.app, "GET", "/api/me", undefined, bearer)).status, 200);
      const wrong = await send(a.app, "DELETE", "/api/account", { password: "not the password" }, ann.cookie);
      assertEquals(Object.keys((await json(wrong, 400)).error.details.fields), ["password"]);
      const missing = await send(a.app, "DELETE", "/api/account", {}, ann.cookie);
      assertEquals(Object.keys((await json(missing, 400)).error.details.fields), ["password"]);
      assertEquals(await rowsOf(db, ann.id), before);
    });

    await t.step("DELETE /api/account → 204; no row and no KV entry of the user remains", async () => {
      const res = await send(a.app, "DELETE", "/api/account", { password: PASSWORD }, ann.cookie);
      assertEquals(res.status, 204);
      assert(/Max-Age=0/.test(res.headers.get("set-cookie") ?? ""), "the cookie is cleared");
      const after = await rowsOf(db, ann.id);
      assertEquals(Object.values(after).filter((n) => n > 0), [], JSON.stringify(after));
      assertEquals(
        (await db.sql`select count(*)::int as n from users where id = ${ann.id} or email = 'ann.deleted@example.test'`)[
          0
        ]
          .n,
        0,
      );
      assertEquals(await kvKeysMentioning(kv, [ann.id, emailHash]), []);
    });

    await t.step("the cookie and the token stop working at once, on the other instance too", async () => {
      for (const app of [b.app, a.app]) {
        for (const credentials of [ann.cookie, bearer]) {
          const res = await send(app, "GET", "/api/me", undefined, credentials);
          assertEquals(res.status, 401);
          await res.body?.cancel();
        }
      }
      // Reads on the other instance must not bring the user's keys back.
      assertEquals(await kvKeysMentioning(kv, [ann.id, emailHash]), []);
    });

    await t.step("another user's rows and keys are untouched", async () => {
      assertEquals(await rowsOf(db, bob.id), bobBefore);
      assert((await kvKeysMentioning(kv, [bob.id])).length > 0);
      assertEquals((await send(b.app, "GET", "/api/me", undefined, bob.cookie)).status, 200);
    });
  } finally {
    closePasswordWorkers();
    await Deno.remove(dir, { recursive: true });
  }
});
