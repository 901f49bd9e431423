/**
 * Every field limit of the app, in one place: the zod input schemas (`domain/*_input.ts`),
 * the import schemas, the pages' `maxLength`/`min`/`max` attributes and the help texts take
 * them from here. The database holds the same numbers in its CHECK constraints and
 * functions (applied migrations never change), and `tests/domain/limits_test.ts` reads
 * those from a migrated database and fails when one differs from its constant here.
 *
 * Lengths count characters as people do (code points: "👍" is one), after trimming.
 * Counts per plan (habits, goals, exports a month) live in the `plans` table, not here.
 *
 * @example
 * ```tsx
 * <input name="title" maxLength={GOAL_TITLE_MAX} />
 * ```
 */

// Habits and check-ins (sql/004_habits.sql, sql/016_habit_model.sql).
/** A habit's name, characters. */
export const HABIT_NAME_MAX = 100;
/** A numeric habit's unit ("pages"), characters. */
export const HABIT_UNIT_MAX = 20;
/** A check-in's note, characters. */
export const CHECKIN_NOTE_MAX = 500;
/** Upper bound of targets and values: far beyond any habit, well inside a double. */
export const AMOUNT_MAX = 1_000_000_000;
/** A habit's place in the user's list; SQL only asks for ≥ 0, the input caps it. */
export const HABIT_POSITION_MAX = 100_000;
/** A `weekly` schedule's times a week. */
export const WEEKLY_TIMES_MAX = 7;
/** An `interval` schedule's days between check-ins. */
export const INTERVAL_EVERY_MIN = 2;
/** An `interval` schedule's longest gap, days. */
export const INTERVAL_EVERY_MAX = 365;
/** A `monthly` schedule's times a month. */
export const MONTHLY_TIMES_MAX = 31;
/** The longest rolling window of the `times_in_days` schedule (API.md), days. */
export const TIMES_IN_DAYS_MAX = 365;

// Tags (sql/013_notes_and_tags.sql, habit_tags_are_valid).
/** Tags one habit may carry. */
export const TAGS_MAX = 10;
/** Characters in one tag. */
export const TAG_LENGTH_MAX = 30;

// Pauses (sql/016_habit_model.sql).
/** The longest pause, in days (inclusive). */
export const PAUSE_MAX_DAYS = 366;
/** The longest pause note, in characters. */
export const PAUSE_NOTE_MAX = 500;

// Goals, milestones, subgoals (sql/006_goals.sql).
/** A goal's title, characters. */
export const GOAL_TITLE_MAX = 200;
/** A goal's description, characters. */
export const GOAL_DESCRIPTION_MAX = 2000;
/** A milestone's title, characters. */
export const MILESTONE_TITLE_MAX = 200;
/** A subgoal's title, characters. */
export const SUBGOAL_TITLE_MAX = 200;
/** A subgoal's progress, percent (0 to this). */
export const PROGRESS_MAX = 100;
/** A pinned goal's place; SQL only asks for ≥ 0, the input caps it. */
export const PIN_POSITION_MAX = 1000;

// Reminders (sql/007_reminders.sql).
/** A reminder's title, characters. */
export const REMINDER_TITLE_MAX = 100;

// Accounts (sql/002_accounts.sql, sql/003_account_functions.sql).
/** The shortest new password, characters. */
export const PASSWORD_MIN = 8;
/** The longest new password, characters (bounds the hasher's work too). */
export const PASSWORD_MAX = 128;
/** The longest e-mail address (RFC 5321's path limit), characters. */
export const EMAIL_MAX = 254;
/** A display name, characters. */
export const DISPLAY_NAME_MAX = 80;
/** An API token's name, characters. */
export const TOKEN_NAME_MAX = 100;

// Devices and webhooks (sql/014_push.sql, sql/015_webhooks_and_shares.sql).
/** A push device's label, characters. */
export const DEVICE_LABEL_MAX = 100;
/** Longest webhook URL accepted (the outbound policy's cap too). */
export const WEBHOOK_URL_MAX = 2048;
