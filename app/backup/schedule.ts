/**
 * The daily backup (`BACKUP_DIR` set): every instance checks now and then whether
 * today's (UTC) backup is made; the one that wins the claim in Postgres
 * (sql/011_backups.sql) writes it into the folder, then prunes the folder's scheduled
 * backups down to 7 daily + 4 weekly (`lib/backup/retention.ts`). Manual backups in
 * the same folder are never pruned.
 *
 * A failure (disk full, pg_dump missing, database down) is logged as `backup.failed`
 * and sent to Sentry; the day's claim is retried after its lease (an hour), by any
 * instance. Shutting down aborts a backup in progress (nothing partial is left: files
 * are published atomically) and releases the claim at once.
 *
 * With several servers, `BACKUP_DIR` should be one shared folder (or synced off-box
 * from each): the day's backup lands wherever the claim was won.
 *
 * @example
 * ```ts
 * const backups = startBackupSchedule(services, { folder: config.backupDir });
 * // on shutdown, before the pool closes:
 * await backups.stop();
 * ```
 */
import { claimDailyBackup, finishDailyBackup, releaseDailyBackup } from "@/db/backup_runs.ts";
import { log } from "@/lib/log.ts";
import { captureTaskError } from "@/lib/sentry.ts";
import type { Services } from "@/app/state.ts";
import { createBackup, directDatabaseUrl } from "./backup.ts";
import { parseBackupFileName } from "@/lib/backup/format.ts";
import { DEFAULT_RETENTION, planRetention, type RetentionPolicy } from "@/lib/backup/retention.ts";

export interface DailyBackupOptions {
  /** Where backups go (`BACKUP_DIR`). */
  folder: string;
  /** Who claims: default `hostname:pid`. */
  instance?: string;
  retention?: RetentionPolicy;
  /** Aborts a backup in progress. */
  signal?: AbortSignal;
}

/** What one check did. */
export type DailyBackupResult =
  | { status: "made"; file: string; bytes: number; pruned: string[] }
  | { status: "not_mine" }
  | { status: "failed"; error: string };

/**
 * One check at `now`: claims the UTC day and, if this instance got it, makes the
 * backup and prunes. Never throws: failures come back as `failed` (and are logged and
 * sent to Sentry).
 */
export async function runDailyBackup(
  services: Pick<Services, "db" | "config">,
  now: Date,
  options: DailyBackupOptions,
): Promise<DailyBackupResult> {
  const { db, config } = services;
  const day = now.toISOString().slice(0, 10);
  const instance = options.instance ?? defaultInstance();
  let claimed = false;
  const started = performance.now();
  try {
    claimed = await claimDailyBackup(db, day, instance);
    if (!claimed) return { status: "not_mine" };
    log.info("backup.started", { day, instance, folder: options.folder });
    await Deno.mkdir(options.folder, { recursive: true });
    const { path, manifest } = await createBackup(db, {
      folder: options.folder,
      directUrl: db.backend === "postgres" ? directDatabaseUrl(config) : undefined,
      appVersion: config.version,
      kind: "scheduled",
      now,
      signal: options.signal,
    });
    const file = path.slice(path.lastIndexOf("/") + 1);
    await finishDailyBackup(db, day, instance, { file, bytes: manifest.bytes, sha256: manifest.sha256 });
    const pruned = await prune(options.folder, options.retention ?? DEFAULT_RETENTION);
    log.info("backup.done", {
      day,
      file: path,
      bytes: manifest.bytes,
      migration: manifest.migration.name,
      pruned,
      ms: Math.round(performance.now() - started),
    });
    return { status: "made", file: path, bytes: manifest.bytes, pruned };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const aborted = options.signal?.aborted ?? false;
    if (claimed) {
      const record = aborted
        ? releaseDailyBackup(db, day, instance, "aborted: the server shut down")
        : finishDailyBackup(db, day, instance, { error: message });
      await record.catch((recordError) => log.warn("backup.record_failed", { day, error: recordError }));
    }
    if (aborted) {
      log.warn("backup.aborted", { day, reason: "shutdown" });
    } else {
      log.error("backup.failed", { day, instance, error, ms: Math.round(performance.now() - started) });
      captureTaskError("backup", error, { day, instance });
    }
    return { status: "failed", error: message };
  }
}

/** Deletes the scheduled backups retention does not keep; returns their names. */
async function prune(folder: string, policy: RetentionPolicy): Promise<string[]> {
  const backups: { name: string; createdAt: Date }[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const parsed = entry.isFile ? parseBackupFileName(entry.name) : null;
    if (parsed?.kind === "scheduled") backups.push({ name: entry.name, createdAt: parsed.createdAt });
  }
  const pruned: string[] = [];
  for (const backup of planRetention(backups, policy).prune) {
    try {
      await Deno.remove(`${folder}/${backup.name}`);
      pruned.push(backup.name);
    } catch (error) {
      log.warn("backup.prune_failed", { file: backup.name, error });
    }
  }
  return pruned;
}

export interface BackupScheduleOptions extends Omit<DailyBackupOptions, "signal"> {
  /** Time from start to the first check. Default 60 s (start-up stays quick). */
  firstCheckMs?: number;
  /** Time between checks. Default 15 min. */
  intervalMs?: number;
  /** The clock; tests move it. */
  now?: () => Date;
}

/** A running schedule. */
export interface BackupSchedule {
  /** Stops checking; aborts a backup in progress and waits for it to clean up. Idempotent. */
  stop(): Promise<void>;
}

/** Checks {@linkcode runDailyBackup} on a timer until stopped. */
export function startBackupSchedule(
  services: Pick<Services, "db" | "config">,
  options: BackupScheduleOptions,
): BackupSchedule {
  const intervalMs = options.intervalMs ?? 15 * 60_000;
  const now = options.now ?? (() => new Date());
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const schedule = (delay: number) => {
    if (abort.signal.aborted) return;
    timer = setTimeout(() => {
      busy = true;
      running = runDailyBackup(services, now(), { ...options, signal: abort.signal }).finally(() => {
        busy = false;
        schedule(intervalMs);
      });
    }, delay);
    // The timer alone does not keep the process alive; the server does.
    Deno.unrefTimer(timer);
  };
  schedule(options.firstCheckMs ?? 60_000);
  return {
    async stop() {
      abort.abort();
      clearTimeout(timer);
      if (busy) log.info("backup.stopping", { waitingFor: "backup in progress (aborting it)" });
      await running;
    },
  };
}

function defaultInstance(): string {
  let host = "localhost";
  try {
    host = Deno.hostname();
  } catch {
    // No --allow-sys: the pid still tells instances on one host apart.
  }
  return `${host}:${Deno.pid}`;
}
