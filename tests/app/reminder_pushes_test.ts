/**
 * Push reminders end to end in Deno: the scheduler's tick (lib/scheduler.ts) claims a
 * reminder with sql/007's claim, routes it to every device of the user
 * (sql/014_push.sql), and the push job (app/reminder_pushes.ts) encrypts and sends it
 * with web-push to the local push service (tests/support/push_endpoint.ts), which
 * checks the VAPID JWT and DECRYPTS each message with the device's own keys.
 *
 * Covered: one push per device, with the Done/Skip links (tokens verified); no e-mail
 * when a device took it; a 404/410 device forgotten; e-mail as the fallback when no
 * device took it (all gone, or refused), once; a 500 retried later; a user without
 * devices e-mailed with links; racing schedulers on separate pools → one push per
 * device (3 OS processes: tests/app/reminder_pushes_processes_test.ts).
 */
import { type Db, openPostgresDb } from "@/db/client.ts";
import { createHabit } from "@/db/habits.ts";
import { savePushSubscription } from "@/db/push.ts";
import { createReminder } from "@/db/reminders.ts";
import { localDay } from "@/domain/calendar.ts";
import { loadConfig } from "@/lib/config.ts";
import type { Mailer, MailMessage } from "@/lib/mail.ts";
import { verifyOneTap } from "@/lib/one_tap.ts";
import type { PushServices } from "@/lib/push/services.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { startPushService, type TestDevice, type TestPushService } from "@/tests/support/push_endpoint.ts";
import { testPushServices } from "@/tests/support/push_services.ts";

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];
const ORIGIN = "https://app.example.test";

function recordingMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    sent,
    send(message) {
      sent.push(message);
      return Promise.resolve();
    },
    close() {},
  };
}

interface Fixture {
  db: Db;
  push: PushServices;
  service: TestPushService;
  tick(now?: Date, mailer?: Mailer, db?: Db): ReturnType<typeof runSchedulerTick>;
  /** A user (e-mail reminders on) with a habit reminder due all day, and `devices` subscribed. */
  user(devices: number): Promise<{ id: string; habitId: string; reminderId: string; devices: TestDevice[] }>;
}

async function fixture(db: Db, service: TestPushService, push: PushServices): Promise<Fixture> {
  const config = { ...loadConfig(() => undefined), appOrigin: ORIGIN, smtpUrl: undefined };
  const kv = await Deno.openKv(":memory:");
  return {
    db,
    push,
    service,
    tick: (now = new Date(), mailer = recordingMailer(), on = db) =>
      runSchedulerTick({ db: on, config, kv, push }, now, { mailer }),
    async user(count) {
      const [row] = await db.sql<{ id: string }[]>`
        insert into users (email, password_hash, timezone, email_reminders)
        values (${`p-${crypto.randomUUID().slice(0, 8)}@example.test`}, 'test-only', 'Europe/Berlin', true)
        returning id::text as id`;
      const today = localDay("Europe/Berlin");
      const habit = await createHabit(db, row.id, { name: "Stretch <daily>" }, today);
      const reminder = await createReminder(db, row.id, {
        habitId: habit.id,
        title: "Time to stretch",
        time: "00:00",
        days: EVERY_DAY as never,
      });
      const devices: TestDevice[] = [];
      for (let i = 0; i < count; i++) {
        const device = await service.subscribe({ applicationServerKey: push.vapid!.publicKey });
        await savePushSubscription(db, row.id, device.subscription, `Device ${i}`);
        devices.push(device);
      }
      return { id: row.id, habitId: habit.id, reminderId: reminder.id, devices };
    },
    [Symbol.dispose]: () => kv.close(),
  } as Fixture & Disposable;
}

