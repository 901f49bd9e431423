/**
 * Tags: the domain's rule (tagsSchema) and the table's check (habit_tags_are_valid in
 * sql/013) agree on every case, and the helpers that filter, count and group by tag.
 */
import { assertEquals } from "../support/assert.ts";
import { startTestApp } from "../support/app.ts";
import { groupByTag, hasTag, tagCounts, tagsFromText, tagsSchema } from "@/domain/tags.ts";
import { TAG_LENGTH_MAX, TAGS_MAX } from "@/domain/limits.ts";

/** Cases already trimmed (the schema trims; the table refuses untrimmed tags, tested apart). */
const CASES: [string, string[], boolean][] = [
  ["none", [], true],
  ["one", ["health"], true],
  ["the most", Array.from({ length: TAGS_MAX }, (_, i) => `t${i}`), true],
  ["one too many", Array.from({ length: TAGS_MAX + 1 }, (_, i) => `t${i}`), false],
  ["longest", ["x".repeat(TAG_LENGTH_MAX)], true],
  ["too long", ["x".repeat(TAG_LENGTH_MAX + 1)], false],
  ["emoji count as one", ["🏃".repeat(TAG_LENGTH_MAX)], true],
  ["empty", [""], false],
  ["same ignoring case", ["Health", "health"], false],
  ["same ignoring case, not ASCII", ["Ärger", "ärger"], false],
  ["line break", ["a\nb"], false],
  ["C1 control", ["a\u0085b"], false],
  ["comma", ["a,b"], false],
];

Deno.test("tags: the domain rule and the SQL check agree", async () => {
  await using test = await startTestApp();
  const { db } = test.services;
  for (const [what, tags, valid] of CASES) {
    assertEquals(tagsSchema.safeParse(tags).success, valid, `schema: ${what}`);
    const [{ ok }] = await db.sql<{ ok: boolean }[]>`select habit_tags_are_valid(${tags}::text[]) as ok`;
    assertEquals(ok, valid, `sql: ${what}`);
  }
  const [{ untrimmed }] = await db.sql<{ untrimmed: boolean }[]>`
    select habit_tags_are_valid(array[' padded']) as untrimmed`;
  assertEquals(untrimmed, false);
  assertEquals(tagsSchema.parse([" padded "]), ["padded"]);
});

Deno.test("tags: form text, filter, counts and groups (by first tag) ignore case and keep the first spelling", () => {
  assertEquals(tagsFromText(" Health, morning,,health , "), ["Health", "morning"]);
  assertEquals(tagsFromText(""), []);
  const habits = [
    { id: "a", tags: ["Health", "Morning"] },
    { id: "b", tags: ["health"] },
    { id: "c", tags: [] },
    { id: "d", tags: ["Work"] },
  ];
  assertEquals(hasTag(habits[1], "HEALTH"), true);
  assertEquals(tagCounts(habits), [
    { name: "Health", count: 2 },
    { name: "Morning", count: 1 },
    { name: "Work", count: 1 },
  ]);
  assertEquals(
    groupByTag(habits).map((g) => [g.tag, g.habits.map((h) => h.id)]),
    [["Health", ["a", "b"]], ["Work", ["d"]], [null, ["c"]]],
  );
});
