/**
 * The daily backup: claimed once per UTC day across instances (100 claims from 3
 * processes on Postgres; 100 at once in one process on embedded, whose database only
 * one process can open), retention that keeps 7 daily + 4 weekly and never touches
 * manual or foreign files, a failure that is recorded and retried after the lease, a
 * shutdown that aborts and releases the claim at once, and the timer loop.
 */
import { claimDailyBackup, listBackupRuns } from "@/db/backup_runs.ts";
import { type Db, openPostgresDb } from "@/db/client.ts";
import { backupFileName } from "@/lib/backup/format.ts";
import { runDailyBackup, startBackupSchedule } from "@/app/backup/schedule.ts";
import { type Config, loadConfig } from "@/lib/config.ts";
import { setLogLevel, setLogSink } from "@/lib/log.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { openTestDb, type TestDb } from "@/tests/support/db.ts";
import { directUrlOf } from "@/tests/support/direct_url.ts";

setLogLevel("warn");

function servicesFor(testDb: TestDb, db: Db = testDb.db): { db: Db; config: Config } {
  const base = loadConfig();
  const config: Config = testDb.url
    ? { ...base, databaseUrl: testDb.url, databaseUrlDirect: directUrlOf(testDb), version: "test" }
    : { ...loadConfig(() => undefined), version: "test" };
  return { db, config };
}

async function listFolder(folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) names.push(entry.name);
  return names.sort();
}

Deno.test({
  name: "100 concurrent claims for one day (3 processes on Postgres): exactly one wins",
  sanitizeResources: false,
  async fn() {
    await using testDb = await openTestDb();
    const day = "2026-03-29";
    let won: number;
    if (testDb.url) {
      const startAt = Date.now() + 3_000;
      const counts = [34, 33, 33];
      const outputs = await Promise.all(counts.map((count) =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            new URL("./claim_race_worker.ts", import.meta.url).pathname,
            testDb.url!,
            day,
            String(count),
            String(startAt),
          ],
          stdout: "piped",
          stderr: "inherit",
        }).output()
      ));
      won = outputs.reduce((sum, out) => {
        assertEquals(out.code, 0);
        return sum + JSON.parse(new TextDecoder().decode(out.stdout)).won;
      }, 0);
    } else {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => claimDailyBackup(testDb.db, day, `instance-${i}`)),
      );
      won = results.filter(Boolean).length;
    }
    console.log(`${testDb.backend}: ${won} of 100 claims won`);
    assertEquals(won, 1);
    const [run] = await listBackupRuns(testDb.db);
    assertEquals(run.day, day);
    assertEquals(run.attempts, 1);
  },
});

