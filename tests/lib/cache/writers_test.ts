/**
 * Cache coherence for every writer outside a signed-in request (issue 13 §1): scheduler
 * jobs and Stripe's webhook. Signed-in writes are covered by the middleware and walked
 * route by route in ./cached_routes_test.ts; these writers change users who are not
 * asking, so they must say whom they changed.
 *
 * The check is generic: every row of every table is attributed to its user (by
 * `user_id`, or through foreign keys to a table that has one, found in the catalog, so a
 * table added later is covered without touching this file), each user's rows are
 * hashed before and after a writer runs, and every user whose hash moved must have been
 * reported (jobs) or must have a new cache version (end to end).
 */
import Stripe from "stripe";
import type { Db } from "@/db/client.ts";
import { createReminder } from "@/db/reminders.ts";
import { readVersion } from "@/lib/cache/user_cache.ts";
import type { Mailer } from "@/lib/mail.ts";
import { runSchedulerTick, SCHEDULER_JOBS, type SchedulerJob } from "@/app/scheduler.ts";
import type { Services } from "@/app/state.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";

const WEBHOOK_SECRET = "whsec_test_writers";
const PRICE_PRO = "price_test_writers_pro";

/** How to find a table's user: the SQL of its rows joined up to the column that names the user. */
interface Ownership {
  table: string;
  /** `from … join …` clause, the table itself aliased `t0`. */
  from: string;
  /** The expression for the owning user's id. */
  owner: string;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Every public table that belongs to users, and how: `users` itself, a `user_id` column,
 * or a chain of single-column foreign keys to a table that belongs to users. Tables with
 * no such path (plans, stripe_events, schema_migrations…) hold nobody's data.
 */
async function ownerships(db: Db): Promise<{ owned: Ownership[]; global: string[] }> {
  const tables = (await db.sql<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`).map((row) => row.name);
  const withUserId = new Set(
    (await db.sql<{ name: string }[]>`
      select table_name as name from information_schema.columns
       where table_schema = 'public' and column_name = 'user_id'`).map((row) => row.name),
  );
  const fks = await db.sql<{ child: string; column: string; parent: string; parentColumn: string }[]>`
    select cl.relname as child, a.attname as column, pcl.relname as parent, pa.attname as "parentColumn"
      from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_class pcl on pcl.oid = con.confrelid
      join pg_namespace n on n.oid = cl.relnamespace
      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
      join pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = con.confkey[1]
     where con.contype = 'f' and n.nspname = 'public' and cardinality(con.conkey) = 1`;
  const resolve = (table: string, depth: number, seen: Set<string>): { joins: string[]; owner: string } | null => {
    const alias = `t${depth}`;
    if (table === "users") return { joins: [], owner: `${alias}.id` };
    if (withUserId.has(table)) return { joins: [], owner: `${alias}.user_id` };
    for (const fk of fks.filter((fk) => fk.child === table && !seen.has(fk.parent))) {
      const up = resolve(fk.parent, depth + 1, new Set([...seen, fk.parent]));
      if (!up) continue;
      const join = `join ${quote(fk.parent)} t${depth + 1} on t${depth + 1}.${quote(fk.parentColumn)} = ${alias}.${
        quote(fk.column)
      }`;
      return { joins: [join, ...up.joins], owner: up.owner };
    }
    return null;
  };
  const owned: Ownership[] = [];
  const global: string[] = [];
  for (const table of tables) {
    const path = resolve(table, 0, new Set([table]));
    if (path) owned.push({ table, from: [`${quote(table)} t0`, ...path.joins].join(" "), owner: path.owner });
    else global.push(table);
  }
  return { owned, global };
}

/** Per user, a hash of each of their tables' rows. */
type Snapshot = Map<string, Map<string, string>>;

async function snapshot(db: Db, owned: Ownership[]): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const { table, from, owner } of owned) {
    const rows = await db.sql.unsafe<{ user_id: string; digest: string }[]>(
      `select ${owner}::text as user_id, md5(string_agg(t0::text, '|' order by t0::text)) as digest
         from ${from} group by 1`,
    );
    for (const { user_id, digest } of rows) {
      if (!result.has(user_id)) result.set(user_id, new Map());
      result.get(user_id)!.set(table, digest);
    }
  }
  return result;
}

/** Users who existed before and whose rows differ after, with the tables that changed. */
function changedUsers(before: Snapshot, after: Snapshot): Map<string, string[]> {
  const changed = new Map<string, string[]>();
  for (const [user, tables] of before) {
    const now = after.get(user) ?? new Map<string, string>();
    const names = new Set([...tables.keys(), ...now.keys()]);
    const moved = [...names].filter((name) => tables.get(name) !== now.get(name));
    if (moved.length) changed.set(user, moved.sort());
  }
  return changed;
}

/** A mailer that accepts everything (the outbox marks rows sent). */
const acceptingMailer: Mailer = { send: () => Promise.resolve(), close() {} };

/** A user with a reminder due at any time today, e-mail on; and a bystander with nothing due. */
async function seedWorld(services: Services): Promise<{ busy: TestUser; bystander: TestUser }> {
  const busy = await createTestUser(services);
  const bystander = await createTestUser(services);
  await services.db.sql`update users set email_reminders = true where id = ${busy.id}::uuid`;
  await createReminder(services.db, busy.id, { title: "Due now", time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
  return { busy, bystander };
}

Deno.test("every writer outside a signed-in request invalidates the users it changed", async (t) => {
  await using test = await startTestApp({
    config: { stripeSecretKey: "sk_test_writers", stripeWebhookSecret: WEBHOOK_SECRET, stripePricePro: PRICE_PRO },
  });
  const { app, services } = test;
  const { db, kv } = services;
  const { owned, global } = await ownerships(db);
  console.log(`  user tables: ${owned.map((o) => o.table).join(", ")}; not per user: ${global.join(", ")}`);
  assert(owned.some((o) => o.table === "reminder_deliveries"), "ownership through a foreign key is found");

  /** Runs a job alone and returns the users it changed but did not report. */
  async function unreported(job: SchedulerJob, now: Date): Promise<{ changed: string[]; missing: string[] }> {
    const before = await snapshot(db, owned);
    const { changedUserIds } = await job.run({ services, now, mailer: acceptingMailer });
    const changed = changedUsers(before, await snapshot(db, owned));
    const reported = new Set(changedUserIds);
    return {
      changed: [...changed.keys()],
      missing: [...changed].filter(([user]) => !reported.has(user)).map(([user, tables]) => `${user}: ${tables}`),
    };
  }

  await t.step("the check catches a job that changes a user without saying so", async () => {
    const { busy } = await seedWorld(services);
    const forgetful: SchedulerJob = {
      name: "forgetful",
      async run({ services }) {
        await services.db.sql`insert into notifications (user_id, title) values (${busy.id}::uuid, 'Psst')`;
        return { counts: {}, changedUserIds: [] };
      },
    };
    const { missing } = await unreported(forgetful, new Date());
    assertEquals(missing.length, 1);
    assert(missing[0].startsWith(busy.id) && missing[0].includes("notifications"), missing[0]);
  });

  for (const job of SCHEDULER_JOBS) {
    await t.step(`scheduler job "${job.name}" reports every user whose rows it changed`, async () => {
      const { busy, bystander } = await seedWorld(services);
      // The jobs run in order, as a tick runs them, so each finds the work the previous left.
      for (const earlier of SCHEDULER_JOBS.slice(0, SCHEDULER_JOBS.indexOf(job))) {
        await earlier.run({ services, now: new Date(), mailer: acceptingMailer });
      }
      const { changed, missing } = await unreported(job, new Date());
      assertEquals(missing, [], `"${job.name}" changed users it did not report`);
      assert(!changed.includes(bystander.id), "a user with nothing due is left alone");
      if (job.name === "reminders" || job.name === "email") assert(changed.includes(busy.id), "the world gave it work");
    });
  }

  await t.step("a scheduler tick bumps the cache version of each user it changed, and only theirs", async () => {
    const { busy, bystander } = await seedWorld(services);
    const versions = async () => [await readVersion(kv, busy.id), await readVersion(kv, bystander.id)];
    const [busyBefore, bystanderBefore] = await versions();
    const before = await snapshot(db, owned);
    const result = await runSchedulerTick(services, new Date(), { mailer: acceptingMailer });
    assert(result.delivered >= 1 && result.sent >= 1, JSON.stringify(result));
    assertEquals([...changedUsers(before, await snapshot(db, owned)).keys()].includes(busy.id), true);
    const [busyAfter, bystanderAfter] = await versions();
    assert(busyAfter !== busyBefore, "the user who got a notification and an e-mail was invalidated");
    assertEquals(bystanderAfter, bystanderBefore);
  });

  const stripe = new Stripe("sk_test_only_for_signing");
  const webhook = async (event: Record<string, unknown>) => {
    const payload = JSON.stringify({ object: "event", created: Math.floor(Date.now() / 1000), ...event });
    const signature = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET });
    const res = await app.request("/api/stripe/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "Stripe-Signature": signature },
      body: payload,
    });
    assertEquals(res.status, 200);
    return (await res.json()).result;
  };

  /** Runs `write` and asserts every user whose rows changed got a new cache version. */
  async function assertInvalidates(write: () => Promise<unknown>): Promise<string[]> {
    const before = await snapshot(db, owned);
    const versions = new Map<string, string>();
    for (const user of before.keys()) versions.set(user, await readVersion(kv, user));
    await write();
    const changed = changedUsers(before, await snapshot(db, owned));
    for (const [user, tables] of changed) {
      assert(await readVersion(kv, user) !== versions.get(user), `${user} changed (${tables}) without a bump`);
    }
    return [...changed.keys()];
  }

  await t.step("Stripe's checkout event links the customer and invalidates the user", async () => {
    const user = await createTestUser(services);
    const changed = await assertInvalidates(async () => {
      const result = await webhook({
        id: `evt_link_${crypto.randomUUID().slice(0, 8)}`,
        type: "checkout.session.completed",
        data: { object: { id: "cs_w", object: "checkout.session", client_reference_id: user.id, customer: "cus_w1" } },
      });
      assertEquals(result, "applied");
    });
    assertEquals(changed, [user.id]);
  });

  await t.step("a plan change by Stripe's webhook is on /api/me at once, not after the auth memory's TTL", async () => {
    const user = await createTestUser(services);
    const me = async () => (await (await app.request("/api/me", { headers: user.bearer })).json()).user.plan;
    assertEquals(await me(), "free"); // the instance now remembers this token's user
    const changed = await assertInvalidates(async () => {
      const result = await webhook({
        id: `evt_sub_${crypto.randomUUID().slice(0, 8)}`,
        type: "customer.subscription.created",
        data: {
          object: {
            id: "sub_w2",
            object: "subscription",
            customer: "cus_w2",
            status: "active",
            items: { object: "list", data: [{ id: "si_w2", price: { id: PRICE_PRO } }] },
            metadata: { user_id: user.id },
          },
        },
      });
      assertEquals(result, "applied");
    });
    assertEquals(changed, [user.id]);
    assertEquals(await me(), "pro");
  });
});
