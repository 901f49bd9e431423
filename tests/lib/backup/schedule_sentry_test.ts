/**
 * A failed scheduled backup reaches Sentry (the real SDK, a local ingest server) tagged
 * `task: backup`, with the day and instance, and no secret of the configuration.
 * `initSentry` is process-global, hence a file of its own.
 */
import { runDailyBackup } from "@/app/backup/schedule.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogSink } from "@/lib/log.ts";
import { initSentry } from "@/lib/sentry.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";
import { eventWhere, startIngest, tagsOf } from "@/tests/support/sentry_ingest.ts";

Deno.test({
  name: "a failed scheduled backup is sent to Sentry as a task error, without secrets",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const ingest = startIngest();
    const restoreLogs = setLogSink(() => {});
    await using testDb = await openTestDb();
    const root = await Deno.makeTempDir({ prefix: "cg-daily-" });
    try {
      await initSentry({ ...loadConfig(() => undefined), sentryDsn: ingest.dsn, version: "test" });
      await Deno.writeTextFile(`${root}/file`, "");
      // A direct URL with a password, as production has: it must not reach Sentry. Built at
      // run time: Sentry quotes source lines around stack frames, this file's included.
      const secret = ["hunter2", "secret", crypto.randomUUID().slice(0, 4)].join("-");
      const config = {
        ...loadConfig(() => undefined),
        databaseUrl: testDb.url ?? undefined,
        databaseUrlDirect: testDb.url ? `postgres://cg:${secret}@127.0.0.1:1/nope` : undefined,
        version: "test",
      };
      const result = await runDailyBackup({ db: testDb.db, config }, new Date("2026-06-01T00:10:00Z"), {
        // Embedded: a folder that cannot be created. Postgres: pg_dump, given the password,
        // meets a server that refuses.
        folder: testDb.url ? `${root}/backups` : `${root}/file/backups`,
        instance: "web-7",
      });
      assertEquals(result.status, "failed");
      const event = await eventWhere(ingest.events, (e) => tagsOf(e).task === "backup");
      assert(event, `no backup event among ${ingest.events().length} events`);
      assertEquals(event.level, "error");
      const context = (event.contexts as Record<string, Record<string, unknown>>).task;
      assertEquals([context.day, context.instance], ["2026-06-01", "web-7"]);
      assert(!JSON.stringify(ingest.raw).includes(secret), "the password reached Sentry");
    } finally {
      restoreLogs();
      await ingest.server.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});
