/**
 * Pauses without JavaScript: the habit page lists its pauses and posts the pause form to
 * /habits/:id/pauses; Settings → Vacation mode pauses every habit. Each write answers 303
 * with a flash; bad input (to before from, over 366 days, a malformed day, NUL, a huge
 * note) and the plan's cap re-render the form with the field's message and a 4xx,
 * writing nothing; another user's habit or pause is a 404; notes are escaped.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { flashCookie, html, shownFlash } from "@/tests/support/pages.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { PAUSE_NOTE_MAX } from "@/domain/limits.ts";

/** The message next to field `name` of the pause form (`<Form id="pause">`). */
function pauseError(page: string, name: string): string | undefined {
  return new RegExp(`id="pause-${name}-error">([^<]*)<`).exec(page)?.[1];
}

Deno.test("Pause forms: habit page and vacation mode, 303 + flash, errors re-rendered with 4xx, 404 for others", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services, { timezone: "Pacific/Auckland" });
  const bob = await createTestUser(services);
  const today = localDay("Pacific/Auckland");
  const created = await app.request("/api/habits", {
    method: "POST",
    headers: { ...alice.bearer, "content-type": "application/json" },
    body: JSON.stringify({ name: "Read <b>" }),
  });
  assertEquals(created.status, 201);
  const habit = (await created.json()).habit as { id: string };
  const post = (path: string, fields: [string, string][], who: TestUser = alice) =>
    app.request(path, {
      method: "POST",
      headers: { ...who.session, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  const count = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from pauses`)[0].n;
  const habitPath = `/habits/${habit.id}/pauses`;

  await t.step("the habit page shows the section, the form and no pauses yet", async () => {
    const page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);
    assertStringIncludes(page, '<h2 id="pauses">Pauses</h2>');
    assertStringIncludes(page, `action="${habitPath}"`);
    assertStringIncludes(page, 'name="intent" value="create-pause"');
    assertStringIncludes(page, "No pauses.");
    assertStringIncludes(page, 'href="/settings/pauses"');
    assertStringIncludes(
      await html(await app.request("/settings", { headers: alice.session }), 200),
      'href="/settings/pauses"',
    );
  });

  await t.step("a habit's pause: 303 back to the habit page with a flash; listed with its escaped note", async () => {
    const res = await post(habitPath, [
      ["intent", "create-pause"],
      ["from", addDays(today, 3)],
      ["to", addDays(today, 9)],
      ["note", "Trip <script>alert(1)</script>"],
    ]);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `/habits/${habit.id}#pauses`);
    const cookie = flashCookie(res);
    assert(cookie, "a flash is set");
    const page = await html(
      await app.request(`/habits/${habit.id}`, {
        headers: { ...alice.session, Cookie: `${alice.session.Cookie}; ${cookie}` },
      }),
      200,
    );
    assertMatch(shownFlash(page) ?? "", /^Paused “Read &lt;b>”: .* – .*\.$/);
    assertStringIncludes(page, "Trip &lt;script>alert(1)&lt;/script>");
    assert(!page.includes("<script>alert(1)"), "the note is escaped");
    assertStringIncludes(page, 'data-when="planned"');
    assertEquals(await count(), 1);
  });

  await t.step("vacation mode: pauses every habit, listed as such on the habit page too", async () => {
    const empty = await html(await app.request("/settings/pauses", { headers: alice.session }), 200);
    assertStringIncludes(empty, "<h1>Vacation mode</h1>");
    const res = await post("/settings/pauses", [
      ["intent", "create-pause"],
      ["from", today],
      ["to", addDays(today, 1)],
      [
        "note",
        "",
      ],
    ]);
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/settings/pauses#pauses");
    const [row] = await db.sql<{ habit_id: string | null; note: string | null }[]>`
      select habit_id::text, note from pauses where from_day = ${today}::date`;
    assertEquals(row, { habit_id: null, note: null });
    const settings = await html(await app.request("/settings/pauses", { headers: alice.session }), 200);
    assertStringIncludes(settings, '<span class="pause-scope">Every habit</span>');
    assertStringIncludes(settings, '<span class="pause-scope">Read &lt;b></span>');
    const page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);
    assertStringIncludes(page, '<span class="pause-scope">Every habit</span><span class="badge">Paused now</span>');
    // Bob sees none of it.
    const bobs = await html(await app.request("/settings/pauses", { headers: bob.session }), 200);
    assertStringIncludes(bobs, "No pauses.");
  });

  await t.step("bad input: the field's message, what was typed, a 400, nothing written", async () => {
    const cases: { fields: [string, string][]; field: string; message: RegExp }[] = [
      { fields: [["from", addDays(today, 5)], ["to", today]], field: "to", message: /^End the pause on or after/ },
      { fields: [["from", today], ["to", addDays(today, 366)]], field: "to", message: /at most 366 days/ },
      { fields: [["from", "2026-02-30"], ["to", today]], field: "from", message: /real date/ },
      { fields: [["from", today], ["to", today], ["note", "a\u0007b"]], field: "note", message: /control characters/ },
      {
        fields: [["from", today], ["to", today], ["note", "x".repeat(PAUSE_NOTE_MAX + 1)]],
        field: "note",
        message: /500 characters/,
      },
    ];
    for (const path of [habitPath, "/settings/pauses"]) {
      for (const { fields, field, message } of cases) {
        const page = await html(await post(path, [["intent", "create-pause"], ...fields]), 400);
        assertMatch(pauseError(page, field) ?? "", message, `${path} ${field}`);
        assertStringIncludes(page, 'class="error-summary"');
        assertStringIncludes(page, `value="${fields[0][1]}"`);
      }
    }
    // NUL is refused before any form sees it (lib/body.ts): a 400 page naming the field.
    const nul = await html(
      await post(habitPath, [["intent", "create-pause"], ["from", today], ["to", today], ["note", "a\u0000b"]]),
      400,
    );
    assertStringIncludes(nul, "<code>note</code>: Remove the NUL character");
    // Markup typed into a field comes back escaped.
    const typed = await html(
      await post(habitPath, [["intent", "create-pause"], ["from", '"><b>x'], ["to", today]]),
      400,
    );
    assertStringIncludes(typed, 'value="&quot;>&lt;b>x"');
    assertEquals(await count(), 2);
  });

  await t.step("the plan's cap: 402 with the message, nothing written", async () => {
    await db.sql`update plans set max_pauses = 2 where id = 'free'`;
    const page = await html(
      await post("/settings/pauses", [["intent", "create-pause"], ["from", today], ["to", today]]),
      402,
    );
    assertStringIncludes(page, "Delete an old one to add another.");
    await html(await post(habitPath, [["intent", "create-pause"], ["from", today], ["to", today]]), 402);
    assertEquals(await count(), 2);
  });

  await t.step(
    "another user's habit or pause → 404; unknown intent → 400; delete → 303, days count again",
    async () => {
      const [mine] = await db.sql<{ id: string }[]>`select id::text from pauses where habit_id is null`;
      await html(await post(habitPath, [["intent", "create-pause"], ["from", today], ["to", today]], bob), 404);
      assertEquals((await app.request(habitPath, { headers: bob.session })).status, 404);
      await html(await post("/settings/pauses", [["intent", "delete-pause"], ["pauseId", mine.id]], bob), 404);
      await html(await post("/settings/pauses", [["intent", "delete-pause"], ["pauseId", "not-a-uuid"]]), 404);
      await html(await post("/settings/pauses", [["intent", "nonsense"]]), 400);
      assertEquals(await count(), 2);
      const res = await post(habitPath, [["intent", "delete-pause"], ["pauseId", mine.id]]);
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), `/habits/${habit.id}#pauses`);
      assertEquals(await count(), 1);
      const page = await html(await app.request(habitPath, { headers: alice.session }), 200);
      assert(!page.includes("Every habit"), "the deleted pause is gone");
      assertStringIncludes(page, `aria-label="Delete the pause`);
    },
  );

  await t.step("the pause forms share the API's rate limit", async () => {
    const res = await post("/settings/pauses", [["intent", "nonsense"]]);
    await res.body?.cancel();
    assertEquals(res.headers.get("ratelimit-policy"), '"pauses.write";q=50;w=60');
  });
});
