/**
 * Notes on the habit page with JavaScript off: full-text search with `?q=` (the user's own
 * notes of this habit only, matches marked, everything escaped, a page at a time), long
 * notes cut in the history with the whole note one disclosure away, and a day's note in
 * its grid cell's name and tooltip.
 */
import { assert, assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { startTestApp } from "../../support/app.ts";
import { createTestUser } from "../../support/users.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { createHabit } from "@/db/habits.ts";
import { searchNotes } from "@/db/note_search.ts";
import { NOTE_RESULTS_PER_PAGE } from "@/domain/note_search.ts";
import { MARK_END, MARK_START } from "@/domain/note_text.ts";
import { addDays, formatDay, localDay } from "@/domain/calendar.ts";
import { html } from "../../support/pages.ts";

const PAYLOAD = `<img src=x onerror="alert(1)"> rain`;

Deno.test("habit page notes: search, marks, escaping, paging, isolation, long notes, grid names", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const mallory = await createTestUser(services);
  const today = localDay("UTC");
  const habit = await createHabit(db, alice.id, { name: "Run" }, today);
  const other = await createHabit(db, alice.id, { name: "Read" }, today);
  const mallorys = await createHabit(db, mallory.id, { name: "Run" }, today);
  const note = (h: string, user: string, ago: number, text: string) =>
    upsertCheckin(db, user, h, { date: addDays(today, -ago), status: "done", note: text }, today);
  await note(habit.id, alice.id, 1, "Running in the rain, legs tired");
  await note(habit.id, alice.id, 2, PAYLOAD);
  await note(habit.id, alice.id, 3, `Sunny and warm ${MARK_START}rain${MARK_END} not here`);
  await note(habit.id, alice.id, 4, "Snow and rain");
  await note(other.id, alice.id, 1, "Read about rain");
  await note(mallorys.id, mallory.id, 1, "Mallory's rain");
  const page = async (query: string) =>
    await html(await app.request(`/habits/${habit.id}?${query}`, { headers: alice.session }), 200);

  await t.step("websearch syntax: stems, phrases, exclusions; only this habit's notes, newest first", async () => {
    const found = await searchNotes(db, alice.id, habit.id, "rain", 1);
    assertEquals(found.results.map((r) => r.date), [1, 2, 3, 4].map((ago) => addDays(today, -ago)));
    assertEquals(found.results[0].note, `Running in the ${MARK_START}rain${MARK_END}, legs tired`);
    assertEquals((await searchNotes(db, alice.id, habit.id, "run", 1)).results.length, 1, "run finds running");
    assertEquals((await searchNotes(db, alice.id, habit.id, "rain -snow", 1)).results.length, 3);
    assertEquals((await searchNotes(db, alice.id, habit.id, '"snow and rain"', 1)).results.length, 1);
    assertEquals((await searchNotes(db, alice.id, habit.id, "sunny or snow", 1)).results.length, 2);
    // The private-use markers typed into a note are stripped before marking.
    const sunny = (await searchNotes(db, alice.id, habit.id, "sunny", 1)).results[0].note;
    assertEquals(sunny, `${MARK_START}Sunny${MARK_END} and warm rain not here`);
    // Odd input is a search, not an error.
    for (const q of ["'", "&|!", "(", "-", '"', "a:*", "\\"]) {
      assertEquals((await searchNotes(db, alice.id, habit.id, q, 1)).results, [], q);
    }
  });

  await t.step("nobody searches another user's notes, whatever habit id they send", async () => {
    assertEquals((await searchNotes(db, mallory.id, habit.id, "rain", 1)).results, []);
    assertEquals((await searchNotes(db, alice.id, mallorys.id, "rain", 1)).results, []);
    const res = await app.request(`/habits/${habit.id}?q=rain`, { headers: mallory.session });
    assertEquals(res.status, 404);
    await res.body?.cancel();
  });

  await t.step("the page: results with marks, escaped, each day linking to its check-in", async () => {
    const body = await page("q=rain");
    assertStringIncludes(body, 'value="rain"');
    assertStringIncludes(body, "Notes matching “rain”: 1–4.");
    assertStringIncludes(body, "Running in the <mark>rain</mark>, legs tired");
    assertStringIncludes(body, "&lt;img src=x onerror=&quot;alert(1)&quot;> <mark>rain</mark>");
    assertEquals(body.includes("<img src=x"), false);
    assertStringIncludes(body, `href="/habits/${habit.id}/checkin?date=${addDays(today, -1)}"`);
    assertEquals(body.includes("Mallory") || body.includes("Read about"), false);
    assertStringIncludes(await page("q=nothing-like-this"), "No note matches “nothing-like-this”.");
    const hostile = await page(`q=${encodeURIComponent("<script>x</script>")}&page=-4`);
    assertEquals(hostile.includes("<script>x"), false);
    assertStringIncludes(hostile, "No note matches “&lt;script>x&lt;/script>”.");
    // A NUL in the URL is refused before any page runs (a clear 400, as for every route).
    const nul = await app.request(`/habits/${habit.id}?q=a%00b`, { headers: alice.session });
    assertEquals(nul.status, 400);
    await nul.body?.cancel();
  });

  await t.step("pages of 20, newest first, with Newer/Older links that keep the search", async () => {
    const many = await createHabit(db, alice.id, { name: "Journal" }, today);
    for (let ago = 0; ago < NOTE_RESULTS_PER_PAGE + 5; ago++) {
      await upsertCheckin(db, alice.id, many.id, {
        date: addDays(today, -ago),
        status: "done",
        note: `day ${ago} walk`,
      }, today);
    }
    const first = await html(await app.request(`/habits/${many.id}?q=walk`, { headers: alice.session }), 200);
    assertStringIncludes(first, `Notes matching “walk”: 1–${NOTE_RESULTS_PER_PAGE}, more on the next page.`);
    assertStringIncludes(first, `href="/habits/${many.id}?q=walk&amp;page=2#notes-heading">Older matches</a>`);
    const second = await html(await app.request(`/habits/${many.id}?q=walk&page=2`, { headers: alice.session }), 200);
    assertStringIncludes(second, `Notes matching “walk”: ${NOTE_RESULTS_PER_PAGE + 1}–${NOTE_RESULTS_PER_PAGE + 5}.`);
    assertStringIncludes(second, `<ol class="history" start="${NOTE_RESULTS_PER_PAGE + 1}">`);
    assertStringIncludes(second, "Newer matches");
    assertEquals(second.includes("Older matches"), false);
    assertStringIncludes(second, `day ${NOTE_RESULTS_PER_PAGE + 4} <mark>walk</mark>`);
  });

  await t.step("history: a long note is cut, the whole of it behind Read the whole note", async () => {
    const long = `${"Long ".repeat(60)}END<b>`;
    await note(habit.id, alice.id, 0, long);
    const body = await page("");
    assertStringIncludes(body, "Read the whole note");
    assertStringIncludes(body, `${"Long ".repeat(60)}END&lt;b></p></details>`);
    // The grid cell: name and tooltip carry the note's start, escaped.
    const cell = new RegExp(`<a id="habit-grid-${today}"[^]*?</a>`).exec(body)![0];
    assertStringIncludes(cell, `aria-label="${formatDay(today)}: done. Note: Long Long`);
    assertStringIncludes(cell, 'title="');
    assert(/…"/.test(cell), cell);
    const payloadCell = new RegExp(`<a id="habit-grid-${addDays(today, -2)}"[^]*?</a>`).exec(body)![0];
    assertStringIncludes(payloadCell, "Note: &lt;img src=x onerror=&quot;alert(1)&quot;> rain");
  });
});
