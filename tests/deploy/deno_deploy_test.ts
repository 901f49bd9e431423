/**
 * The Deno Deploy entry (`main_deploy.ts`) as Deploy runs it (DENO_DEPLOYMENT_ID set):
 * it serves, starts no in-process timer, and its top-level `Deno.cron` delivers a due
 * reminder within the next minute boundary — the real runtime's cron, not a stand-in.
 * `main.ts` on Deploy warns that reminders would stall.
 */
import { openPostgresDb } from "@/db/client.ts";
import { createReminder } from "@/db/reminders.ts";
import { spawnApp } from "@/tests/support/app_process.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { postgresInstalled, startThrowawayPostgres } from "@/tests/support/throwaway_postgres.ts";
import { waitUntil } from "@/tests/support/wait.ts";

const installed = await postgresInstalled();

Deno.test({
  name: "main_deploy.ts on Deploy: Deno.cron ticks the reminders (no timer); main.ts there warns",
  ignore: !installed,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using pg = (await startThrowawayPostgres())!;
    const env = { DENO_DEPLOYMENT_ID: "ci-test", DATABASE_URL: pg.url, DENO_KV_PATH: ":memory:" };
    const db = openPostgresDb(pg.url, { poolMax: 2, pgBouncer: false });
    try {
      await using app = await spawnApp(env, { entry: "main_deploy.ts" });
      assertEquals((await (await fetch(`${app.url}/api/health`)).json()).version, "ci-test");
      const [user] = await db.sql<{ id: string }[]>`
        insert into users (email, password_hash) values ('cron@example.test', 'x') returning id::text as id`;
      await createReminder(db, user.id, { title: "Stretch", time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
      const started = performance.now();
      let delivered = 0;
      await waitUntil(() => app.lines.some((line) => line.msg === "scheduler.tick"), 75_000, "a cron tick");
      [{ n: delivered }] = await db.sql<{ n: number }[]>`select count(*)::int as n from notifications`;
      console.log(
        `Deno.cron delivered ${delivered} reminder(s) ${
          Math.round((performance.now() - started) / 1000)
        } s after start`,
      );
      assertEquals(delivered, 1);
      assert(!app.lines.some((line) => line.msg === "scheduler.timer_on_deploy"), "the Deploy entry warned");
      assertEquals((await app.signal("SIGTERM")).code, 0);

      await using plain = await spawnApp(env);
      await plain.waitForLog("scheduler.timer_on_deploy", 5_000);
    } finally {
      await db.close();
    }
  },
});
