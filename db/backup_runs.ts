/**
 * The daily backup's claim (sql/011_backups.sql): which instance makes today's backup,
 * and what came of it. One statement each, safe for any number of instances racing.
 *
 * @example
 * ```ts
 * if (await claimDailyBackup(db, "2026-11-29", "web-2:4242")) {
 *   // make the backup, then:
 *   await finishDailyBackup(db, "2026-11-29", "web-2:4242", { file, bytes, sha256 });
 * }
 * ```
 */
import type { DbQueries } from "./client.ts";

/** How long a claim holds before another instance may take an unfinished day over. */
export const BACKUP_CLAIM_LEASE_MINUTES = 60;

/** True when `instance` now holds the claim for `day` (`YYYY-MM-DD`, UTC). */
export async function claimDailyBackup(
  db: DbQueries,
  day: string,
  instance: string,
  leaseMinutes = BACKUP_CLAIM_LEASE_MINUTES,
): Promise<boolean> {
  const [{ claimed }] = await db.sql<{ claimed: boolean }[]>`
    select claim_daily_backup(${day}::date, ${instance}, make_interval(mins => ${leaseMinutes})) as claimed`;
  return claimed;
}

/** The outcome of a claimed day: the file written, or the error. */
export type BackupOutcome =
  | { file: string; bytes: number; sha256: string; error?: undefined }
  | { error: string };

/** Records the outcome of a claim `instance` holds. */
export async function finishDailyBackup(
  db: DbQueries,
  day: string,
  instance: string,
  outcome: BackupOutcome,
): Promise<void> {
  const done = outcome.error === undefined ? outcome : undefined;
  await db.sql`
    select finish_daily_backup(${day}::date, ${instance}, ${done?.file ?? null}, ${done?.bytes ?? null},
                               ${done?.sha256 ?? null}, ${outcome.error ?? null})`;
}

/**
 * Gives up a claim at once (the instance is shutting down mid-backup), so another
 * instance may take the day without waiting for the lease.
 */
export async function releaseDailyBackup(db: DbQueries, day: string, instance: string, reason: string): Promise<void> {
  await db.sql`
    update backup_runs set claimed_at = '-infinity', last_error = ${reason}
     where day = ${day}::date and claimed_by = ${instance} and finished_at is null`;
}

/** One day's row, for tests and operators. */
export interface BackupRun {
  day: string;
  claimedBy: string;
  attempts: number;
  finishedAt: Date | null;
  file: string | null;
  lastError: string | null;
}

/** The most recent days' runs, newest first. */
export async function listBackupRuns(db: DbQueries, limit = 30): Promise<BackupRun[]> {
  const rows = await db.sql<
    {
      day: string;
      claimed_by: string;
      attempts: number;
      finished_at: Date | null;
      file: string | null;
      last_error: string | null;
    }[]
  >`
    select day, claimed_by, attempts, finished_at, file, last_error
      from backup_runs order by day desc limit ${limit}`;
  return rows.map((row) => ({
    day: row.day,
    claimedBy: row.claimed_by,
    attempts: row.attempts,
    finishedAt: row.finished_at,
    file: row.file,
    lastError: row.last_error,
  }));
}