Deno.test("push reminders", async (t) => {
  await using testDb = await openTestDb();
  await using service = startPushService();
  const { push } = await testPushServices();
  using f = await fixture(testDb.db, service, push) as Fixture & Disposable;
  const { db } = f;
  const messagesFor = (device: TestDevice) => service.messages.filter((m) => m.deviceId === device.id);

  await t.step("every device gets the reminder once, decrypted, with Done/Skip links; no e-mail", async () => {
    const user = await f.user(2);
    const mailer = recordingMailer();
    const result = await f.tick(new Date(), mailer);
    assertEquals(result.pushed, 2);
    for (const device of user.devices) {
      const [message, ...more] = messagesFor(device);
      assertEquals(more.length, 0);
      assertEquals(message.claims.sub, "mailto:ops@example.test");
      assertEquals(message.vapidPublicKey, push.vapid!.publicKey);
      assertEquals(message.urgency, "high");
      const payload = JSON.parse(message.payload);
      assertEquals(payload.title, "Time to stretch");
      assertEquals(payload.body, "Your habit “Stretch <daily>” is not done yet today.");
      assertEquals(payload.url, `${ORIGIN}/habits/${user.habitId}`);
      assertEquals(payload.tag, `reminder:${user.reminderId}:${localDay("Europe/Berlin")}`);
      assertEquals(payload.actions.map((a: { action: string }) => a.action), ["done", "skip"]);
      for (const action of payload.actions as { action: string; url: string }[]) {
        assert(action.url.startsWith(`${ORIGIN}/one-tap/`), action.url);
        const checked = await verifyOneTap(push.oneTapKeys!, action.url.slice(`${ORIGIN}/one-tap/`.length));
        assert(checked.ok);
        assertEquals(checked.claims.userId, user.id);
        assertEquals(checked.claims.habitId, user.habitId);
        assertEquals(checked.claims.localDate, localDay("Europe/Berlin"));
        assertEquals(checked.claims.action, action.action);
      }
    }
    assertEquals(service.rejections, []);
    assertEquals(mailer.sent.length, 0, "a device took it: no e-mail");
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from notifications where reminder_id = ${user.reminderId}::uuid`;
    assertEquals(n, 1, "the in-app notification as before");

    const again = await f.tick(new Date(Date.now() + 60_000), mailer);
    assertEquals(again.pushed, 0, "delivered once per local day");
    assertEquals(user.devices.map((d) => messagesFor(d).length), [1, 1]);
  });

  await t.step("a gone device (410, 404) is forgotten; the others still get it, so no e-mail", async () => {
    const user = await f.user(3);
    service.expire(user.devices[0]);
    const mailer = recordingMailer();
    const result = await f.tick(new Date(), mailer);
    assertEquals(result.pushed, 2);
    assertEquals(result.pushFailed, 1);
    const left = await db.sql<{ endpoint: string }[]>`
      select endpoint from push_subscriptions where user_id = ${user.id}::uuid order by created_at`;
    assertEquals(left.map((r) => r.endpoint).sort(), user.devices.slice(1).map((d) => d.subscription.endpoint).sort());
    assertEquals(mailer.sent.length, 0);
  });

  await t.step("no device took it (gone or refused): the e-mail goes instead, once, with the links", async () => {
    const user = await f.user(2);
    service.expire(user.devices[0]);
    // The other device's service refuses the message outright (403: not a retry).
    service.scriptDevice(user.devices[1], { status: 403, body: "key mismatch" });
    const mailer = recordingMailer();
    const result = await f.tick(new Date(), mailer);
    assertEquals(result.pushed, 0);
    assertEquals(mailer.sent.length, 1);
    assertEquals(mailer.sent[0].subject, "Reminder: Time to stretch");
    assert(mailer.sent[0].text.includes("Your habit “Stretch <daily>” is not done yet today."));
    const links = [...mailer.sent[0].text.matchAll(/https:\/\/app\.example\.test\/one-tap\/([\w-]+)/g)].map((m) =>
      m[1]
    );
    assertEquals(links.length, 2);
    const claims = await Promise.all(links.map((token) => verifyOneTap(push.oneTapKeys!, token)));
    assertEquals(claims.map((c) => c.ok && c.claims.action), ["done", "skip"]);
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from email_outbox where reminder_id = ${user.reminderId}::uuid`;
    assertEquals(n, 1);
    // The refused device stays subscribed (403 says nothing about the device being gone).
    const [{ devices }] = await db.sql<{ devices: number }[]>`
      select count(*)::int as devices from push_subscriptions where user_id = ${user.id}::uuid`;
    assertEquals(devices, 1);
    const later = await f.tick(new Date(Date.now() + 120_000), mailer);
    assertEquals(later.sent, 0);
    assertEquals(mailer.sent.length, 1, "still one e-mail");
  });

  await t.step("a 500 is retried on a later tick; past the give-up time, the e-mail goes", async () => {
    const user = await f.user(1);
    service.scriptDevice(user.devices[0], { status: 500 });
    const mailer = recordingMailer();
    const now = new Date();
    assertEquals((await f.tick(now, mailer)).pushed, 0);
    assertEquals(messagesFor(user.devices[0]).length, 0);
    assertEquals(mailer.sent.length, 0, "not yet: the device may still take it");
    const retried = await f.tick(new Date(now.getTime() + 60_000), mailer);
    assertEquals(retried.pushed, 1);
    assertEquals(messagesFor(user.devices[0]).length, 1);
    assertEquals(mailer.sent.length, 0);

    const stuck = await f.user(1);
    service.scriptDevice(stuck.devices[0], ...Array.from({ length: 20 }, () => ({ status: 503 })));
    const start = new Date();
    for (let minutes = 0; minutes <= 16; minutes += 2) {
      await f.tick(new Date(start.getTime() + minutes * 60_000), mailer);
    }
    service.clearScripts();
    assertEquals(messagesFor(stuck.devices[0]).length, 0);
    assertEquals(mailer.sent.map((m) => m.to).length, 1, "e-mail after 15 minutes without a device");
  });

  await t.step("a user without devices gets the e-mail with links, as before push", async () => {
    const user = await f.user(0);
    const mailer = recordingMailer();
    const result = await f.tick(new Date(), mailer);
    assertEquals(result.sent, 1);
    assert(mailer.sent[0].text.includes(`${ORIGIN}/one-tap/`));
    const [{ n }] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from reminder_pushes where user_id = ${user.id}::uuid`;
    assertEquals(n, 0);
  });

  await t.step("racing schedulers (separate pools on Postgres): one push per device", async () => {
    await db.sql`update reminders set enabled = false`;
    const users = [];
    for (let i = 0; i < 6; i++) users.push(await f.user(2));
    const config = loadConfig();
    const pools = testDb.url
      ? Array.from({ length: 4 }, () => openPostgresDb(testDb.url!, { poolMax: 2, pgBouncer: config.pgBouncer }))
      : [];
    const instances = pools.length ? pools : [db, db, db, db];
    try {
      const now = new Date();
      const results = await Promise.all(
        [...instances, ...instances].map((instance) => f.tick(now, recordingMailer(), instance)),
      );
      assertEquals(results.reduce((sum, r) => sum + r.delivered, 0), users.length);
      assertEquals(results.reduce((sum, r) => sum + r.pushed, 0), users.length * 2);
      for (const user of users) for (const device of user.devices) assertEquals(messagesFor(device).length, 1);
      assertEquals(service.rejections, []);
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  });
});
