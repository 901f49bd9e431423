/**
 * One-tap check-ins from a reminder (issue 12 item 2): the scheduler e-mails a habit
 * reminder through a real SMTP conversation (tests/support/smtp_sink.ts) with Done and
 * Skip links signed as it is sent; each link opens a confirmation page with one button
 * (the GET writes nothing), the POST records the check-in once, and a second use is a
 * 409 page that says it was already used. Forged, malformed, expired and future-dated
 * tokens and a deleted habit are 4xx pages that write nothing. 100 concurrent POSTs of
 * one token → exactly one check-in (in process on either backend; across 3 app
 * processes on Postgres).
 */
import { createHabit, deleteHabit } from "@/db/habits.ts";
import { createReminder } from "@/db/reminders.ts";
import { localDay } from "@/domain/calendar.ts";
import { signOneTap } from "@/lib/one_tap.ts";
import { oneTapKey } from "@/lib/one_tap.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { seedUser, startInstances } from "@/tests/support/instances.ts";
import { testPushServices } from "@/tests/support/push_services.ts";
import { startSmtpSink } from "@/tests/support/smtp_sink.ts";
import { createTestUser } from "@/tests/support/users.ts";

/** The text of a quoted-printable body part, as a mail client shows it. */
function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  const joined = text.replace(/=\r?\n/g, "");
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === "=" && /^[0-9A-F]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(joined[i]));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

