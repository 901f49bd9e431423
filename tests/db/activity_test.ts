/**
 * db/activity.ts: keyset pagination over (created_at, id) newest first — correct when
 * many rows share one timestamp (one transaction writes them all at the same now()) —
 * opaque cursors that refuse garbage, and a query plan that walks
 * `activity_user_created_idx` instead of sorting the table.
 */
import { decodeCursor, encodeCursor, listActivity } from "@/db/activity.ts";
import type { Db } from "@/db/client.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

async function newUser(db: Db): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values (${`act-${crypto.randomUUID()}@example.test`}, 'test-only')
    returning id::text as id`;
  return row.id;
}

Deno.test("activity history", async (t) => {
  await using testDb = await openTestDb();
  const { db } = testDb;
  const alice = await newUser(db);
  const bob = await newUser(db);

  // 7 rows at one instant (one transaction), then 5 rows a microsecond apart each, older.
  await db.sql`
    insert into activity (user_id, action, object_type, object_id, created_at)
    select ${alice}::uuid, 'test.older', 'test', n::text, '2026-01-01 00:00:00.000001+00'::timestamptz + n * interval '1 microsecond'
      from generate_series(1, 5) n`;
  await db.tx(async (sql) => {
    for (let n = 1; n <= 7; n++) await sql`select log_activity(${alice}::uuid, 'test.same', 'test', ${String(n)})`;
  });
  await db.sql`select log_activity(${bob}::uuid, 'test.bob', 'test', null)`;

  await t.step("pages of 3 walk every row once, newest first, ties by id descending", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listActivity>> = await listActivity(db, alice, { cursor, limit: 3 });
      assert(page.items.length <= 3);
      seen.push(...page.items.map((item) => `${item.action}:${item.objectId}`));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assertEquals(pages, 4);
    assertEquals(seen, [
      ...[7, 6, 5, 4, 3, 2, 1].map((n) => `test.same:${n}`),
      ...[5, 4, 3, 2, 1].map((n) => `test.older:${n}`),
    ]);
  });

  await t.step("the last page has nextCursor null; an exact fit does not promise a page more", async () => {
    const all = await listActivity(db, alice, { limit: 12 });
    assertEquals(all.items.length, 12);
    assertEquals(all.nextCursor, null);
    const first = await listActivity(db, alice, { limit: 11 });
    assert(first.nextCursor);
    const rest = await listActivity(db, alice, { cursor: first.nextCursor, limit: 11 });
    assertEquals(rest.items.map((i) => i.objectId), ["1"]);
    assertEquals(rest.nextCursor, null);
  });

  await t.step("a user sees only their own rows; items have the API shape", async () => {
    const page = await listActivity(db, bob);
    assertEquals(page.items.length, 1);
    const [item] = page.items;
    assertEquals({ ...item, id: "", createdAt: null }, {
      id: "",
      action: "test.bob",
      objectType: "test",
      objectId: null,
      details: {},
      createdAt: null,
    });
    assert(item.createdAt instanceof Date);
  });

  await t.step("cursors round-trip and refuse anything else", async () => {
    const key = { createdAt: "2026-01-01 00:00:00.000003+00", id: 42 };
    assertEquals(decodeCursor(encodeCursor(key)), key);
    for (const bad of ["", "garbage", "%%%", btoa("2026-01-01|x"), btoa("x|1"), btoa("2026-01-01 00:00:00+00|1|2")]) {
      assertEquals(decodeCursor(bad), null, bad);
    }
    await assertRejects(() => listActivity(db, alice, { cursor: "garbage" }), "invalid activity cursor");
  });

  await t.step("the page query walks activity_user_created_idx (no sort, no sequential scan)", async () => {
    const cursor = (await listActivity(db, alice, { limit: 1 })).nextCursor!;
    const key = decodeCursor(cursor)!;
    // A dozen rows would be read fastest by a scan (or a bitmap scan and a sort); forbid those for this transaction so the
    // plan shows the one the index is there for (on a big table the planner picks it anyway).
    const plans = await db.tx(async (sql) => {
      await sql`set local enable_seqscan = off`;
      await sql`set local enable_bitmapscan = off`;
      const first = await sql<{ "QUERY PLAN": string }[]>`
        explain select id from activity where user_id = ${alice}::uuid
         order by created_at desc, id desc limit 51`;
      const next = await sql<{ "QUERY PLAN": string }[]>`
        explain select id from activity where user_id = ${alice}::uuid
           and (created_at, id) < (${key.createdAt}::timestamptz, ${key.id}::bigint)
         order by created_at desc, id desc limit 51`;
      return [first, next].map((rows) => rows.map((row) => row["QUERY PLAN"]).join("\n"));
    });
    for (const plan of plans) {
      assertStringIncludes(plan, "activity_user_created_idx");
      assert(!/\bSort\b/.test(plan), plan);
    }
  });
});
