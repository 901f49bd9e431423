/**
 * The real app around a fresh, migrated test database and an in-memory KV, called in
 * process (no port). Extra route modules can be added for pipeline tests.
 *
 * @example
 * ```ts
 * await using t = await startTestApp();
 * const res = await t.app.request("/api/health");
 * ```
 */
import manifest from "@/fresh.gen.ts";
import { createApp } from "@/app/app.ts";
import { type Config, loadConfig } from "@/lib/config.ts";
import type { RouteModule } from "fresh";
import { setLogLevel } from "@/lib/log.ts";
import { loadAssets } from "@/app/server.ts";
import type { Services } from "@/app/state.ts";
import { openTestDb } from "./db.ts";

export interface TestAppOptions {
  config?: Partial<Config>;
  /** Extra route modules by file ("routes/api/boom.ts"). */
  routes?: Record<string, RouteModule>;
  /** Use this database instead of a fresh test database (the caller closes it). */
  db?: Services["db"];
  /** Open the KV at this path (a file shared by two apps = two instances) instead of `:memory:`. */
  kvPath?: string;
  /** Use this KV instead of opening one (the caller closes it). */
  kv?: Deno.Kv;
  /** Push reminders and one-tap links (tests/support/push_services.ts); default: off. */
  push?: Services["push"];
}

export async function startTestApp(options: TestAppOptions = {}) {
  // Request lines would drown the test output; LOG_LEVEL=info brings them back.
  setLogLevel((Deno.env.get("LOG_LEVEL") as "info" | undefined) ?? "warn");
  const testDb = options.db ? undefined : await openTestDb();
  const db = options.db ?? testDb!.db;
  const kv = options.kv ?? await Deno.openKv(options.kvPath ?? ":memory:");
  const config: Config = {
    ...loadConfig(() => undefined),
    dataDir: ":memory:",
    kvPath: ":memory:",
    version: "test",
    // A test that names its origin runs like a server with APP_ORIGIN set: strict.
    acceptLoopbackOrigins: options.config?.appOrigin === undefined,
    ...options.config,
  };
  const services: Services = { config, db, kv, startedAt: performance.now(), push: options.push };
  const { assets, staticFiles } = await loadAssets();
  const app = createApp({
    services,
    manifest: { ...manifest, routes: { ...manifest.routes, ...options.routes } },
    assets,
    staticFiles,
  });
  return {
    app,
    services,
    async [Symbol.asyncDispose]() {
      if (!options.kv) kv.close();
      await testDb?.dispose();
    },
  };
}
