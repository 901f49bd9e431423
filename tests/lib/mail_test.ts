/**
 * E-mail against a local SMTP sink started in the test: nodemailer really speaks SMTP
 * from Deno (lib/mail.ts), and the outbox (db/email_outbox.ts) sends every due row,
 * retries a refused one with backoff without holding up the others, and gives up after
 * its last attempt.
 */
import { claimDueEmails, EMAIL_MAX_ATTEMPTS, retryDelayMs, sendDueEmails } from "@/db/email_outbox.ts";
import { createMailer } from "@/lib/mail.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { startSmtpSink } from "@/tests/support/smtp_sink.ts";

Deno.test("createMailer sends through SMTP and reports a refusal", async () => {
  const sink = startSmtpSink();
  const mailer = createMailer(sink.url, "ConsistencyGrid <reminders@example.com>");
  try {
    await mailer.send({ to: "ann@example.com", subject: "Reminder: Read", text: "Read 20 pages" });
    assertEquals(sink.messages.length, 1);
    assertEquals(sink.messages[0].from, "reminders@example.com");
    assertEquals(sink.messages[0].to, ["ann@example.com"]);
    assertStringIncludes(sink.messages[0].data, "Subject: Reminder: Read");
    assertStringIncludes(sink.messages[0].data, "Read 20 pages");

    sink.failing.add("bob@example.com");
    const error = await assertRejects(() => mailer.send({ to: "bob@example.com", subject: "Hi", text: "x" }));
    assertStringIncludes(String((error as Error).message), "451");
    assertEquals(sink.messages.length, 1);
  } finally {
    mailer.close();
    await sink.close();
  }
});

Deno.test("retryDelayMs doubles from one minute up to an hour", () => {
  assertEquals(retryDelayMs(1), 60_000);
  assertEquals(retryDelayMs(2), 120_000);
  assertEquals(retryDelayMs(3), 240_000);
  assertEquals(retryDelayMs(20), 3_600_000);
});

Deno.test("the outbox sends every due e-mail, retries a refused one with backoff, then gives up", async (t) => {
  await using testDb = await openTestDb();
  const { db } = testDb;
  const sink = startSmtpSink();
  const mailer = createMailer(sink.url, "reminders@example.com");
  const start = new Date("2026-03-02T08:00:00Z");
  const at = (ms: number) => new Date(start.getTime() + ms);
  const enqueue = async (to: string) => {
    await db.sql`
      insert into email_outbox (to_address, subject, body, next_attempt_at)
      values (${to}, ${"Reminder for " + to}, 'Body', ${start})`;
  };
  try {
    await enqueue("a@example.com");
    await enqueue("fails@example.com");
    await enqueue("c@example.com");
    sink.failing.add("fails@example.com");

    await t.step("one refused recipient does not hold up the others", async () => {
      const result = await sendDueEmails(db, mailer, start);
      assertEquals(result, { sent: 2, failed: 1, changedUserIds: [] });
      assertEquals(sink.messages.map((m) => m.to[0]).sort(), ["a@example.com", "c@example.com"]);
      const [failed] = await db.sql<{ attempts: number; next_attempt_at: Date; last_error: string }[]>`
        select attempts, next_attempt_at, last_error from email_outbox where to_address = 'fails@example.com'`;
      assertEquals(failed.attempts, 1);
      assertEquals(failed.next_attempt_at.toISOString(), at(retryDelayMs(1)).toISOString());
      assertStringIncludes(failed.last_error, "451");
    });

    await t.step("nothing is due before the backoff is over; sent rows are never sent again", async () => {
      assertEquals(await sendDueEmails(db, mailer, at(retryDelayMs(1) - 1000)), {
        sent: 0,
        failed: 0,
        changedUserIds: [],
      });
      assertEquals(sink.messages.length, 2);
    });

    await t.step("the retry fails again and waits twice as long", async () => {
      assertEquals(await sendDueEmails(db, mailer, at(retryDelayMs(1))), { sent: 0, failed: 1, changedUserIds: [] });
      const [row] = await db.sql<{ attempts: number; next_attempt_at: Date }[]>`
        select attempts, next_attempt_at from email_outbox where to_address = 'fails@example.com'`;
      assertEquals(row.attempts, 2);
      assertEquals(row.next_attempt_at.toISOString(), at(retryDelayMs(1) + retryDelayMs(2)).toISOString());
    });

    await t.step("sent once the server recovers", async () => {
      sink.failing.clear();
      const later = at(retryDelayMs(1) + retryDelayMs(2));
      assertEquals(await sendDueEmails(db, mailer, later), { sent: 1, failed: 0, changedUserIds: [] });
      assertEquals(sink.messages.at(-1)?.to, ["fails@example.com"]);
      const [row] = await db.sql<{ sent_at: Date | null; next_attempt_at: Date | null }[]>`
        select sent_at, next_attempt_at from email_outbox where to_address = 'fails@example.com'`;
      assert(row.sent_at !== null);
      assertEquals(row.next_attempt_at, null);
      assertEquals(await sendDueEmails(db, mailer, at(86_400_000)), { sent: 0, failed: 0, changedUserIds: [] });
    });

    await t.step(`gives up after ${EMAIL_MAX_ATTEMPTS} attempts`, async () => {
      sink.failing.add("never@example.com");
      await enqueue("never@example.com");
      let now = start;
      for (let i = 0; i < EMAIL_MAX_ATTEMPTS; i++) {
        assertEquals(await sendDueEmails(db, mailer, now), { sent: 0, failed: 1, changedUserIds: [] });
        now = new Date(now.getTime() + 86_400_000);
      }
      assertEquals(await sendDueEmails(db, mailer, now), { sent: 0, failed: 0, changedUserIds: [] });
      const [row] = await db.sql<{ attempts: number; next_attempt_at: Date | null }[]>`
        select attempts, next_attempt_at from email_outbox where to_address = 'never@example.com'`;
      assertEquals(row, { attempts: EMAIL_MAX_ATTEMPTS, next_attempt_at: null });
    });

    await t.step("concurrent senders never claim the same row", async () => {
      for (const to of ["x1@example.com", "x2@example.com", "x3@example.com"]) await enqueue(to);
      const claims = await Promise.all([1, 2, 3, 4].map(() => claimDueEmails(db, start, 10)));
      const ids = claims.flat().map((row) => row.id);
      assertEquals(ids.length, 3);
      assertEquals(new Set(ids).size, 3);
    });
  } finally {
    mailer.close();
    await sink.close();
  }
});
