/**
 * The shape of a user's export and its two encodings: one JSON document
 * ({@linkcode ExportDocument}) and a zip of CSV files, one per table
 * (`exportCsvZip` in `app/export_csv.ts`). Pure: the data comes from `db/export.ts`.
 *
 * CSV files are written by `lib/csv.ts`: RFC 4180, UTF-8 with a header row, and safe to
 * open in a spreadsheet (a text cell that could run as a formula gets a leading `'`, per
 * OWASP's CSV-injection guidance; numbers stay numbers). The JSON export is the lossless
 * one (and the one that imports back: `domain/import_document.ts`); the CSV zip is for
 * spreadsheets. Every object carries its id, so importing an export into the account it
 * came from finds what is already there.
 *
 * @example
 * ```ts
 * const doc = await exportUserData(db, user.id); // db/export.ts
 * const json = JSON.stringify(doc, null, 2);
 * const zip = exportCsvZip(doc); // Uint8Array
 * ```
 */
import type { CheckinStatus } from "./completion.ts";
import type { HabitFields } from "./habit.ts";

/** Bumped when the document's shape changes incompatibly; import reads this version. */
export const EXPORT_VERSION = 1;
/** The `format` field every export carries, so an import knows what it was given. */
export const EXPORT_FORMAT = "consistencygrid-export";

export interface ExportSettings {
  displayName: string | null;
  timezone: string;
  weekStart: number;
  theme: string;
  emailReminders: boolean;
}

export interface ExportCheckin {
  date: string;
  status: CheckinStatus;
  value: number | null;
  note: string | null;
}

export interface ExportHabit extends Omit<HabitFields, "tags"> {
  /** The id in the exporting account; import gives new ids and remaps references. */
  id: string;
  createdAt: string;
  /** 0–10 tags (domain/tags.ts); absent in exports made before tags, and from other apps. */
  tags?: string[];
  checkins: ExportCheckin[];
}

export interface ExportMilestone {
  id: string;
  title: string;
  dueDate: string | null;
  done: boolean;
}

export interface ExportSubgoal {
  id: string;
  title: string;
  /** 0–100. */
  progress: number;
  done: boolean;
}

export interface ExportGoal {
  id: string;
  title: string;
  description: string | null;
  targetDate: string | null;
  status: "active" | "done" | "dropped";
  /** Place among the pinned goals (0 first); null when not pinned. */
  pinPosition: number | null;
  createdAt: string;
  /** In the goal's order. */
  milestones: ExportMilestone[];
  subgoals: ExportSubgoal[];
}

export interface ExportReminder {
  id: string;
  /** The `id` of one of this document's habits, or null. */
  habitId: string | null;
  title: string;
  /** `HH:MM`, the user's local time. */
  time: string;
  /** ISO weekdays, 1 = Monday. */
  days: number[];
  enabled: boolean;
}

/** A pause (issue 11): days on which one habit, or every habit, asks nothing. */
export interface ExportPause {
  id: string;
  /** The `id` of one of this document's habits, or null: every habit. */
  habitId: string | null;
  /** First and last paused local day, `YYYY-MM-DD`, inclusive. */
  from: string;
  to: string;
  note: string | null;
  createdAt: string;
}

/** Everything of one user, read in one consistent snapshot. */
export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  settings: ExportSettings;
  habits: ExportHabit[];
  goals: ExportGoal[];
  reminders: ExportReminder[];
  /** Oldest first (by first day); absent in exports made before pauses. */
  pauses: ExportPause[];
}
