/**
 * Tags on the pages with JavaScript off: the habit form edits them as one text field
 * (errors next to it, input kept), and the dashboard filters by a tag and groups the day's
 * habits by tag with plain links whose URL says the view; tag names are escaped.
 */
import { assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { startTestApp } from "../../support/app.ts";
import { createTestUser } from "../../support/users.ts";
import { call, json } from "../../support/api.ts";
import { getHabit, listHabits } from "@/db/habits.ts";
import { fieldError, html } from "../../support/pages.ts";

function form(session: Record<string, string>, fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { ...session, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields),
  };
}

Deno.test("tags on the habit form and the dashboard", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);

  await t.step("the form creates and edits tags as one comma-separated field", async () => {
    const res = await app.request(
      "/habits/new",
      form(alice.session, { name: "Run", kind: "boolean", scheduleType: "daily", tags: "Health, <b>am</b>, health" }),
    );
    assertEquals(res.status, 303);
    const id = (await listHabits(services.db, alice.id)).find((h) => h.name === "Run")!.id;
    assertEquals((await getHabit(services.db, alice.id, id))!.tags, ["Health", "<b>am</b>"]);
    const edit = await html(await app.request(`/habits/${id}/edit`, { headers: alice.session }), 200);
    assertStringIncludes(edit, 'value="Health, &lt;b>am&lt;/b>"');
    const bad = await html(
      await app.request(`/habits/${id}/edit`, form(alice.session, { name: "Run", tags: "x".repeat(31) })),
      400,
    );
    assertStringIncludes(fieldError(bad, "tags") ?? "", "30 characters");
    assertStringIncludes(bad, `value="${"x".repeat(31)}"`);
    const cleared = await app.request(`/habits/${id}/edit`, form(alice.session, { name: "Run", tags: "" }));
    assertEquals(cleared.status, 303);
    assertEquals((await getHabit(services.db, alice.id, id))!.tags, []);
    await json(await call(app, alice.bearer, "PUT", `/api/habits/${id}`, { tags: ["Health", "<b>am</b>"] }), 200);
  });

  await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Read", tags: ["Mind"] }), 201);
  await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Floss" }), 201);

  await t.step("the dashboard: a tag bar of links, a filter by tag, grouping by tag", async () => {
    const all = await html(await app.request("/app", { headers: alice.session }), 200);
    assertStringIncludes(all, '<nav class="tag-filter" aria-label="Filter by tag">');
    assertStringIncludes(all, 'href="/app?tag=Health"');
    assertStringIncludes(all, "&lt;b>am&lt;/b>");
    assertEquals(all.includes("<b>am</b>"), false);
    for (const name of ["Run", "Read", "Floss"]) assertStringIncludes(all, `>${name}<`);

    const health = await html(await app.request("/app?tag=health", { headers: alice.session }), 200);
    assertStringIncludes(health, "Today: tagged “health”");
    assertStringIncludes(health, ">Run<");
    assertEquals(health.includes(">Read<") || health.includes(">Floss<"), false);
    assertStringIncludes(health, '<a href="/app?tag=Health" aria-current="page">');

    const grouped = await html(await app.request("/app?group=tag", { headers: alice.session }), 200);
    const headings = [...grouped.matchAll(/<h3 class="habit-group-heading">([^<]*)<\/h3>/g)].map((m) => m[1]);
    assertEquals(headings, ["Health", "Mind", "No tag"]);
    assertStringIncludes(grouped, 'href="/app?tag=Mind&amp;group=tag"');
    assertStringIncludes(grouped, `href="/app">Don't group</a>`.replace("'", "&#39;").replace("&#39;", "'"));

    const none = await html(await app.request("/app?tag=nothing", { headers: alice.session }), 200);
    assertStringIncludes(none, "No active habit has this tag.");
  });
});
