/**
 * One day's check-in form (`/habits/[id]/checkin?date=`), the target of every grid link:
 * it starts from what the day holds, says so, refuses days outside the backfill window
 * in words, and is another user's 404.
 */
import { assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { html } from "@/tests/support/pages.ts";
import { createHabit } from "@/db/habits.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";

Deno.test("a day's check-in form", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const mallory = await createTestUser(services);
  const today = localDay("UTC");
  const run = await createHabit(
    services.db,
    alice.id,
    { name: "Run", kind: "numeric", target: 8, unit: "km" },
    addDays(today, -30),
  );
  const day = addDays(today, -3);
  await upsertCheckin(services.db, alice.id, run.id, { date: day, status: "done", value: 6, note: "windy" }, today);

  await t.step("starts from what the day holds and links back to its cell", async () => {
    const page = await html(
      await app.request(`/habits/${run.id}/checkin?date=${day}`, { headers: alice.session }),
      200,
    );
    assertMatch(page, new RegExp(`<input[^>]*name="date"[^>]*value="${day}"`));
    assertMatch(page, /<input[^>]*name="value"[^>]*value="6"/);
    assertMatch(page, /<input type="radio"[^>]*value="done"[^>]*checked/);
    assertStringIncludes(page, `${formatDay(day)}: 6 of 8 km · note: “windy”`);
    assertStringIncludes(page, `<a href="/habits/${run.id}#habit-grid-${day}">Run</a>`);
  });

  await t.step("an empty day says so", async () => {
    const empty = addDays(today, -5);
    const page = await html(
      await app.request(`/habits/${run.id}/checkin?date=${empty}`, { headers: alice.session }),
      200,
    );
    assertStringIncludes(page, `${formatDay(empty)}: nothing logged yet`);
  });

  await t.step("days it cannot take are refused in words, and the form falls back to today", async () => {
    for (const date of [addDays(today, 1), addDays(today, -367), "2026-02-30", "<b>x</b>"]) {
      const page = await html(
        await app.request(`/habits/${run.id}/checkin?date=${encodeURIComponent(date)}`, { headers: alice.session }),
        200,
      );
      assertStringIncludes(page, "is not a day you can check in for", date);
      assertMatch(page, new RegExp(`<input[^>]*name="date"[^>]*value="${today}"`), date);
      assertEquals(page.includes("<b>x</b>"), false);
    }
  });

  await t.step("another user's habit is a 404", async () => {
    const res = await app.request(`/habits/${run.id}/checkin?date=${day}`, { headers: mallory.session });
    assertEquals(res.status, 404);
    await res.body?.cancel();
  });
});
