/**
 * The scheduler loop: it ticks on its own at its interval (delivering what is due),
 * keeps going after a failing tick, and `stop()` waits for a running tick so the pool
 * can close behind it.
 */
import { createReminder } from "@/db/reminders.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogSink } from "@/lib/log.ts";
import { startScheduler } from "@/app/scheduler.ts";
import { assertEquals } from "@/tests/support/assert.ts";
import { openTestDb } from "@/tests/support/db.ts";

Deno.test("startScheduler delivers on its interval and stops cleanly", async () => {
  await using testDb = await openTestDb();
  const { db } = testDb;
  const [user] = await db.sql<{ id: string }[]>`
    insert into users (email, password_hash) values ('sched@example.test', 'x') returning id::text as id`;
  await createReminder(db, user.id, { title: "Now", time: "00:00", days: [1, 2, 3, 4, 5, 6, 7] });
  const config = { ...loadConfig(() => undefined), smtpUrl: undefined };
  const kv = await Deno.openKv(":memory:");
  const scheduler = startScheduler({ db, config, kv }, { intervalMs: 10 });
  try {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from notifications`;
      if (n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await scheduler.stop();
    await scheduler.stop();
    kv.close();
  }
  const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from notifications`;
  assertEquals(n, 1, "delivered once although it ticked many times");
});

Deno.test("a failing tick is logged and the next one runs", async () => {
  const logged: string[] = [];
  const restore = setLogSink((_level, line) => logged.push(line));
  let calls = 0;
  const failingDb = {
    sql: () => {
      calls++;
      return Promise.reject(new Error("db down"));
    },
  };
  const config = { ...loadConfig(() => undefined), smtpUrl: undefined };
  const kv = await Deno.openKv(":memory:");
  // deno-lint-ignore no-explicit-any
  const scheduler = startScheduler({ db: failingDb as any, config, kv }, { intervalMs: 5 });
  try {
    for (let i = 0; i < 200 && calls < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await scheduler.stop();
    kv.close();
    restore();
  }
  assertEquals(calls >= 2, true);
  assertEquals(logged.some((line) => line.includes("scheduler.tick_failed")), true);
});
