/**
 * GET /api/activity and the /activity page: status, content type, body; cursor
 * pagination through the API, limits validated, every mutation shows up, another user's
 * history never does, and the page groups by day with an "Older" link (no JavaScript).
 */
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

async function json(res: Response, status: number) {
  const text = await res.text();
  assertEquals(res.status, status, text);
  assertEquals(res.headers.get("content-type"), "application/json");
  return JSON.parse(text);
}

Deno.test("/api/activity and /activity", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);

  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { ...alice.bearer, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const { habit } = await json(await post("/api/habits", { name: "Read <b>" }), 201);
  const today = new Date().toISOString().slice(0, 10);
  await json(await post(`/api/habits/${habit.id}/checkins`, { date: today, status: "done" }), 200);
  for (let i = 0; i < 3; i++) await json(await post("/api/habits", { name: `Habit ${i}` }), 201);

  await t.step("no credentials → 401", async () => {
    assertEquals((await json(await app.request("/api/activity"), 401)).error.code, "unauthorized");
  });

  await t.step("newest first; every mutation is there once; cursor pages to the end", async () => {
    const first = await json(await app.request("/api/activity?limit=2", { headers: alice.bearer }), 200);
    assertEquals(first.items.map((i: { action: string }) => i.action), ["habit.created", "habit.created"]);
    assertEquals(Object.keys(first.items[0]).sort(), [
      "action",
      "createdAt",
      "details",
      "id",
      "objectId",
      "objectType",
    ]);
    assert(typeof first.nextCursor === "string");
    const rest = await json(
      await app.request(`/api/activity?limit=100&cursor=${first.nextCursor}`, { headers: alice.bearer }),
      200,
    );
    assertEquals(rest.nextCursor, null);
    assertEquals(rest.items.map((i: { action: string }) => i.action), [
      "habit.created",
      "checkin.saved",
      "habit.created",
    ]);
    assertEquals(rest.items[1].details.name, "Read <b>");
  });

  await t.step("default limit 50; bad limit and cursor → 400 naming each field", async () => {
    const all = await json(await app.request("/api/activity", { headers: alice.bearer }), 200);
    assertEquals(all.items.length, 5);
    const body = await json(await app.request("/api/activity?limit=0&cursor=nope", { headers: alice.bearer }), 400);
    assertEquals(body.error.code, "validation_failed");
    assertEquals(Object.keys(body.error.details.fields).sort(), ["cursor", "limit"]);
    for (const limit of ["101", "x", "1.5"]) {
      await json(await app.request(`/api/activity?limit=${limit}`, { headers: alice.bearer }), 400);
    }
  });

  await t.step("another user's history never appears", async () => {
    const body = await json(await app.request("/api/activity", { headers: bob.bearer }), 200);
    assertEquals(body, { items: [], nextCursor: null });
  });

  await t.step("/activity lists sentences grouped by day, escaped, with an Older link", async () => {
    const res = await app.request("/activity?limit=4", { headers: alice.session });
    assertEquals(res.status, 200);
    assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
    const html = await res.text();
    assertStringIncludes(html, "Checked in Read &lt;b> on ");
    assertStringIncludes(html, "Created the habit Habit 2");
    const older = /href="\/activity\?cursor=([^"]+)"/.exec(html);
    assert(older, "an Older link");
    const next = await app.request(`/activity?cursor=${older[1]}`, { headers: alice.session });
    const nextHtml = await next.text();
    assertEquals(next.status, 200);
    assertStringIncludes(nextHtml, "Created the habit Read &lt;b>");
    assert(!nextHtml.includes(">Older<"));
  });

  await t.step("/activity signed out → redirect to log in", async () => {
    const res = await app.request("/activity");
    assertEquals(res.status, 303);
    assertStringIncludes(res.headers.get("location") ?? "", "/login?next=");
  });
});
