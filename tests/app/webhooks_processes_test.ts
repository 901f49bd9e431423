/**
 * "At most once across instances" for webhook deliveries, in separate OS processes: three
 * schedulers (tests/support/tick_process.ts) tick at the same instant on one Postgres
 * (through PgBouncer when `PGBOUNCER=true`) and the receiver gets each of 100 deliveries
 * once. Needs `DATABASE_URL` (embedded, each process would have a database of its own);
 * the in-process race runs on both backends in tests/routes/api/webhooks_test.ts.
 */
import { createHabit } from "@/db/habits.ts";
import { createWebhook } from "@/db/webhooks.ts";
import { localDay } from "@/domain/calendar.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { startReceiver } from "@/tests/support/http_receiver.ts";
import { tickInProcesses } from "@/tests/support/tick_processes.ts";

Deno.test({
  name: "3 processes tick at once: each of 100 webhook deliveries reaches the receiver once",
  ignore: !Deno.env.get("DATABASE_URL"),
  async fn() {
    await using testDb = await openTestDb();
    const { db } = testDb;
    const seen = new Map<string, number>();
    await using receiver = startReceiver(async (request) => {
      const id = request.headers.get("x-cg-delivery")!;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      // A little latency, so that the processes' batches overlap.
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Response(null, { status: 204 });
    });
    const [user] = await db.sql<{ id: string }[]>`
      insert into users (email, password_hash, plan_id)
      values (${`hooks-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'x', 'pro')
      returning id::text as id`;
    await createWebhook(db, user.id, `${receiver.origin}/hook`, ["habit.*"]);
    for (let i = 0; i < 100; i++) await createHabit(db, user.id, { name: `Habit ${i}` }, localDay("UTC"));
    const [{ queued }] = await db.sql<{ queued: number }[]>`
      select count(*)::int as queued from webhook_deliveries where user_id = ${user.id}::uuid`;
    assertEquals(queued, 100);

    // APP_ORIGIN unset: the processes accept loopback receivers, as on a developer's machine.
    const results = await tickInProcesses(3, testDb.url!, { APP_ORIGIN: "" });
    console.log("delivered per process:", JSON.stringify(results.map((r) => r.webhooksDelivered)));
    assertEquals(results.reduce((sum, r) => sum + r.webhooksDelivered, 0), 100, "each delivery sent by one process");
    assertEquals(results.reduce((sum, r) => sum + r.webhooksFailed, 0), 0);
    assertEquals(seen.size, 100);
    assertEquals([...seen.values()].filter((n) => n !== 1), [], "a delivery reached the receiver twice");
    const [{ open }] = await db.sql<{ open: number }[]>`
      select count(*)::int as open from webhook_deliveries
       where user_id = ${user.id}::uuid and (delivered_at is null or next_attempt_at is not null)`;
    assertEquals(open, 0);
  },
});
