/**
 * Stripe events through db/billing.ts: each event id applies once (duplicates and
 * concurrent replays), older events never overwrite newer state, and the plan follows
 * the subscription. On real Postgres the pool has 10 connections so replays really race.
 */
import { applySubscriptionEvent, linkStripeCustomer, listPlans, type SubscriptionChange } from "@/db/billing.ts";
import type { Db } from "@/db/client.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

async function newUser(db: Db): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash)
    values (${`billing-${crypto.randomUUID()}@example.test`}, 'test-only')
    returning id::text as id`;
  return row.id;
}

async function planOf(db: Db, userId: string): Promise<string> {
  const [row] = await db.sql<{ plan_id: string }[]>`select plan_id from users where id = ${userId}::uuid`;
  return row.plan_id;
}

async function actions(db: Db, userId: string): Promise<string[]> {
  const rows = await db.sql<{ action: string }[]>`
    select action from activity where user_id = ${userId}::uuid order by id`;
  return rows.map((r) => r.action);
}

let seq = 0;
function event(customerId: string, overrides: Partial<SubscriptionChange> = {}): SubscriptionChange {
  return {
    eventId: `evt_test_${++seq}_${crypto.randomUUID().slice(0, 8)}`,
    created: new Date("2026-03-01T10:00:00Z"),
    type: "customer.subscription.updated",
    customerId,
    subscriptionId: `sub_${customerId}`,
    status: "active",
    proPrice: true,
    ...overrides,
  };
}

/** A user whose Stripe customer is linked, as after checkout.session.completed. */
async function linkedUser(db: Db): Promise<{ userId: string; customerId: string }> {
  const userId = await newUser(db);
  const customerId = `cus_${crypto.randomUUID().slice(0, 12)}`;
  const linked = await linkStripeCustomer(db, {
    eventId: `evt_link_${crypto.randomUUID()}`,
    created: new Date("2026-03-01T09:00:00Z"),
    userId,
    customerId,
  });
  assertEquals(linked, "applied");
  return { userId, customerId };
}

Deno.test("Stripe billing in the database", async (t) => {
  await using testDb = await openTestDb({ poolMax: 10 });
  const { db } = testDb;

  await t.step("plans come from the plans table", async () => {
    assertEquals(await listPlans(db), [
      { id: "free", maxActiveHabits: 10, maxArchivedHabits: 50, maxGoals: 20, exportsPerMonth: 3 },
      { id: "pro", maxActiveHabits: 1000, maxArchivedHabits: 1000, maxGoals: 1000, exportsPerMonth: 100 },
    ]);
  });

  await t.step("an active pro subscription makes the user pro, once per event id", async () => {
    const { userId, customerId } = await linkedUser(db);
    const created = event(customerId, { type: "customer.subscription.created" });
    assertEquals(await applySubscriptionEvent(db, created), "applied");
    assertEquals(await planOf(db, userId), "pro");
    assertEquals(await applySubscriptionEvent(db, created), "duplicate");
    assertEquals(await actions(db, userId), ["billing.customer_linked", "plan.changed"]);
    const [stored] = await db.sql`select result from stripe_events where id = ${created.eventId}`;
    assertEquals(stored.result, "applied");
  });

  await t.step("10 concurrent replays of one event: exactly one applied", async () => {
    const { userId, customerId } = await linkedUser(db);
    const replayed = event(customerId);
    const results = await Promise.all(Array.from({ length: 10 }, () => applySubscriptionEvent(db, replayed)));
    assertEquals(results.filter((r) => r === "applied").length, 1);
    assertEquals(results.filter((r) => r === "duplicate").length, 9);
    assertEquals(await planOf(db, userId), "pro");
    assertEquals(await actions(db, userId), ["billing.customer_linked", "plan.changed"]);
  });

  await t.step("an older event after a newer one is stale and leaves the plan alone", async () => {
    const { userId, customerId } = await linkedUser(db);
    const newer = event(customerId, { created: new Date("2026-03-02T10:00:00Z"), status: "active" });
    const older = event(customerId, { created: new Date("2026-03-01T10:00:00Z"), status: "canceled" });
    assertEquals(await applySubscriptionEvent(db, newer), "applied");
    assertEquals(await applySubscriptionEvent(db, older), "stale");
    assertEquals(await planOf(db, userId), "pro");
    const [customer] = await db.sql`
      select subscription_status from billing_customers where user_id = ${userId}::uuid`;
    assertEquals(customer.subscription_status, "active");
  });

  await t.step("deleted → free; past_due keeps the plan", async () => {
    const { userId, customerId } = await linkedUser(db);
    await applySubscriptionEvent(db, event(customerId, { created: new Date("2026-03-01T10:00:00Z") }));
    assertEquals(
      await applySubscriptionEvent(
        db,
        event(customerId, { created: new Date("2026-03-02T10:00:00Z"), status: "past_due" }),
      ),
      "applied",
    );
    assertEquals(await planOf(db, userId), "pro");
    const deleted = event(customerId, {
      type: "customer.subscription.deleted",
      status: "canceled",
      created: new Date("2026-03-03T10:00:00Z"),
    });
    assertEquals(await applySubscriptionEvent(db, deleted), "applied");
    assertEquals(await planOf(db, userId), "free");
    assertEquals(await actions(db, userId), [
      "billing.customer_linked",
      "plan.changed",
      "billing.subscription_synced",
      "plan.changed",
    ]);
  });

  await t.step("an active subscription to another price is not pro", async () => {
    const { userId, customerId } = await linkedUser(db);
    assertEquals(await applySubscriptionEvent(db, event(customerId, { proPrice: false })), "applied");
    assertEquals(await planOf(db, userId), "free");
  });

  await t.step("a subscription event can link its customer through metadata.user_id", async () => {
    const userId = await newUser(db);
    const customerId = `cus_${crypto.randomUUID().slice(0, 12)}`;
    assertEquals(await applySubscriptionEvent(db, event(customerId, { userId })), "applied");
    assertEquals(await planOf(db, userId), "pro");
  });

  await t.step("an unknown customer changes nothing", async () => {
    const result = await applySubscriptionEvent(db, event("cus_nobody"));
    assertEquals(result, "unknown_customer");
    const rows = await db.sql`select 1 from billing_customers where stripe_customer_id = 'cus_nobody'`;
    assertEquals(rows.length, 0);
  });

  await t.step("linking: a bad user id or another user's customer is refused", async () => {
    const { customerId } = await linkedUser(db);
    const other = await newUser(db);
    const base = { created: new Date(), customerId };
    assertEquals(
      await linkStripeCustomer(db, { ...base, eventId: "evt_bad_user", userId: "not-a-uuid" }),
      "unknown_user",
    );
    assertEquals(
      await linkStripeCustomer(db, { ...base, eventId: "evt_no_user", userId: crypto.randomUUID() }),
      "unknown_user",
    );
    assertEquals(await linkStripeCustomer(db, { ...base, eventId: "evt_steal", userId: other }), "conflict");
    assertEquals(await actions(db, other), []);
  });
});
