/**
 * Start-up and graceful shutdown. `main.ts` calls {@linkcode startServer}; tests use
 * {@linkcode openServices} + `createApp` to get the same app without a port.
 *
 * Shutdown (SIGTERM/SIGINT): stop accepting, let in-flight requests finish for up to
 * 10 s, stop the scheduler (a running tick finishes) and abort a backup in progress,
 * close the DB pool (bounded) and KV, send queued Sentry events (up to 2 s), exit 0.
 * Every phase that waits logs what for; `server.stopped` carries each phase's time.
 */
import { openDb } from "@/db/client.ts";
import { migrate } from "@/db/migrate.ts";
import { createApp } from "./app.ts";
import { type Config, loadConfig } from "@/lib/config.ts";
import { loadIslandAssets } from "@/lib/fresh/islands/server.ts";
import { loadStaticFiles } from "@/lib/fresh/static_files.ts";
import type { Manifest } from "fresh";
import { openKv } from "@/lib/kv.ts";
import { flushLogs, log, setLogLevel } from "@/lib/log.ts";
import { startMemoryLog } from "@/lib/memory_log.ts";
import { resolvePushServices } from "@/lib/push/services.ts";
import { startScheduler } from "./scheduler.ts";
import { startBackupSchedule } from "@/app/backup/schedule.ts";
import { flushSentry, initSentry } from "@/lib/sentry.ts";
import type { Services } from "./state.ts";

