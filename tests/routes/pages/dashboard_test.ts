/**
 * The dashboard (/app) with JavaScript off: today's habits with their check-in forms,
 * the overall grid, streaks, the user's own "today", escaping, and what JavaScript the
 * page ships (≤ 15 KB gzip in total).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser, type TestUser } from "@/tests/support/users.ts";
import { gzipSize } from "@/tests/support/pages.ts";
import { createHabit } from "@/db/habits.ts";
import { upsertCheckin } from "@/db/checkins.ts";
import { addDays, isoWeekday, localDay, type Weekday } from "@/domain/calendar.ts";

const PAYLOAD = `<img src=x onerror="alert(1)">`;
const ROOT = new URL("../../../", import.meta.url);
/** The budget for all the JavaScript the dashboard loads. */
const JS_BUDGET_GZIP = 15 * 1024;

function post(user: TestUser, fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { ...user.session, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  };
}

async function dashboard(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  user: TestUser,
) {
  const res = await app.request("/app", { headers: user.session });
  const text = await res.text();
  assertEquals(res.status, 200, text.slice(0, 500));
  assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
  return text;
}

/** The `<li class="habit-row">` of each habit in the "Today" list, by habit id, in order. */
function todayRows(page: string): { id: string; html: string }[] {
  const today = /<section class="card today"[^]*?<\/section>/.exec(page)?.[0] ?? "";
  return [...today.matchAll(/<li class="habit-row" id="habit-[^"]+">[^]*?<\/li>/g)].map((m) => ({
    id: /href="\/habits\/([^"/]+)"/.exec(m[0])![1],
    html: m[0],
  }));
}

