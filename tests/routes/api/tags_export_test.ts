/**
 * Tags survive export → import: the JSON export carries each habit's tags, the CSV export
 * gains a `tags` column (a JSON list), and importing the JSON into another account gives the
 * same tags; a document with bad tags is refused with its place named, nothing written.
 */
import { unzipSync } from "fflate";
import { assertEquals, assertStringIncludes } from "../../support/assert.ts";
import { startTestApp } from "../../support/app.ts";
import { createTestUser } from "../../support/users.ts";
import { call, json } from "../../support/api.ts";

Deno.test("tags in export and import", async () => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);
  await json(
    await call(app, alice.bearer, "POST", "/api/habits", { name: "Run", tags: ["Health", "=cmd", "Ärger"] }),
    201,
  );
  await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Read" }), 201);

  const doc = await json(await call(app, alice.bearer, "GET", "/api/export?format=json"), 200);
  assertEquals(doc.habits.map((h: { tags: string[] }) => h.tags), [["Health", "=cmd", "Ärger"], []]);

  const res = await app.request("/api/export?format=csv", { headers: alice.bearer });
  assertEquals(res.status, 200);
  const habitsCsv = new TextDecoder().decode(unzipSync(new Uint8Array(await res.arrayBuffer()))["habits.csv"]);
  // tags, then direction (sql/016's column, appended after it).
  assertEquals(habitsCsv.split("\r\n")[0].split(",").slice(-2), ["tags", "direction"]);
  assertStringIncludes(habitsCsv, `,"[""Health"",""=cmd"",""Ärger""]",at_least\r\n`);
  assertStringIncludes(habitsCsv, `,[],at_least\r\n`);

  await json(await call(app, bob.bearer, "POST", "/api/import", doc), 201);
  const { habits } = await json(await call(app, bob.bearer, "GET", "/api/habits"), 200);
  assertEquals(habits.map((h: { name: string; tags: string[] }) => [h.name, h.tags]), [
    ["Run", ["Health", "=cmd", "Ärger"]],
    ["Read", []],
  ]);
  assertEquals(await json(await call(app, bob.bearer, "GET", "/api/tags"), 200), {
    tags: [{ name: "=cmd", count: 1 }, { name: "Ärger", count: 1 }, { name: "Health", count: 1 }]
      .sort((a, b) => a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1),
  });

  // An export without tags (made before them) imports with none; bad tags are refused by place.
  const carol = await createTestUser(services);
  const old = { ...doc, habits: doc.habits.map(({ tags: _, ...h }: Record<string, unknown>) => h) };
  await json(await call(app, carol.bearer, "POST", "/api/import", old), 201);
  const carols = await json(await call(app, carol.bearer, "GET", "/api/habits"), 200);
  assertEquals(carols.habits.map((h: { tags: string[] }) => h.tags), [[], []]);
  const dave = await createTestUser(services);
  const bad = { ...doc, habits: [{ ...doc.habits[0], tags: ["a", "A"] }] };
  const refused = await json(await call(app, dave.bearer, "POST", "/api/import", bad), 400);
  assertStringIncludes(JSON.stringify(refused.error), "habits[0]");
  assertEquals((await json(await call(app, dave.bearer, "GET", "/api/habits"), 200)).habits, []);
});
