/**
 * Which scheduled backups to keep: the newest of each of the last 7 days that have
 * one, and the newest of each of the last 4 ISO weeks that have one (UTC), the
 * same rule as restic's `--keep-daily 7 --keep-weekly 4`. A backup either rule keeps
 * stays; every other scheduled backup goes. Manual backups are never passed here.
 *
 * Pure: no clock, no files. Counting days *that have a backup* (not calendar days)
 * means a week of failed backups never prunes the last good ones.
 *
 * @example
 * ```ts
 * const { keep, prune } = planRetention(backups, { daily: 7, weekly: 4 });
 * ```
 */

/** How many of each period to keep. */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
}

/** The schedule's policy (see the module doc). */
export const DEFAULT_RETENTION: RetentionPolicy = { daily: 7, weekly: 4 };

/** A backup as retention sees it. */
export interface RetainedBackup {
  name: string;
  createdAt: Date;
}

/** The split of a set of backups. */
export interface RetentionPlan<T extends RetainedBackup> {
  keep: T[];
  prune: T[];
}

/** Splits `backups` into those to keep and those to delete, each newest first. */
export function planRetention<T extends RetainedBackup>(
  backups: readonly T[],
  policy: RetentionPolicy = DEFAULT_RETENTION,
): RetentionPlan<T> {
  const newestFirst = [...backups].sort((a, b) =>
    b.createdAt.getTime() - a.createdAt.getTime() || b.name.localeCompare(a.name)
  );
  const kept = new Set<T>();
  keepNewestPerPeriod(newestFirst, utcDay, policy.daily, kept);
  keepNewestPerPeriod(newestFirst, isoWeek, policy.weekly, kept);
  return {
    keep: newestFirst.filter((backup) => kept.has(backup)),
    prune: newestFirst.filter((backup) => !kept.has(backup)),
  };
}

function keepNewestPerPeriod<T extends RetainedBackup>(
  newestFirst: readonly T[],
  period: (date: Date) => string,
  count: number,
  kept: Set<T>,
): void {
  const seen = new Set<string>();
  for (const backup of newestFirst) {
    if (seen.size >= count) return;
    const key = period(backup.createdAt);
    if (seen.has(key)) continue;
    seen.add(key);
    kept.add(backup);
  }
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `YYYY-Www` of the ISO week (Monday first; week 1 holds the year's first Thursday). */
export function isoWeek(date: Date): string {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