Deno.test({
  name: "three instances checking at once make one backup per UTC day; the next day makes the next",
  sanitizeResources: false,
  async fn() {
    await using testDb = await openTestDb();
    const folder = await Deno.makeTempDir({ prefix: "cg-daily-" });
    // Three instances: three pools on Postgres; embedded has one database per process.
    const pools = testDb.url
      ? [1, 2, 3].map(() => openPostgresDb(testDb.url!, { poolMax: 2, pgBouncer: loadConfig().pgBouncer }))
      : [testDb.db, testDb.db, testDb.db];
    try {
      for (const now of [new Date("2026-03-29T00:05:00Z"), new Date("2026-03-30T00:07:00Z")]) {
        const results = await Promise.all(
          pools.map((db, i) => runDailyBackup(servicesFor(testDb, db), now, { folder, instance: `web-${i}` })),
        );
        const made = results.filter((r) => r.status === "made");
        assertEquals(made.length, 1, JSON.stringify(results));
        assertEquals(results.filter((r) => r.status === "not_mine").length, 2, JSON.stringify(results));
        // A later check the same day does nothing.
        assertEquals(
          (await runDailyBackup(servicesFor(testDb), now, { folder, instance: "web-9" })).status,
          "not_mine",
        );
      }
      const files = await listFolder(folder);
      assertEquals(files.length, 2, files.join(", "));
      assertMatch(files[0], /^consistencygrid-20260329T000500Z-m\d{3}-(postgres|pglite)-scheduled\.cgbackup$/);
      assertMatch(files[1], /^consistencygrid-20260330T000700Z-m\d{3}-(postgres|pglite)-scheduled\.cgbackup$/);
      const runs = await listBackupRuns(testDb.db);
      assertEquals(runs.map((r) => [r.day, r.file, r.lastError, r.finishedAt !== null]), [
        ["2026-03-30", files[1], null, true],
        ["2026-03-29", files[0], null, true],
      ]);
    } finally {
      if (testDb.url) await Promise.all(pools.map((db) => db.close()));
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "after a scheduled backup the folder keeps 7 daily + 4 weekly scheduled backups, and every manual or foreign file",
  sanitizeResources: false,
  async fn() {
    await using testDb = await openTestDb();
    const folder = await Deno.makeTempDir({ prefix: "cg-retention-" });
    try {
      const now = new Date("2026-11-29T03:00:00Z"); // a Sunday, ISO week 48
      const older: string[] = [];
      for (let ago = 1; ago <= 30; ago++) {
        const name = backupFileName({
          createdAt: new Date(now.getTime() - ago * 86_400_000),
          migration: 7,
          backend: testDb.backend,
          kind: "scheduled",
        });
        older.push(name);
        await Deno.writeTextFile(`${folder}/${name}`, "old");
      }
      const manual = backupFileName({
        createdAt: new Date("2026-01-01T00:00:00Z"),
        migration: 7,
        backend: "postgres",
        kind: "manual",
      });
      await Deno.writeTextFile(`${folder}/${manual}`, "manual");
      await Deno.writeTextFile(`${folder}/notes.txt`, "not a backup");

      const result = await runDailyBackup(servicesFor(testDb), now, { folder, instance: "web-1" });
      assertEquals(result.status, "made", JSON.stringify(result));
      const kept = (await listFolder(folder)).filter((name) => name.endsWith("-scheduled.cgbackup"))
        .map((name) => name.slice("consistencygrid-".length, "consistencygrid-".length + 8));
      // Daily: Mon 23 … Sun 29 (today); weekly: newest of W47 (Sun 22), W46 (15), W45 (8).
      assertEquals(kept, [
        "20261108",
        "20261115",
        "20261122",
        "20261123",
        "20261124",
        "20261125",
        "20261126",
        "20261127",
        "20261128",
        "20261129",
      ]);
      const files = await listFolder(folder);
      assert(files.includes(manual), "a manual backup was pruned");
      assert(files.includes("notes.txt"), "a foreign file was pruned");
      if (result.status === "made") assertEquals(result.pruned.length, 30 - 9);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a failed backup is logged and recorded, the day is retried after the lease, and shutdown releases a claim at once",
  sanitizeResources: false,
  async fn() {
    await using testDb = await openTestDb();
    const root = await Deno.makeTempDir({ prefix: "cg-daily-" });
    const lines: Record<string, unknown>[] = [];
    const restore = setLogSink((_level, line) => lines.push(JSON.parse(line)));
    try {
      const services = servicesFor(testDb);
      // The folder is a file: mkdir fails, as a full or read-only disk would.
      await Deno.writeTextFile(`${root}/not-a-folder`, "");
      const now = new Date("2026-05-04T01:00:00Z");
      const failed = await runDailyBackup(services, now, { folder: `${root}/not-a-folder/sub`, instance: "web-1" });
      assertEquals(failed.status, "failed");
      const logged = lines.find((line) => line.msg === "backup.failed");
      assert(logged, JSON.stringify(lines));
      assertEquals(logged.level, "error");
      let [run] = await listBackupRuns(testDb.db);
      assertEquals([run.claimedBy, run.finishedAt, run.attempts], ["web-1", null, 1]);
      assert(run.lastError && run.lastError.length > 0);

      // Within the lease nobody retries; after it, anyone may.
      assertEquals((await runDailyBackup(services, now, { folder: root, instance: "web-2" })).status, "not_mine");
      await testDb.db.sql`update backup_runs set claimed_at = claimed_at - interval '61 minutes'`;
      const retried = await runDailyBackup(services, now, { folder: root, instance: "web-2" });
      assertEquals(retried.status, "made", JSON.stringify(retried));
      [run] = await listBackupRuns(testDb.db);
      assertEquals([run.claimedBy, run.attempts, run.lastError, run.finishedAt !== null], ["web-2", 2, null, true]);

      // Shutting down mid-backup: aborted, nothing left behind, and the claim is free at once.
      const next = new Date("2026-05-05T01:00:00Z");
      const abort = new AbortController();
      const aborting = runDailyBackup(services, next, { folder: root, instance: "web-3", signal: abort.signal });
      abort.abort();
      assertEquals((await aborting).status, "failed");
      assert(lines.some((line) => line.msg === "backup.aborted"), "the abort was not logged");
      assert(
        !lines.some((line) => line.msg === "backup.failed" && line.day === "2026-05-05"),
        "an abort is not a failure",
      );
      assertEquals((await listFolder(root)).filter((name) => name.includes("20260505")), []);
      const taken = await runDailyBackup(services, next, { folder: root, instance: "web-4" });
      assertEquals(taken.status, "made", JSON.stringify(taken));
      assertEquals((await listFolder(root)).filter((name) => name.startsWith(".")), [], "a temporary file was left");
    } finally {
      restore();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "startBackupSchedule checks on its timer and stops cleanly",
  sanitizeResources: false,
  async fn() {
    await using testDb = await openTestDb();
    const folder = await Deno.makeTempDir({ prefix: "cg-daily-" });
    const schedule = startBackupSchedule(servicesFor(testDb), { folder, firstCheckMs: 10, intervalMs: 50 });
    try {
      const published = async () => (await listFolder(folder)).some((name) => name.endsWith(".cgbackup"));
      for (let i = 0; i < 600 && !await published(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await schedule.stop();
      await schedule.stop();
    }
    const files = (await listFolder(folder)).filter((name) => name.endsWith(".cgbackup"));
    assertEquals(files.length, 1, "one backup a day, however often it checks");
    await Deno.remove(folder, { recursive: true });
  },
});