/** In-flight requests get this long to finish after a shutdown signal. */
export const SHUTDOWN_GRACE_MS = 10_000;

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Opens the database (migrating it) and KV. */
export async function openServices(config: Config): Promise<Services> {
  const started = performance.now();
  const db = await openDb(config);
  try {
    const { applied } = await migrate(db);
    const push = await resolvePushServices(config);
    if (push.offReason) log.warn("push.off", { reason: push.offReason });
    if (push.linksOffReason) log.warn("one_tap.off", { reason: push.linksOffReason });
    const kv = await openKv(config);
    log.info("services.ready", {
      backend: db.backend,
      migrationsApplied: applied,
      ms: Math.round(performance.now() - started),
    });
    return { config, db, kv, startedAt: performance.now(), push };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Closes what {@linkcode openServices} opened. */
export async function closeServices(services: Services): Promise<void> {
  await services.db.close(5_000);
  services.kv.close();
}

/** Loads the built island assets and the static files for an app at the project root. */
export async function loadAssets() {
  return {
    assets: loadIslandAssets(`${ROOT}/_fresh`),
    staticFiles: await loadStaticFiles([
      { dir: `${ROOT}/static`, prefix: "/" },
      { dir: `${ROOT}/_fresh/js`, prefix: "/_fresh/js/", immutable: true },
    ]),
  };
}

export interface RunningServer {
  url: string;
  /** What the server opened (the Deno Deploy entry's cron ticks with it). */
  services: Services;
  /** Resolves when the server has shut down and everything is closed. */
  finished: Promise<void>;
  shutdown(reason: string): Promise<void>;
}

/** Addresses that also answer on `localhost` when the server listens there. */
const LOCALHOST_REACHABLE = new Set(["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"]);

/**
 * The URL the start-up log prints: with `APP_ORIGIN` unset, `http://localhost:PORT` when
 * the server answers there (the default origin, so a first run works from the logged
 * URL); else the address it listens on (behind a proxy, `APP_ORIGIN` is the public one).
 */
export function listeningUrl(config: Pick<Config, "acceptLoopbackOrigins">, hostname: string, port: number): string {
  if (config.acceptLoopbackOrigins && LOCALHOST_REACHABLE.has(hostname)) return `http://localhost:${port}`;
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** How the server is started. */
export interface StartOptions {
  /**
   * The routes and islands (`fresh.gen.ts`): the entry point passes it, so the app's
   * wiring never imports the generated manifest (which imports every route, which
   * import the wiring: a circle).
   */
  manifest: Manifest;
  /**
   * Reminders are ticked by `Deno.cron` (`main_deploy.ts`), so no in-process timer
   * runs: on Deno Deploy timers do not run between requests.
   */
  cron?: boolean;
}

/** The entry points' start: a start-up failure is logged and exits 1. */
export async function main(options: StartOptions): Promise<RunningServer> {
  try {
    return await startServer(loadConfig(), options);
  } catch (error) {
    log.error("server.start_failed", { error: error instanceof Error ? error.message : String(error) });
    flushLogs();
    Deno.exit(1);
  }
}

/** Starts the app from the environment; handles SIGTERM/SIGINT. */
export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  setLogLevel(config.logLevel);
  // Before Deno.serve: the SDK wraps it to capture what escapes the app.
  if (await initSentry(config)) {
    log.info("sentry.enabled", { environment: config.sentryEnvironment, release: config.version });
  }
  const started = performance.now();
  const stopMemoryLog = config.memoryLogMs ? startMemoryLog(config.memoryLogMs) : undefined;
  const services = await openServices(config);
  const { assets, staticFiles } = await loadAssets();
  const app = createApp({ services, manifest: options.manifest, assets, staticFiles });
  // Reminders: every instance runs one; the claim in Postgres keeps deliveries at most once.
  const scheduler = options.cron ? undefined : startScheduler(services);
  if (config.onDeploy && !options.cron) {
    log.warn("scheduler.timer_on_deploy", {
      hint: "Deno Deploy runs no timers between requests, so reminders would stall: make main_deploy.ts the " +
        "entry point (it ticks with Deno.cron)",
    });
  }
  // Daily backups: every instance checks; the claim in Postgres lets one of them write it.
  const backups = config.backupDir ? startBackupSchedule(services, { folder: config.backupDir }) : undefined;

  // Deno's server.shutdown() cuts request bodies that are still arriving, so drain
  // first: count requests in flight, answer new ones 503 once stopping, and shut the
  // listener only when the in-flight ones are done (or the grace period is over).
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const handler = async (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>): Promise<Response> => {
    if (draining) {
      return Response.json({ error: { code: "unavailable", message: "The server is restarting: try again" } }, {
        status: 503,
        headers: { "Connection": "close", "Retry-After": "1" },
      });
    }
    inFlight++;
    try {
      return await app.fetch(req, info);
    } finally {
      if (--inFlight === 0) drained?.();
    }
  };

  let listening!: (url: string) => void;
  const ready = new Promise<string>((resolve) => listening = resolve);
  const server = Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) => {
      const url = listeningUrl(config, hostname, port);
      log.info("server.listening", {
        url,
        ...(config.acceptLoopbackOrigins ? {} : { appOrigin: config.appOrigin }),
        startupMs: Math.round(performance.now() - started),
        version: config.version,
      });
      listening(url);
    },
  }, handler);
  const url = await ready;

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      const started = performance.now();
      log.info("server.stopping", { reason, inFlight });
      draining = true;
      // Each phase is timed and named in `server.stopped`, and any phase that has to
      // wait says what for before it waits, so a slow shutdown explains itself.
      const phasesMs: Record<string, number> = {};
      const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
        const phaseStarted = performance.now();
        try {
          return await run();
        } finally {
          phasesMs[name] = Math.round(performance.now() - phaseStarted);
        }
      };
      await phase("requests", async () => {
        if (inFlight > 0) {
          log.info("server.shutdown.waiting", { for: "requests", inFlight, graceMs: SHUTDOWN_GRACE_MS });
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained = resolve);
        const graceful = await Promise.race([
          idle.then(() => server.shutdown()).then(() => true),
          new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS)),
        ]);
        clearTimeout(timer);
        if (!graceful) log.warn("server.shutdown_timeout", { graceMs: SHUTDOWN_GRACE_MS, inFlight });
      });
      if (scheduler) await phase("scheduler", () => scheduler.stop());
      if (backups) await phase("backups", () => backups.stop());
      await phase("services", () => closeServices(services));
      await phase("sentry", async () => {
        if (!await flushSentry(2_000)) log.warn("sentry.flush_timeout", { timeoutMs: 2_000 });
      });
      stopMemoryLog?.();
      log.info("server.stopped", { reason, ms: Math.round(performance.now() - started), phasesMs });
    })();
    return stopping;
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    listenForSignal(signal, () => {
      shutdown(signal).then(() => {
        flushLogs();
        Deno.exit(0);
      }, (error) => {
        log.error("server.shutdown_failed", { error });
        Deno.exit(1);
      });
    });
  }
  return { url, services, finished: server.finished.then(() => stopping), shutdown };
}

/** `Deno.addSignalListener`, where the platform has signals (a serverless host may not). */
function listenForSignal(signal: Deno.Signal, handler: () => void): void {
  try {
    Deno.addSignalListener(signal, handler);
  } catch (error) {
    log.info("server.signals_unavailable", { signal, error: error instanceof Error ? error.message : String(error) });
  }
}