Deno.test("dashboard", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;

  await t.step("signed out: redirected to the log-in page", async () => {
    const res = await app.request("/app");
    assertEquals(res.status, 303);
    assertEquals(res.headers.get("location"), "/login?next=%2Fapp");
  });

  await t.step("a new user gets the empty state and no JavaScript", async () => {
    const newcomer = await createTestUser(services);
    const page = await dashboard(app, newcomer);
    assertStringIncludes(page, "Start with one habit");
    assertMatch(page, /<a class="button button-primary" href="\/habits\/new">Create your first habit<\/a>/);
    assertEquals(/<script|modulepreload/.test(page), false);
  });

  const alice = await createTestUser(services, { plan: "pro" });
  const today = localDay("UTC");
  const weekday = isoWeekday(today);
  const otherDay = (weekday % 7 + 1) as Weekday;
  const start = addDays(today, -10);
  const read = await createHabit(db, alice.id, { name: "Read", kind: "numeric", target: 20, unit: "pages" }, start);
  const meditate = await createHabit(db, alice.id, { name: PAYLOAD }, start);
  const gym = await createHabit(db, alice.id, { name: "Gym", schedule: { type: "weekdays", days: [otherDay] } }, start);
  const weekly = await createHabit(db, alice.id, { name: "Call home", schedule: { type: "weekly", times: 1 } }, start);
  for (let i = 1; i <= 3; i++) {
    await upsertCheckin(db, alice.id, meditate.id, { date: addDays(today, -i), status: "done", note: PAYLOAD }, today);
  }
  await upsertCheckin(db, alice.id, read.id, { date: today, status: "done", value: 12 }, today);

  await t.step(
    "today's habits in the user's order, each with a check-in form that works without JavaScript",
    async () => {
      const page = await dashboard(app, alice);
      const rows = todayRows(page);
      assertEquals(rows.map((r) => r.id), [read.id, meditate.id, weekly.id], "scheduled today, in position order");
      for (const row of rows) {
        assertMatch(row.html, new RegExp(`<form method="post" action="/habits/${row.id}/checkin"`));
        assertStringIncludes(row.html, `<input type="hidden" name="date" value="${today}"/>`);
        // Without JavaScript the post comes back to this row, not to the top of the page.
        assertStringIncludes(row.html, `<li class="habit-row" id="habit-${row.id}">`);
        assertStringIncludes(row.html, `<input type="hidden" name="return" value="/app#habit-${row.id}"/>`);
      }
      // Numeric: an amount box holding today's value, not yet complete (12 of 20).
      assertMatch(rows[0].html, /name="value" type="number"[^>]*value="12"/);
      assertStringIncludes(rows[0].html, 'aria-pressed="false"');
      // Three days in a row, today still open.
      assertStringIncludes(rows[1].html, "3 days streak");
      assertStringIncludes(rows[1].html, '<input type="hidden" name="status" value="done"/>');
      // Not scheduled today: listed apart.
      assertMatch(page, new RegExp(`Not today:[^]*href="/habits/${gym.id}">Gym</a>`));
    },
  );

  await t.step("the overall grid, its summary and the streaks table", async () => {
    const page = await dashboard(app, alice);
    assertMatch(page, /<div class="cg-scroll" tabindex="0" role="img" aria-labelledby="overall-grid-summary">/);
    // The summary is an island (it follows today's check-ins): its text sits in the island's markers.
    assertMatch(
      page,
      /id="overall-grid-summary"><!--frsh:island:\d+--><span>All habits: every scheduled habit done on \d+ days? of the last 365/,
    );
    const yesterday = /<span class="[^"]*" title="([^"]*)"><\/span>/g;
    const titles = [...page.matchAll(yesterday)].map((m) => m[1]);
    // Yesterday: Meditate done; Read missed; Gym may be due; the weekly habit not due.
    assert(titles.some((title) => /: 1 of [23] habits done$/.test(title)), titles.slice(-3).join("\n"));
    assertMatch(page, /<table class="streaks">/);
    for (const habit of [read, meditate, gym, weekly]) assertStringIncludes(page, `href="/habits/${habit.id}"`);
  });

  await t.step("what users typed is escaped in the list, the table, the island props and the grid", async () => {
    const page = await dashboard(app, alice);
    assertEquals(page.includes("<img"), false);
    assertStringIncludes(page, "&lt;img src=x onerror=&quot;alert(1)&quot;>");
    // The island's props travel as JSON inside a <script>: no raw "<" may close it.
    const props = /<script type="application\/json" id="__FRSH_ISLANDS">([^]*?)<\/script>/.exec(page)![1];
    assertEquals(props.includes("<"), false);
    assertStringIncludes(
      JSON.parse(props).islands.map((i: { props: unknown }) => JSON.stringify(i.props)).join(),
      "img src=x",
    );
  });

  await t.step("tapping the toggle without JavaScript checks in and comes back; tapping again clears", async () => {
    const tap = (status: string) =>
      app.request(
        `/habits/${meditate.id}/checkin`,
        post(alice, { date: today, status, return: `/app#habit-${meditate.id}` }),
      );
    const done = await tap("done");
    assertEquals(done.status, 303);
    assertEquals(done.headers.get("location"), `/app#habit-${meditate.id}`);
    let row = todayRows(await dashboard(app, alice)).find((r) => r.id === meditate.id)!;
    assertStringIncludes(row.html, 'aria-pressed="true"');
    assertStringIncludes(row.html, '<input type="hidden" name="status" value="none"/>');
    assertStringIncludes(row.html, "4 days streak");
    assertEquals((await tap("none")).status, 303);
    row = todayRows(await dashboard(app, alice)).find((r) => r.id === meditate.id)!;
    assertStringIncludes(row.html, 'aria-pressed="false"');
  });

  await t.step("archived habits leave the dashboard", async () => {
    assertEquals((await app.request(`/habits/${gym.id}`, post(alice, { archived: "true" }))).status, 303);
    const page = await dashboard(app, alice);
    assertEquals(page.includes(`href="/habits/${gym.id}"`), false);
  });

  await t.step("the user's own today: UTC+14 and UTC-12 see their own date", async () => {
    for (const timezone of ["Pacific/Kiritimati", "Etc/GMT+12"]) {
      const user = await createTestUser(services, { timezone });
      const theirToday = localDay(timezone);
      const habit = await createHabit(db, user.id, { name: "Stretch" }, theirToday);
      const page = await dashboard(app, user);
      assertMatch(page, new RegExp(`<time datetime="${theirToday}">`), timezone);
      const [row] = todayRows(page);
      assertEquals(row.id, habit.id);
      assertStringIncludes(row.html, `name="date" value="${theirToday}"`);
      // Their today is a day they may check in for (the server agrees on "today").
      const res = await app.request(
        `/habits/${habit.id}/checkin`,
        post(user, { date: theirToday, status: "done", return: "/app" }),
      );
      assertEquals(res.status, 303, timezone);
      const again = todayRows(await dashboard(app, user))[0];
      assertStringIncludes(again.html, 'aria-pressed="true"');
    }
  });

  await t.step("all the JavaScript the dashboard loads is at most 15 KB gzip", async () => {
    const page = await dashboard(app, alice);
    const urls = new Set(
      [...page.matchAll(/<(?:link rel="modulepreload" href|script type="module"[^>]* src)="([^"]+)"/g)].map((m) =>
        m[1]
      ),
    );
    const assets = JSON.parse(await Deno.readTextFile(new URL("_fresh/assets.json", ROOT)));
    // What the boot and the islands import must all be among the preloads, or the sum below misses some.
    const islands = ["CheckinToggle", "StreakTable", "TodayCell", "YearSummary"].map((name) => `islands/${name}.tsx`);
    for (
      const url of [
        assets.boot,
        ...assets.preload[assets.boot],
        ...islands.flatMap((file) => [assets.islands[file], ...assets.preload[file]]),
      ]
    ) {
      assert(urls.has(url), `${url} is loaded but not preloaded`);
    }
    let total = 0;
    for (const url of urls) {
      assert(url.startsWith("/_fresh/js/"), url);
      total += await gzipSize(await Deno.readFile(new URL(`_fresh/js/${url.slice("/_fresh/js/".length)}`, ROOT)));
    }
    assert(total > 1_000, `${total} bytes: the measurement found no scripts`);
    assert(
      total <= JS_BUDGET_GZIP,
      `the dashboard loads ${total} bytes of gzipped JavaScript (budget ${JS_BUDGET_GZIP})`,
    );
  });
});
