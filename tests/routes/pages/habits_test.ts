/**
 * The habit pages with JavaScript off: plain form posts and 303 redirects, forms that
 * come back with the user's input and a message next to each bad field, escaping of
 * what users type, and 404 for another user's habits on every page and form.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { getHabit, listHabits } from "@/db/habits.ts";
import { listCheckins } from "@/db/checkins.ts";
import { addDays, localDay } from "@/domain/calendar.ts";
import { fieldError, html } from "@/tests/support/pages.ts";

const PAYLOAD = `<img src=x onerror="alert(1)">`;
const ESCAPED = "&lt;img src=x onerror=";

function post(user: TestUser, fields: Record<string, string | string[]>): RequestInit {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(key, one);
  }
  return {
    method: "POST",
    headers: { ...user.session, "content-type": "application/x-www-form-urlencoded" },
    body,
  };
}

Deno.test("habit pages", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services);
  const mallory = await createTestUser(services);
  const today = localDay("UTC");

  await t.step("signed out: every habit page and form redirects to the log-in page", async () => {
    const id = crypto.randomUUID();
    for (
      const path of ["/habits/new", `/habits/${id}`, `/habits/${id}/edit`, `/habits/${id}/delete`, "/habits/archived"]
    ) {
      const res = await app.request(path);
      assertEquals(res.status, 303, path);
      assertEquals(res.headers.get("location"), `/login?next=${encodeURIComponent(path)}`);
    }
    const res = await app.request("/habits/new", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "name=Run",
    });
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2Fhabits%2Fnew");
  });

  await t.step("new: the form, with every kind and schedule field", async () => {
    const page = await html(await app.request("/habits/new", { headers: alice.session }), 200);
    assertMatch(page, /<form method="post" action="\/habits\/new"/);
    for (const name of ["name", "color", "kind", "target", "unit", "scheduleType", "times", "days"]) {
      assertStringIncludes(page, `name="${name}"`);
    }
    assertEquals(/<script/i.test(page), false, "the form needs no JavaScript");
  });

  await t.step("new: bad input comes back with every message next to its field and the input kept", async () => {
    const res = await app.request(
      "/habits/new",
      post(alice, {
        name: "   ",
        color: "#abcdef",
        kind: "numeric",
        target: "-3",
        unit: "",
        scheduleType: "weekly",
        times: "9",
      }),
    );
    const page = await html(res, 400);
    assertEquals(fieldError(page, "name"), "Enter a name");
    assertEquals(fieldError(page, "target"), "Enter a target above 0");
    assertStringIncludes(fieldError(page, "unit") ?? "", "unit");
    assertMatch(page, /Choose how many times a week: 1 to 7/);
    // The summary lists all four.
    assertEquals((/<div class="error-summary"[^]*?<\/ul>/.exec(page)?.[0].match(/<li>/g) ?? []).length, 4);
    assertMatch(page, /name="color" type="color" value="#abcdef"/);
    assertMatch(page, /name="target" type="number" value="-3"/);
    assertMatch(page, /name="times" type="number" value="9"/);
    assertMatch(page, /type="radio" name="kind" value="numeric" checked/);
    assertMatch(page, /type="radio" name="scheduleType" value="weekly" checked/);
    assertEquals((await listHabits(db, alice.id)).length, 0, "nothing was written");
  });

  let habitId = "";
  await t.step("new: a valid form creates the habit and 303s to the dashboard", async () => {
    const res = await app.request(
      "/habits/new",
      post(alice, {
        name: PAYLOAD,
        color: "#ff8800",
        kind: "boolean",
        scheduleType: "weekdays",
        days: ["1", "3", "5"],
      }),
    );
    assertEquals(res.status, 303);
    const [habit] = await listHabits(db, alice.id);
    assertEquals(res.headers.get("location"), `/app#habit-${habit.id}`);
    assertEquals([habit.name, habit.color, habit.schedule], [PAYLOAD, "#ff8800", {
      type: "weekdays",
      days: [1, 3, 5],
    }]);
    habitId = habit.id;
  });

  await t.step("habit page: grid, stats, check-in form; the name escaped everywhere", async () => {
    const page = await html(await app.request(`/habits/${habitId}`, { headers: alice.session }), 200);
    assertStringIncludes(page, `${ESCAPED}&quot;alert(1)&quot;>`);
    assertEquals(page.includes(PAYLOAD), false);
    assertEquals(page.includes("<img"), false);
    assertMatch(page, /<figure class="cg cg-tinted" id="habit-grid" style="--cg-color:#ff8800">/);
    assertStringIncludes(page, "Current streak");
    assertMatch(page, /<form method="post" action="\/habits\/[^"]+\/checkin" class="checkin-form"/);
    assertStringIncludes(page, "Mon, Wed, Fri");
  });

  await t.step("check-in form: saves with a note, which shows escaped; bad input comes back", async () => {
    const res = await app.request(
      `/habits/${habitId}/checkin`,
      post(alice, { date: today, status: "done", note: PAYLOAD, return: `/habits/${habitId}` }),
    );
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), `/habits/${habitId}#habit-grid-${today}`);
    const [checkin] = await listCheckins(db, alice.id, habitId, today, today);
    assertEquals([checkin.status, checkin.note], ["done", PAYLOAD]);
    const page = await html(await app.request(`/habits/${habitId}`, { headers: alice.session }), 200);
    assertMatch(page, /<p class="history-note">&lt;img src=x onerror=&quot;alert\(1\)&quot;><\/p>/);
    assertEquals(page.includes("<img"), false);

    // Saving the day again with an empty note box keeps the note.
    await app.request(`/habits/${habitId}/checkin`, post(alice, { date: today, status: "skipped", note: "" }));
    const [again] = await listCheckins(db, alice.id, habitId, today, today);
    assertEquals([again.status, again.note], ["skipped", PAYLOAD]);

    const tomorrow = addDays(today, 1);
    const bad = await app.request(
      `/habits/${habitId}/checkin`,
      post(alice, { date: tomorrow, status: "maybe", value: "3", note: "kept", return: "/app" }),
    );
    const form = await html(bad, 400);
    assertStringIncludes(fieldError(form, "date") ?? "", "after today");
    assertStringIncludes(
      form,
      "The status is &quot;done&quot;, &quot;skipped&quot;, &quot;failed&quot; or &quot;none&quot;",
    );
    assertMatch(form, new RegExp(`name="date" type="date" value="${tomorrow}"`));
    assertMatch(form, /<textarea[^>]*>kept<\/textarea>/);
    assertEquals(await listCheckins(db, alice.id, habitId, tomorrow, tomorrow), []);
  });

  await t.step("check-in: the return path must be local", async () => {
    for (const back of ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"]) {
      const res = await app.request(
        `/habits/${habitId}/checkin`,
        post(alice, { date: today, status: "done", return: back }),
      );
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/app", back);
    }
  });

  await t.step("edit: prefilled and escaped; bad input kept; a valid edit saves and 303s to the habit", async () => {
    const form = await html(await app.request(`/habits/${habitId}/edit`, { headers: alice.session }), 200);
    assertStringIncludes(form, `value="${ESCAPED}&quot;alert(1)&quot;>"`);
    assertEquals(form.includes("<img"), false);
    assertMatch(form, /type="checkbox" name="days" value="3" checked/);
    assertMatch(form, /type="checkbox" name="days" value="2"\/?>/);

    const bad = await app.request(
      `/habits/${habitId}/edit`,
      post(alice, { name: "x".repeat(101), kind: "numeric", target: "abc", unit: "km", scheduleType: "weekdays" }),
    );
    const page = await html(bad, 400);
    assertStringIncludes(fieldError(page, "name") ?? "", "100 characters");
    assertStringIncludes(fieldError(page, "target") ?? "", "number");
    assertMatch(page, /Choose at least one weekday/);
    assertMatch(page, /name="unit" type="text" value="km"/);
    assertEquals((await getHabit(db, alice.id, habitId))!.name, PAYLOAD, "nothing was written");

    const ok = await app.request(
      `/habits/${habitId}/edit`,
      post(alice, { name: "Run", color: "#0000ff", kind: "numeric", target: "5", unit: "km", scheduleType: "daily" }),
    );
    assertEquals(ok.status, 303);
    assertEquals(ok.headers.get("location"), `/habits/${habitId}`);
    const habit = (await getHabit(db, alice.id, habitId))!;
    assertEquals([habit.name, habit.kind, habit.target, habit.unit, habit.schedule], [
      "Run",
      "numeric",
      5,
      "km",
      { type: "daily" },
    ]);
  });

  await t.step("archive, unarchive and reorder through the habit page's forms", async () => {
    for (const name of ["Second", "Third"]) {
      assertEquals((await app.request("/habits/new", post(alice, { name, scheduleType: "daily" }))).status, 303);
    }
    const [, , third] = await listHabits(db, alice.id);
    const up = await app.request(`/habits/${third.id}`, post(alice, { position: "0" }));
    assertEquals(up.status, 303);
    assertEquals(up.headers.get("location"), `/habits/${third.id}`);
    assertEquals((await listHabits(db, alice.id)).map((h) => h.name), ["Third", "Run", "Second"]);
    const [top, , bottom] = await listHabits(db, alice.id);
    const topPage = await html(await app.request(`/habits/${top.id}`, { headers: alice.session }), 200);
    const bottomPage = await html(await app.request(`/habits/${bottom.id}`, { headers: alice.session }), 200);
    assertEquals([topPage.includes(">Move up<"), topPage.includes(">Move down<")], [false, true]);
    assertEquals([bottomPage.includes(">Move up<"), bottomPage.includes(">Move down<")], [true, false]);

    assertEquals((await app.request(`/habits/${habitId}`, post(alice, { archived: "true" }))).status, 303);
    assertEquals((await listHabits(db, alice.id)).map((h) => h.name), ["Third", "Second"]);
    const archived = await html(await app.request("/habits/archived", { headers: alice.session }), 200);
    assertStringIncludes(archived, `href="/habits/${habitId}"`);
    const page = await html(await app.request(`/habits/${habitId}`, { headers: alice.session }), 200);
    assertStringIncludes(page, "Archived</span>");
    assertStringIncludes(page, ">Unarchive</button>");
    assertEquals((await app.request(`/habits/${habitId}`, post(alice, { archived: "false" }))).status, 303);
    assertEquals((await listHabits(db, alice.id)).map((h) => h.name), ["Third", "Second", "Run"]);

    const bad = await app.request(`/habits/${habitId}`, post(alice, { position: "-1" }));
    await html(bad, 400);
  });

  await t.step("the plan's limit: the form comes back with the message and a way out", async () => {
    const bob = await createTestUser(services);
    for (let i = 0; i < 10; i++) {
      assertEquals((await app.request("/habits/new", post(bob, { name: `Habit ${i}` }))).status, 303);
    }
    const page = await html(await app.request("/habits/new", post(bob, { name: "One too many" })), 402);
    assertStringIncludes(page, "allows 10 active habits");
    assertStringIncludes(page, 'href="/upgrade"');
    assertMatch(page, /name="name" type="text" value="One too many"/);
    assertEquals((await listHabits(db, bob.id)).length, 10);

    // Unarchiving counts too: the habit page comes back with the message.
    const [first] = await listHabits(db, bob.id);
    assertEquals((await app.request(`/habits/${first.id}`, post(bob, { archived: "true" }))).status, 303);
    assertEquals((await app.request("/habits/new", post(bob, { name: "Replacement" }))).status, 303);
    const refused = await html(await app.request(`/habits/${first.id}`, post(bob, { archived: "false" })), 402);
    assertStringIncludes(refused, "allows 10 active habits");
    assertStringIncludes(refused, ">Unarchive</button>");
    assert((await getHabit(db, bob.id, first.id))!.archived);
  });

  await t.step("another user's habit, or a malformed id: 404 on every page and form, nothing changes", async () => {
    const theirs = (await listHabits(db, alice.id))[0];
    for (const id of [theirs.id, "not-a-uuid", crypto.randomUUID()]) {
      for (const path of [`/habits/${id}`, `/habits/${id}/edit`, `/habits/${id}/delete`, `/habits/${id}/checkin`]) {
        const res = await app.request(path, { headers: mallory.session });
        await html(res, 404);
      }
      const posts: [string, Record<string, string>][] = [
        [`/habits/${id}`, { archived: "true" }],
        [`/habits/${id}`, { position: "0" }],
        [`/habits/${id}/edit`, { name: "Mine now", scheduleType: "daily" }],
        [`/habits/${id}/edit`, { name: "" }], // invalid input must not reveal the habit either
        [`/habits/${id}/delete`, {}],
        [`/habits/${id}/checkin`, { date: today, status: "done", note: "mallory" }],
        [`/habits/${id}/checkin`, { date: "nope", status: "done" }],
      ];
      for (const [path, fields] of posts) {
        const res = await app.request(path, post(mallory, fields));
        await html(res, 404);
      }
    }
    const after = (await getHabit(db, alice.id, theirs.id))!;
    assertEquals([after.name, after.archived, after.position], [theirs.name, theirs.archived, theirs.position]);
    assert((await listCheckins(db, alice.id, theirs.id, today, today)).every((c) => c.note !== "mallory"));
  });

  await t.step("delete: GET asks, POST deletes and 303s to the dashboard", async () => {
    const page = await html(await app.request(`/habits/${habitId}/delete`, { headers: alice.session }), 200);
    assertStringIncludes(page, "Delete “Run”?");
    assertMatch(page, new RegExp(`<form method="post" action="/habits/${habitId}/delete">`));
    assert(await getHabit(db, alice.id, habitId), "GET deletes nothing");
    const res = await app.request(`/habits/${habitId}/delete`, post(alice, {}));
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/app");
    assertEquals(await getHabit(db, alice.id, habitId), null);
    await html(await app.request(`/habits/${habitId}`, { headers: alice.session }), 404);
  });

  await t.step("a form post from another origin is refused", async () => {
    const res = await app.request(
      "/habits/new",
      post({ ...alice, session: { ...alice.session, Origin: "https://evil.example" } }, { name: "CSRF" }),
    );
    assertEquals(res.status, 403);
    assertEquals((await listHabits(db, alice.id)).some((h) => h.name === "CSRF"), false);
  });
});