Deno.test("one-tap Done/Skip links from a reminder e-mail", async (t) => {
  const { push } = await testPushServices();
  const sink = startSmtpSink();
  await using test = await startTestApp({ push, config: { smtpUrl: sink.url } });
  const { app, services } = test;
  const { db } = services;
  const user = await createTestUser(services, { timezone: "Europe/Berlin" });
  await db.sql`update users set email_reminders = true where id = ${user.id}::uuid`;
  const today = localDay("Europe/Berlin");
  const habit = await createHabit(db, user.id, { name: "Stretch & <breathe>" }, today);
  await createReminder(db, user.id, {
    habitId: habit.id,
    title: "Stretch",
    time: "00:00",
    days: [1, 2, 3, 4, 5, 6, 7],
  });
  const checkins = () =>
    db.sql<
      { status: string }[]
    >`select status from checkins where habit_id = ${habit.id}::uuid and day = ${today}::date`;
  const uses = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from one_tap_uses`)[0].n;
  const post = (path: string) =>
    app.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: services.config.appOrigin },
      body: "",
    });
  let done = "";
  let skip = "";

  try {
    await t.step("the reminder e-mail carries a Done and a Skip link, signed when sent", async () => {
      const result = await runSchedulerTick(services, new Date());
      assertEquals(result.sent, 1);
      assertEquals(sink.messages.length, 1);
      const text = decodeQuotedPrintable(sink.messages[0].data);
      assert(text.includes("Subject: Reminder: Stretch"), text);
      const links = [...text.matchAll(/http:\/\/localhost:\d+(\/one-tap\/[\w-]+)/g)].map((m) => m[1]);
      assertEquals(links.length, 2, text);
      [done, skip] = links;
      assert(text.includes("Mark it done:") && text.includes("Mark it skipped:"));
    });

    await t.step("opening the link shows one button and records nothing", async () => {
      for (let i = 0; i < 3; i++) {
        const res = await app.request(done);
        const page = await res.text();
        assertEquals(res.status, 200);
        assert(page.includes("Mark “Stretch &amp; &lt;breathe>” done?"), page);
        assertEquals(page.match(/<button/g)?.length, 1 + (page.match(/<button[^>]*menu/g)?.length ?? 0));
        assert(page.includes(`<form method="post" action="${done}">`));
        assertEquals(res.headers.get("cache-control"), "no-store");
      }
      const head = await app.request(done, { method: "HEAD" });
      assertEquals(head.status, 200);
      assertEquals((await checkins()).length, 0);
      assertEquals(await uses(), 0);
    });

    await t.step("the button records the check-in once; the second use says it was used", async () => {
      const first = await post(done);
      const recorded = await first.text();
      assertEquals(first.status, 200, recorded);
      assert(recorded.includes("Recorded: “Stretch &amp; &lt;breathe>” done"), recorded);
      assertEquals((await checkins()).map((c) => c.status), ["done"]);
      const second = await post(done);
      const used = await second.text();
      assertEquals(second.status, 409);
      assert(used.includes("This link was already used"), used);
      assert(used.includes("nothing more was recorded"));
      const reopened = await app.request(done);
      assertEquals(reopened.status, 200);
      assert((await reopened.text()).includes("This link was already used"));
      const [{ n }] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from activity where user_id = ${user.id}::uuid and action = 'checkin.saved'`;
      assertEquals(n, 1, "one check-in, one activity row");
    });

    await t.step("the Skip link of the same reminder marks the day skipped", async () => {
      const res = await post(skip);
      assertEquals(res.status, 200);
      assert((await res.text()).includes("skipped"));
      assertEquals((await checkins()).map((c) => c.status), ["skipped"]);
    });

    await t.step(
      "forged, malformed, expired, future and deleted-habit links: a 4xx page, nothing written",
      async () => {
        const key = push.oneTapKeys![0];
        const scope = { userId: user.id, habitId: habit.id, localDate: today, action: "done" as const };
        const good = await signOneTap(key, scope);
        const otherKey = await oneTapKey(crypto.randomUUID() + crypto.randomUUID());
        const flip = good.slice(0, 60) + (good[60] === "A" ? "B" : "A") + good.slice(61);
        const cases: [string, string, number][] = [
          ["tampered", flip, 404],
          ["another server's key", await signOneTap(otherKey, scope), 404],
          ["short", "abc", 404],
          ["huge", "A".repeat(10_000), 404],
          ["NUL", `${good.slice(0, 119)}%00`, 404],
          ["lone surrogate", `${good.slice(0, 119)}%ED%A0%80`, 404],
          ["expired", await signOneTap(key, scope, new Date(Date.now() - 49 * 3600_000)), 410],
          ["from the future", await signOneTap(key, scope, new Date(Date.now() + 3600_000)), 400],
        ];
        const before = await uses();
        for (const [name, token, status] of cases) {
          for (const method of ["GET", "POST"]) {
            const res = method === "GET" ? await app.request(`/one-tap/${token}`) : await post(`/one-tap/${token}`);
            const page = await res.text();
            assertEquals(res.status, status, `${name} ${method}: ${page.slice(0, 300)}`);
            if (status !== 404 || name !== "NUL") {
              assert(page.includes("Nothing was recorded") || res.status === 404, name);
            }
          }
        }
        const other = await createHabit(db, user.id, { name: "Gone soon" }, today);
        const orphan = await signOneTap(key, { ...scope, habitId: other.id });
        await deleteHabit(db, user.id, other.id);
        const gone = await post(`/one-tap/${orphan}`);
        assertEquals(gone.status, 404);
        assert((await gone.text()).includes("no longer exists"));
        assertEquals(await uses(), before);
      },
    );

    await t.step("100 concurrent POSTs of one token: exactly one check-in", async () => {
      const fresh = await createHabit(db, user.id, { name: "Race" }, today);
      const token = await signOneTap(push.oneTapKeys![0], {
        userId: user.id,
        habitId: fresh.id,
        localDate: today,
        action: "done",
      });
      const statuses = await Promise.all(Array.from({ length: 100 }, async () => {
        const res = await post(`/one-tap/${token}`);
        await res.body?.cancel();
        return res.status;
      }));
      assertEquals(
        statuses.filter((s) => s === 200).length,
        1,
      );
      assertEquals(statuses.filter((s) => s === 409).length, 99);
      const [{ n }] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from activity
         where user_id = ${user.id}::uuid and action = 'checkin.saved' and object_id = ${fresh.id}`;
      assertEquals(n, 1);
    });
  } finally {
    await sink.close();
  }
});

Deno.test({
  name: "one-tap: 100 concurrent POSTs of one token across 3 app processes → exactly one check-in",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { env, push } = await testPushServices();
    const owner = seedUser();
    await using fleet = await startInstances(3, { users: [owner], env });
    const [first] = fleet.instances;
    const created = await fetch(`${first.url}/api/habits`, {
      method: "POST",
      headers: { ...owner.bearer, "content-type": "application/json" },
      body: JSON.stringify({ name: "Raced" }),
    });
    const { habit } = await created.json();
    const today = localDay("UTC");
    const token = await signOneTap(push.oneTapKeys![0], {
      userId: owner.id,
      habitId: habit.id,
      localDate: today,
      action: "done",
    });
    const statuses = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const res = await fetch(`${fleet.instances[i % 3].url}/one-tap/${token}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "",
      });
      await res.body?.cancel();
      return res.status;
    }));
    const tally = Object.groupBy(statuses, (s) => String(s));
    console.log(
      "one token × 100 across 3 processes:",
      JSON.stringify(Object.fromEntries(
        Object.entries(tally).map(([status, list]) => [status, list!.length]),
      )),
    );
    assertEquals(statuses.filter((s) => s === 200).length, 1);
    assertEquals(statuses.filter((s) => s === 409).length, 99);
    const checkins = await (await fetch(`${first.url}/api/habits/${habit.id}/checkins?from=${today}&to=${today}`, {
      headers: owner.bearer,
    })).json();
    assertEquals(checkins.checkins.map((c: { status: string }) => c.status), ["done"]);
  },
});
