/**
 * "Exactly once across instances" for push reminders, in separate OS processes: three
 * schedulers (tests/support/tick_process.ts) tick at the same instant on one Postgres
 * (through PgBouncer when `PGBOUNCER=true`) and every subscribed device receives each
 * reminder once, decrypted by the local push service. Needs `DATABASE_URL` (embedded,
 * each process would have a database of its own); the in-process race runs on both
 * backends in tests/app/reminder_pushes_test.ts.
 */
import { createHabit } from "@/db/habits.ts";
import { deliverRemindersToDevices, savePushSubscription } from "@/db/push.ts";
import { createReminder } from "@/db/reminders.ts";
import { localDay } from "@/domain/calendar.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { startPushService, type TestDevice } from "@/tests/support/push_endpoint.ts";
import { testPushServices } from "@/tests/support/push_services.ts";
import { tickInProcesses } from "@/tests/support/tick_processes.ts";

Deno.test({
  name: "3 processes tick at once: one push per device per reminder",
  ignore: !Deno.env.get("DATABASE_URL"),
  async fn(t) {
    await using testDb = await openTestDb();
    await using service = startPushService();
    const { push, env } = await testPushServices();
    const { db } = testDb;

    /** `users` users with a habit reminder due all day and `perUser` devices each. */
    const seed = async (users: number, perUser: number) => {
      const devices: TestDevice[] = [];
      for (let i = 0; i < users; i++) {
        const [user] = await db.sql<{ id: string }[]>`
          insert into users (email, password_hash)
          values (${`t${i}-${crypto.randomUUID().slice(0, 6)}@example.test`}, 'x')
          returning id::text as id`;
        const habit = await createHabit(db, user.id, { name: `Habit ${i}` }, localDay("UTC"));
        await createReminder(db, user.id, {
          habitId: habit.id,
          title: `R${i}`,
          time: "00:00",
          days: [1, 2, 3, 4, 5, 6, 7],
        });
        for (let d = 0; d < perUser; d++) {
          const device = await service.subscribe({ applicationServerKey: push.vapid!.publicKey });
          await savePushSubscription(db, user.id, device.subscription, "");
          devices.push(device);
        }
      }
      return devices;
    };
    /** Three tick processes started now, ticking together once all are up. */
    const tickInThreeProcesses = () => tickInProcesses(3, testDb.url!, env);
    const received = (devices: TestDevice[]) =>
      devices.map((device) => service.messages.filter((m) => m.deviceId === device.id).length);

    await t.step("claim and send race: 10 reminders × 3 devices", async () => {
      const devices = await seed(10, 3);
      const results = await tickInThreeProcesses();
      console.log("per process:", JSON.stringify(results.map((r) => ({ delivered: r.delivered, pushed: r.pushed }))));
      assertEquals(results.reduce((sum, r) => sum + r.delivered, 0), 10, "each reminder claimed once");
      assertEquals(results.reduce((sum, r) => sum + r.pushed, 0), 30);
      assertEquals(received(devices), devices.map(() => 1));
      assertEquals(service.rejections, []);
    });

    await t.step("send race: 150 queued pushes leased by three senders", async () => {
      const devices = await seed(30, 5);
      // Claimed here, sent by the processes: they race on the pushes' leases only.
      const queued = await deliverRemindersToDevices(db, new Date(), { email: false, push: true });
      assertEquals(queued.reduce((sum, d) => sum + d.pushes, 0), 150);
      const results = await tickInThreeProcesses();
      console.log("pushed per process:", JSON.stringify(results.map((r) => r.pushed)));
      assertEquals(results.reduce((sum, r) => sum + r.pushed, 0), 150);
      assertEquals(received(devices), devices.map(() => 1));
      assertEquals(service.rejections, []);
    });
  },
});
