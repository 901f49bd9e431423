/**
 * Tags over the API: set on create and update (one transaction with the habit), listed
 * with counts by GET /api/tags, filtered by GET /api/habits?tag= (cached per filter), and
 * refused with every problem named (400, nothing written); other users' tags never show.
 */
import { assertEquals } from "../../support/assert.ts";
import { startTestApp } from "../../support/app.ts";
import { createTestUser } from "../../support/users.ts";
import { call, json } from "../../support/api.ts";

Deno.test("tags over the API", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);
  const post = async (user: typeof alice, body: unknown) =>
    (await json(await call(app, user.bearer, "POST", "/api/habits", body), 201)).habit;

  const run = await post(alice, { name: "Run", tags: [" Health ", "Morning"] });
  const read = await post(alice, { name: "Read", tags: ["health"] });
  const work = await post(alice, { name: "Email zero" });
  await post(bob, { name: "Bob's", tags: ["Secret"] });

  await t.step("create keeps the tags as given, trimmed", () => {
    assertEquals(run.tags, ["Health", "Morning"]);
    assertEquals(work.tags, []);
  });

  await t.step("GET /api/tags counts the user's habits per tag, ignoring case", async () => {
    const body = await json(await call(app, alice.bearer, "GET", "/api/tags"), 200);
    assertEquals(body, { tags: [{ name: "Health", count: 2 }, { name: "Morning", count: 1 }] });
    const bobs = await json(await call(app, bob.bearer, "GET", "/api/tags"), 200);
    assertEquals(bobs, { tags: [{ name: "Secret", count: 1 }] });
  });

  await t.step("GET /api/habits?tag= filters ignoring case; each filter is its own cached read", async () => {
    const names = async (query: string) =>
      (await json(await call(app, alice.bearer, "GET", `/api/habits${query}`), 200)).habits.map(
        (h: { name: string }) => h.name,
      );
    assertEquals(await names(""), ["Run", "Read", "Email zero"]);
    assertEquals(await names("?tag=HEALTH"), ["Run", "Read"]);
    assertEquals(await names("?tag=morning"), ["Run"]);
    assertEquals(await names("?tag=nothing"), []);
    // A second read is a cache hit, still filtered.
    const again = await call(app, alice.bearer, "GET", "/api/habits?tag=morning");
    assertEquals(again.headers.get("x-cache"), "HIT");
    assertEquals((await json(again, 200)).habits.length, 1);
    const bad = await json(await call(app, alice.bearer, "GET", `/api/habits?tag=${"x".repeat(31)}`), 400);
    assertEquals(bad.error.code, "validation_failed");
  });

  await t.step("PUT replaces the tags; a tags-only change leaves the rest; the cached filter follows", async () => {
    const { habit } = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${work.id}`, { tags: ["Work"] }),
      200,
    );
    assertEquals([habit.name, habit.tags], ["Email zero", ["Work"]]);
    const filtered = await json(await call(app, alice.bearer, "GET", "/api/habits?tag=work"), 200);
    assertEquals(filtered.habits.map((h: { id: string }) => h.id), [work.id]);
    const both = await json(
      await call(app, alice.bearer, "PUT", `/api/habits/${run.id}`, { name: "Run far", tags: [] }),
      200,
    );
    assertEquals([both.habit.name, both.habit.tags], ["Run far", []]);
    const morning = await json(await call(app, alice.bearer, "GET", "/api/habits?tag=morning"), 200);
    assertEquals(morning.habits, []);
  });

  await t.step("bad tags: 400 naming the problem, nothing written", async () => {
    const cases: [unknown, string][] = [
      [Array.from({ length: 11 }, (_, i) => `t${i}`), "10 tags at most"],
      [["x".repeat(31)], "30 characters"],
      [["a", "A"], "Each tag once"],
      [["a,b"], "comma"],
      ["health", "list"],
      [[1], "text"],
    ];
    for (const [tags, words] of cases) {
      const body = await json(
        await call(app, alice.bearer, "PUT", `/api/habits/${read.id}`, { name: "Renamed", tags }),
        400,
      );
      assertEquals(body.error.code, "validation_failed");
      const messages = Object.entries(body.error.details.fields as Record<string, string>)
        .filter(([field]) => field.startsWith("tags")).map(([, message]) => message).join(" ");
      assertEquals(messages.includes(words), true, `${words}: ${messages}`);
    }
    const { habit } = await json(await call(app, alice.bearer, "GET", `/api/habits/${read.id}`), 200);
    assertEquals([habit.name, habit.tags], ["Read", ["health"]]);
    await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "x", tags: ["a", "a"] }), 400);
    const names = (await json(await call(app, alice.bearer, "GET", "/api/habits"), 200)).habits.map((
      h: { name: string },
    ) => h.name);
    assertEquals(names.includes("x"), false);
  });

  await t.step("another user's habit: 404, its tags untouched", async () => {
    await json(await call(app, bob.bearer, "PUT", `/api/habits/${read.id}`, { tags: ["mine"] }), 404);
    const { habit } = await json(await call(app, alice.bearer, "GET", `/api/habits/${read.id}`), 200);
    assertEquals(habit.tags, ["health"]);
  });
});
