/**
 * Import hardening (issue 8, item 1): the three reproductions each get a clear
 * 4xx quickly and write nothing; imports are limited to 5 per minute per user (API and
 * form share the budget, exact under concurrency); one import at a time per user; and a
 * failure after the first writes removes everything the import wrote.
 */
import { deflateSync, zipSync } from "fflate";
import { importUserData, rollbackImport } from "@/db/import.ts";
import { parseExportDocument } from "@/domain/import_document.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { call, json } from "@/tests/support/api.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { craftZip } from "@/tests/support/crafted_zip.ts";
import { type Doc, exportOf, upload, userCounts } from "@/tests/support/imports.ts";
import { html } from "@/tests/support/pages.ts";
import { createTestUser } from "@/tests/support/users.ts";

const encoder = new TextEncoder();
const EMPTY = { format: "consistencygrid-export", version: 1, habits: [] };
const today = new Date().toISOString().slice(0, 10);

Deno.test("import limits", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const importFile = (auth: Record<string, string>, bytes: Uint8Array, name: string) =>
    app.request("/api/import", { method: "POST", headers: auth, body: upload(bytes, name) });

  await t.step(
    "a 1,000,000-row Habits.csv in a few KiB → 400 naming the file and the cap, nothing written",
    async () => {
      const user = await createTestUser(services);
      const before = await userCounts(db, user.id);
      const zip = zipSync({ "Habits.csv": encoder.encode("Name\n" + "Read\n".repeat(1_000_000)) }, { level: 9 });
      assert(zip.length < 8 * 1024, `${zip.length} bytes`);
      const body = await json(await importFile(user.bearer, zip, "Loop Habits CSV.zip"), 400);
      assertEquals(body.error.code, "validation_failed");
      assertEquals(body.error.message, "Habits.csv: An import takes at most 2000 habits: split it, or remove some");
      assertEquals(body.error.details.fields.file, body.error.message);
      assertEquals(await userCounts(db, user.id), before);
    },
  );

  await t.step(
    "a zip listing one 100 MB entry 10 times → 413 naming the entry and the caps, nothing written",
    async () => {
      const user = await createTestUser(services);
      const before = await userCounts(db, user.id);
      const data = deflateSync(new Uint8Array(100_000_000));
      const bomb = craftZip(
        [{ name: "Habits.csv", data, size: 100_000_000 }],
        ([local]) =>
          Array.from({ length: 10 }, (_, i) => ({ name: i === 0 ? "Habits.csv" : `00${i} x/Checkmarks.csv`, local })),
      );
      assert(bomb.length < 110 * 1024, `${bomb.length} bytes`);
      const body = await json(await importFile(user.bearer, bomb, "bomb.zip"), 413);
      assertEquals(body.error.code, "payload_too_large");
      assertMatch(
        body.error.message,
        /^Habits\.csv: It inflates to 95\.4 MiB; an import takes files up to 10 MiB each/,
      );
      assertEquals(await userCounts(db, user.id), before);
      // The form answers with the page, the same status and the message by the field.
      const page = await html(
        await app.request("/export", { method: "POST", headers: user.session, body: upload(bomb, "bomb.zip") }),
        413,
      );
      assertStringIncludes(page, "It inflates to 95.4 MiB");
    },
  );

  await t.step(
    "10,000 archived habits on free → 400 (over the import's cap), 51 → 402 (the plan's archived cap)",
    async () => {
      const user = await createTestUser(services);
      const before = await userCounts(db, user.id);
      const loop = (n: number) =>
        zipSync({ "Habits.csv": encoder.encode("Name,Archived?\n" + "Old,true\n".repeat(n)) }, { level: 9 });
      assert(loop(10_000).length < 1024, `${loop(10_000).length} bytes`);
      const rows = await json(await importFile(user.bearer, loop(10_000), "loop.zip"), 400);
      assertEquals(rows.error.message, "Habits.csv: An import takes at most 2000 habits: split it, or remove some");
      const plan = await json(await importFile(user.bearer, loop(51), "loop.zip"), 402);
      assertEquals(plan.error.code, "plan_limit");
      assertMatch(plan.error.message, /This would add 51 archived habits to your 0; your free plan keeps 50\./);
      assertEquals(await userCounts(db, user.id), before);
      // 50 fit; then archiving one more through the API is refused the same way.
      await json(await importFile(user.bearer, loop(50), "loop.zip"), 201);
      const { habit } = await json(await call(app, user.bearer, "POST", "/api/habits", { name: "Now" }), 201);
      const refused = await json(
        await call(app, user.bearer, "PUT", `/api/habits/${habit.id}`, { archived: true }),
        402,
      );
      assertMatch(refused.error.message, /Your free plan keeps 50 archived habits\./);
      assertEquals(refused.error.details, { upgradeUrl: "/upgrade" });
    },
  );

  await t.step("5 imports per minute: the 6th → 429 with Retry-After; the form shares the budget", async () => {
    const user = await createTestUser(services);
    for (let i = 0; i < 5; i++) await json(await call(app, user.bearer, "POST", "/api/import", EMPTY), 201);
    const refused = await call(app, user.bearer, "POST", "/api/import", EMPTY);
    assertEquals((await json(refused, 429)).error.code, "rate_limited");
    assert(Number(refused.headers.get("retry-after")) >= 1);
    const form = await app.request("/export", {
      method: "POST",
      headers: user.session,
      body: upload(encoder.encode(JSON.stringify(EMPTY)), "empty.json"),
    });
    assertEquals(form.status, 429);
    await form.body?.cancel();
    // Another user's budget is their own.
    const other = await createTestUser(services);
    await json(await call(app, other.bearer, "POST", "/api/import", EMPTY), 201);
  });

  await t.step(
    "20 concurrent imports of one user: exactly 5 get past the limit (201, or 409 while one runs)",
    async () => {
      const user = await createTestUser(services);
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const res = await call(app, user.bearer, "POST", "/api/import", EMPTY);
          await res.body?.cancel();
          return res.status;
        }),
      );
      assertEquals(statuses.filter((s) => s === 429).length, 15, statuses.join(" "));
      assert(statuses.every((s) => s === 429 || s === 201 || s === 409), statuses.join(" "));
      assert(statuses.includes(201));
    },
  );

  await t.step(
    "one import at a time: 409 while another runs; a dead one (over 10 min) is rolled back first",
    async () => {
      const user = await createTestUser(services);
      const [running] = await db.sql<{ id: string }[]>`
      insert into imports (user_id, source) values (${user.id}, 'json') returning id::text`;
      const busy = await json(await call(app, user.bearer, "POST", "/api/import", EMPTY), 409);
      assertEquals(busy.error.code, "conflict");
      assertMatch(busy.error.message, /Another import into your account is still running/);
      // The process behind it died 11 minutes ago, leaving a habit with check-ins.
      const [habit] = await db.sql<{ id: string }[]>`
      insert into habits (user_id, name, color, start_date, import_id)
      values (${user.id}, 'Half imported', '#16a34a', ${today}, ${running.id}) returning id::text`;
      await db.sql`
      insert into checkins (habit_id, user_id, day, status, import_id)
      values (${habit.id}, ${user.id}, ${today}, 'done', ${running.id})`;
      await db.sql`update imports set started_at = now() - interval '11 minutes' where id = ${running.id}`;
      await json(await call(app, user.bearer, "POST", "/api/import", EMPTY), 201);
      const [gone] = await db.sql`select count(*)::int as n from habits where user_id = ${user.id}`;
      assertEquals(gone.n, 0);
      const rows = await db.sql`select status from imports where user_id = ${user.id} order by started_at`;
      assertEquals(rows.map((r) => r.status), ["failed", "done"]);
    },
  );

  await t.step("the scheduler's sweep rolls back a dead import without waiting for the user's next one", async () => {
    const user = await createTestUser(services);
    const [dead] = await db.sql<{ id: string }[]>`
      insert into imports (user_id, source, started_at) values (${user.id}, 'loop', now() - interval '11 minutes')
      returning id::text`;
    const [fresh] = await db.sql<{ id: string }[]>`
      insert into imports (user_id, source) values (${(await createTestUser(services)).id}, 'loop') returning id::text`;
    await db.sql`
      insert into habits (user_id, name, color, start_date, import_id)
      values (${user.id}, 'Half imported', '#16a34a', ${today}, ${dead.id})`;
    const tick = await runSchedulerTick({ ...services, config: { ...services.config, smtpUrl: undefined } });
    assert(tick.staleImports >= 1, JSON.stringify(tick));
    assertEquals((await userCounts(db, user.id)).habits, 0);
    const statuses = await db.sql`
      select id::text, status from imports where id in (${dead.id}, ${fresh.id}) order by status`;
    // A running import younger than 10 minutes is left alone.
    assertEquals(statuses.map((r) => [r.id, r.status]), [[dead.id, "failed"], [fresh.id, "running"]]);
  });

  await t.step(
    "a failure after the first writes: everything the import wrote is removed, the rest untouched",
    async () => {
      const owner = await createTestUser(services);
      const { habit } = await json(await call(app, owner.bearer, "POST", "/api/habits", { name: "Mine" }), 201);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      await json(
        await call(app, owner.bearer, "POST", `/api/habits/${habit.id}/checkins`, { date: yesterday, status: "done" }),
        200,
      );
      const doc: Doc = await exportOf(app, owner.bearer);
      // The file: the owner's own habit (matched) with a day it lacks, and two new habits.
      const days = Array.from(
        { length: 30 },
        (_, i) => new Date(Date.now() - (i + 2) * 86_400_000).toISOString().slice(0, 10),
      );
      doc.habits[0].checkins.push({ date: today, status: "skipped", value: null, note: null });
      doc.habits.push(
        ...["New one", "New two"].map((name) => ({
          ...doc.habits[0],
          id: crypto.randomUUID(),
          name,
          checkins: days.map((date) => ({ date, status: "done", value: null, note: null })),
        })),
      );
      const before = await userCounts(db, owner.id);
      let afterRollback = 0;
      const failure = await importUserData(db, owner.id, parseExportDocument(doc, today), {
        chunkRows: 10,
        beforeChunk: (index) => {
          if (index === 4) {
            throw new Error("the database went away");
          }
        },
        afterRollback: () => Promise.resolve(void afterRollback++),
      }).catch((error) => error);
      assertEquals((failure as Error).message, "the database went away");
      assertEquals(afterRollback, 1);
      assertEquals(await userCounts(db, owner.id), before);
      const [journal] = await db.sql`select status from imports where user_id = ${owner.id}`;
      assertEquals(journal.status, "failed");
      // Rolling back again changes nothing; the same import then goes through whole.
      const [{ id }] = await db.sql<{ id: string }[]>`select id::text from imports where user_id = ${owner.id}`;
      await rollbackImport(db, owner.id, id);
      assertEquals(await userCounts(db, owner.id), before);
      const summary = await importUserData(db, owner.id, parseExportDocument(doc, today), { chunkRows: 10 });
      assertEquals([summary.habits, summary.checkins, summary.existing.habits, summary.existing.checkins], [
        2,
        61,
        1,
        1,
      ]);
    },
  );
});
