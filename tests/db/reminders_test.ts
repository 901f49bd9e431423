/**
 * Reminder delivery against the database: due-ness on each user's local clock (DST
 * days included), the weekday filter, habits already done today, catching up after
 * downtime, notifications and outbox rows, activity rows for user changes, and the
 * at-most-once claim with several schedulers racing on separate pools.
 */
import { type Db, openPostgresDb } from "@/db/client.ts";
import { createHabit } from "@/db/habits.ts";
import { countUnreadNotifications, listNotifications, markNotificationsRead } from "@/db/notifications.ts";
import { createReminder, deleteReminder, deliverDueReminders, updateReminder } from "@/db/reminders.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { loadConfig } from "@/lib/config.ts";
import type { Mailer } from "@/lib/mail.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7] as const;

async function createUser(db: Db, timezone: string, emailReminders = false): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash, timezone, email_reminders)
    values (${`r-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'test-only', ${timezone}, ${emailReminders})
    returning id::text as id`;
  return row.id;
}

/** The reminder ids delivered by one call at `iso`. */
async function deliveredAt(db: Db, iso: string, email = false): Promise<string[]> {
  return (await deliverDueReminders(db, new Date(iso), email)).map((d) => d.reminderId).sort();
}

Deno.test("reminder delivery", async (t) => {
  await using testDb = await openTestDb();
  const { db } = testDb;
  const reset = async () => {
    await db.sql`delete from reminders`;
    await db.sql`delete from email_outbox`;
  };

  await t.step("a 07:30 Europe/Berlin reminder fires at 06:30Z in winter and 05:30Z in summer", async () => {
    await reset();
    const user = await createUser(db, "Europe/Berlin");
    const { id } = await createReminder(db, user, { title: "Stretch", time: "07:30", days: [...EVERY_DAY] });
    assertEquals(await deliveredAt(db, "2026-01-05T06:29:59Z"), []);
    assertEquals(await deliveredAt(db, "2026-01-05T06:30:00Z"), [id]);
    assertEquals(await deliveredAt(db, "2026-01-05T06:31:00Z"), [], "once per local day");
    assertEquals(await deliveredAt(db, "2026-07-06T05:29:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-07-06T05:30:00Z"), [id]);
  });

  await t.step("on the DST days themselves", async () => {
    await reset();
    const user = await createUser(db, "Europe/Berlin");
    const { id } = await createReminder(db, user, { title: "Stretch", time: "07:30", days: [...EVERY_DAY] });
    // 2026-03-29: clocks go 02:00 → 03:00 (UTC+1 → UTC+2).
    assertEquals(await deliveredAt(db, "2026-03-29T05:29:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-03-29T05:30:00Z"), [id]);
    // 2026-10-25: clocks go 03:00 → 02:00 (UTC+2 → UTC+1).
    assertEquals(await deliveredAt(db, "2026-10-25T06:29:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-10-25T06:30:00Z"), [id]);

    // 02:30 does not exist on the spring day: it fires when the clock jumps to 03:00.
    const skipped = await createReminder(db, user, { title: "Night", time: "02:30", days: [...EVERY_DAY] });
    assertEquals(await deliveredAt(db, "2026-03-29T00:59:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-03-29T01:00:00Z"), [skipped.id]);
    // 02:30 happens twice on the autumn day: delivered the first time only.
    assertEquals(await deliveredAt(db, "2026-10-25T00:30:00Z"), [skipped.id]);
    assertEquals(await deliveredAt(db, "2026-10-25T01:30:00Z"), []);
  });

  await t.step("only on the reminder's weekdays, in the user's local week", async () => {
    await reset();
    const berlin = await createUser(db, "Europe/Berlin");
    const monday = await createReminder(db, berlin, { title: "Mondays", time: "07:30", days: [1] });
    assertEquals(await deliveredAt(db, "2026-01-06T08:00:00Z"), [], "Tuesday");
    assertEquals(await deliveredAt(db, "2026-01-05T08:00:00Z"), [monday.id]);

    // Monday 18:30Z is already Tuesday 07:30 in Auckland (UTC+13).
    await reset();
    const auckland = await createUser(db, "Pacific/Auckland");
    const tuesday = await createReminder(db, auckland, { title: "Tuesdays", time: "07:30", days: [2] });
    assertEquals(await deliveredAt(db, "2026-01-05T18:29:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-01-05T18:30:00Z"), [tuesday.id]);
  });

  await t.step("disabled reminders stay quiet; re-enabled ones fire", async () => {
    await reset();
    const user = await createUser(db, "UTC");
    const reminder = await createReminder(db, user, {
      title: "Off",
      time: "09:00",
      days: [...EVERY_DAY],
      enabled: false,
    });
    assertEquals(await deliveredAt(db, "2026-02-02T09:00:00Z"), []);
    await updateReminder(db, user, reminder.id, { enabled: true });
    assertEquals(await deliveredAt(db, "2026-02-02T09:01:00Z"), [reminder.id]);
  });

  await t.step("a scheduler that was down delivers later that day, once", async () => {
    await reset();
    const user = await createUser(db, "UTC");
    const reminder = await createReminder(db, user, { title: "Late", time: "07:30", days: [...EVERY_DAY] });
    assertEquals(await deliveredAt(db, "2026-02-03T11:00:00Z"), [reminder.id]);
    assertEquals(await deliveredAt(db, "2026-02-03T23:59:00Z"), []);
    assertEquals(await deliveredAt(db, "2026-02-04T07:30:00Z"), [reminder.id], "the next day again");
  });

  await t.step("a habit already done, skipped or failed today is not reminded of; not done, it fires", async () => {
    await reset();
    const user = await createUser(db, "Europe/Berlin");
    const habit = await createHabit(db, user, { name: "Run" }, "2026-01-01");
    const numeric = await createHabit(
      db,
      user,
      { name: "Read", kind: "numeric", target: 20, unit: "pages" },
      "2026-01-01",
    );
    await createReminder(db, user, {
      habitId: habit.id,
      title: "Run",
      time: "07:00",
      days: [...EVERY_DAY],
    });
    const read = await createReminder(db, user, {
      habitId: numeric.id,
      title: "Read",
      time: "07:00",
      days: [...EVERY_DAY],
    });
    // Local 2026-01-10 in Berlin; a check-in on the UTC day before must not count.
    await db.sql`insert into checkins (habit_id, user_id, day, status) values
      (${habit.id}, ${user}, '2026-01-10', 'done'), (${habit.id}, ${user}, '2026-01-11', 'skipped')`;
    await db.sql`insert into checkins (habit_id, user_id, day, status, value) values
      (${numeric.id}, ${user}, '2026-01-10', 'done', 5), (${numeric.id}, ${user}, '2026-01-11', 'done', 20)`;
    assertEquals(await deliveredAt(db, "2026-01-10T07:00:00Z"), [read.id], "Run done; Read only 5 of 20 pages");
    // Issue 11: a skipped (or failed) day is answered, so no "not done yet" (sql/016, habit_due_on).
    assertEquals(await deliveredAt(db, "2026-01-11T07:00:00Z"), [], "Run skipped; Read 20 of 20 pages");
    await db
      .sql`insert into checkins (habit_id, user_id, day, status) values (${habit.id}, ${user}, '2026-01-12', 'failed')`;
    assertEquals(await deliveredAt(db, "2026-01-12T07:00:00Z"), [read.id], "Run failed; Read nothing yet");
  });

  await t.step(
    "a delivery is a notification, plus an outbox e-mail when mail is on and the user opted in",
    async () => {
      await reset();
      const optedIn = await createUser(db, "UTC", true);
      const optedOut = await createUser(db, "UTC", false);
      const a = await createReminder(db, optedIn, { title: "Drink <water>", time: "10:00", days: [...EVERY_DAY] });
      const b = await createReminder(db, optedOut, { title: "Walk", time: "10:00", days: [...EVERY_DAY] });
      const deliveries = await deliverDueReminders(db, new Date("2026-02-10T10:00:00Z"), true);
      assertEquals(
        deliveries.map((d) => [d.reminderId, d.localDate, d.emailed]).sort(),
        [[a.id, "2026-02-10", true], [b.id, "2026-02-10", false]].sort(),
      );
      const [notification] = await listNotifications(db, optedIn);
      assertEquals([notification.title, notification.reminderId, notification.readAt], ["Drink <water>", a.id, null]);
      const outbox = await db.sql`
      select to_address, subject from email_outbox where user_id in (${optedIn}, ${optedOut})`;
      assertEquals(outbox.length, 1);
      assertEquals(outbox[0].subject, "Reminder: Drink <water>");

      // Mail off (no SMTP_URL): notifications only.
      assertEquals(
        (await deliverDueReminders(db, new Date("2026-02-11T10:00:00Z"), false)).every((d) => !d.emailed),
        true,
      );
      assertEquals((await db.sql`select 1 from email_outbox where user_id = ${optedIn}`).length, 1);
    },
  );

  await t.step("deliveries write no activity rows; user changes write exactly one each", async () => {
    await reset();
    const user = await createUser(db, "UTC");
    const count = async () => (await db.sql`select count(*)::int as n from activity where user_id = ${user}`)[0].n;
    const reminder = await createReminder(db, user, { title: "A", time: "06:00", days: [...EVERY_DAY] });
    assertEquals(await count(), 1);
    await deliverDueReminders(db, new Date("2026-02-12T06:00:00Z"), false);
    assertEquals(await count(), 1);
    await updateReminder(db, user, reminder.id, { title: "B" });
    assertEquals(await count(), 2);
    assertEquals(await countUnreadNotifications(db, user), 1);
    assertEquals(await markNotificationsRead(db, user), 1);
    assertEquals(await countUnreadNotifications(db, user), 0);
    assertEquals(await count(), 3);
    assertEquals(await deleteReminder(db, user, reminder.id), true);
    assertEquals(await count(), 4);
    assertEquals((await listNotifications(db, user)).length, 1, "notifications outlive their reminder");
  });

  await t.step("other users' reminders, habits and notifications read as missing", async () => {
    await reset();
    const ann = await createUser(db, "UTC");
    const bob = await createUser(db, "UTC");
    const habit = await createHabit(db, bob, { name: "Bob's" }, "2026-01-01");
    const reminder = await createReminder(db, bob, { title: "Bob", time: "06:00", days: [1] });
    const notFound = (error: unknown) => error instanceof RuleViolation && error.kind === "not_found";
    assert(
      notFound(
        await assertRejects(() => createReminder(db, ann, { habitId: habit.id, title: "x", time: "06:00", days: [1] })),
      ),
    );
    assert(
      notFound(
        await assertRejects(() => createReminder(db, ann, { habitId: "nope", title: "x", time: "06:00", days: [1] })),
      ),
    );
    assertEquals(await updateReminder(db, ann, reminder.id, { title: "Mine" }), null);
    assertEquals(await updateReminder(db, ann, "not-a-uuid", { title: "Mine" }), null);
    assertEquals(await deleteReminder(db, ann, reminder.id), false);
    await deliverDueReminders(db, new Date("2026-02-16T06:00:00Z"), false);
    const [bobs] = await listNotifications(db, bob);
    assert(notFound(await assertRejects(() => markNotificationsRead(db, ann, [bobs.id]))));
    assertEquals(await countUnreadNotifications(db, bob), 1);
  });

  await t.step("racing schedulers on separate pools deliver each due reminder exactly once", async () => {
    await reset();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const user = await createUser(db, i % 2 ? "Europe/Berlin" : "America/New_York", true);
      ids.push((await createReminder(db, user, { title: `R${i}`, time: "00:00", days: [...EVERY_DAY] })).id);
    }
    // Real Postgres: one pool per "instance"; embedded: concurrent calls on its one pool.
    const config = loadConfig();
    const pools = testDb.url
      ? Array.from({ length: 4 }, () => openPostgresDb(testDb.url!, { poolMax: 2, pgBouncer: config.pgBouncer }))
      : [];
    const instances = pools.length ? pools : [db, db, db, db];
    const sent: string[] = [];
    const mailer: Mailer = {
      send: (message) => {
        sent.push(message.to);
        return Promise.resolve();
      },
      close() {},
    };
    const kv = await Deno.openKv(":memory:");
    try {
      const now = new Date("2026-02-17T12:00:00Z");
      const results = await Promise.all(
        [...instances, ...instances].map((instance) =>
          runSchedulerTick({ db: instance, config: { ...config, smtpUrl: undefined }, kv }, now, { mailer })
        ),
      );
      assertEquals(results.reduce((sum, r) => sum + r.delivered, 0), ids.length);
      const rows = await db.sql<{ reminder_id: string; n: number }[]>`
        select reminder_id::text, count(*)::int as n from notifications
         where reminder_id = any (${`{${ids.join(",")}}`}::uuid[]) group by reminder_id`;
      assertEquals(rows.length, ids.length);
      assert(rows.every((row) => row.n === 1));
      assertEquals(sent.length, ids.length, "each e-mail sent once");
      assertEquals(new Set(sent).size, ids.length);
    } finally {
      kv.close();
      await Promise.all(pools.map((pool) => pool.close()));
    }
  });
});
