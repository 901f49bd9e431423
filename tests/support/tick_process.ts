/**
 * Child process for tests that race schedulers in separate OS processes: opens the
 * database named by the environment (`DATABASE_URL`, `PGBOUNCER`) and push/one-tap
 * exactly as the server does (lib/push/services.ts from `VAPID_*`, `APP_SECRET`,
 * `PUSH_ALLOW_LOOPBACK_ENDPOINTS`), waits until `TICK_AT` (ms since the epoch, so every
 * process starts at once), runs one scheduler tick at `TICK_NOW` and prints its result
 * as one JSON line.
 */
import { openDb } from "@/db/client.ts";
import { loadConfig } from "@/lib/config.ts";
import { setLogLevel } from "@/lib/log.ts";
import { resolvePushServices } from "@/lib/push/services.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";

setLogLevel("warn");
const config = { ...loadConfig(), smtpUrl: undefined };
const db = await openDb(config);
const kv = await Deno.openKv(":memory:");
try {
  const push = await resolvePushServices(config);
  const wait = Number(Deno.env.get("TICK_AT")) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const result = await runSchedulerTick({ db, config, kv, push }, new Date(Deno.env.get("TICK_NOW")!));
  console.log(JSON.stringify(result));
} finally {
  kv.close();
  await db.close();
}
