/**
 * The field limits of `domain/limits.ts` against the database that enforces them too: the
 * CHECK constraints (read from `pg_constraint` of a migrated database, embedded or real
 * Postgres through PgBouncer) and the bounds written in SQL functions (`pg_proc`). A
 * migration that changes a bound, or a constant edited alone, fails here.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { openTestDb } from "../support/db.ts";
import * as limits from "@/domain/limits.ts";
import { PUSH_ENDPOINT_MAX_LENGTH } from "@/lib/push/subscription.ts";

/** A length check `char_length(col) >= min AND char_length(col) <= max`, as Postgres prints it. */
interface LengthRule {
  constraint: string;
  column: string;
  max: number;
  /** 1 when empty text is refused (`between 1 and max`), 0 when only the maximum is checked. */
  min: 0 | 1;
}

const LENGTHS: readonly LengthRule[] = [
  { constraint: "habits_name_check", column: "name", min: 1, max: limits.HABIT_NAME_MAX },
  { constraint: "habits_unit_check", column: "unit", min: 1, max: limits.HABIT_UNIT_MAX },
  { constraint: "checkins_note_check", column: "note", min: 1, max: limits.CHECKIN_NOTE_MAX },
  { constraint: "pauses_note_check", column: "note", min: 1, max: limits.PAUSE_NOTE_MAX },
  { constraint: "goals_title_check", column: "title", min: 1, max: limits.GOAL_TITLE_MAX },
  { constraint: "goals_description_check", column: "description", min: 1, max: limits.GOAL_DESCRIPTION_MAX },
  { constraint: "milestones_title_check", column: "title", min: 1, max: limits.MILESTONE_TITLE_MAX },
  { constraint: "subgoals_title_check", column: "title", min: 1, max: limits.SUBGOAL_TITLE_MAX },
  { constraint: "reminders_title_check", column: "title", min: 1, max: limits.REMINDER_TITLE_MAX },
  { constraint: "api_tokens_name_check", column: "name", min: 1, max: limits.TOKEN_NAME_MAX },
  { constraint: "push_subscriptions_label_check", column: "device_label", min: 0, max: limits.DEVICE_LABEL_MAX },
  { constraint: "push_subscriptions_endpoint_check", column: "endpoint", min: 1, max: PUSH_ENDPOINT_MAX_LENGTH },
  { constraint: "webhooks_url_check", column: "url", min: 1, max: limits.WEBHOOK_URL_MAX },
];

/** Length checks with no field constant: internal columns no user types into. */
const NOT_FIELDS = new Set(["push_subscriptions_keys_check", "sessions_user_agent_check"]);

/** `[min, max]` of `col >= min AND col <= max` in a printed constraint (numbers may carry a cast). */
function range(def: string, expr: string): [number, number] | null {
  const e = expr.replace(/[()]/g, "\\$&");
  const min = def.match(new RegExp(`${e} >= \\(?(\\d+)\\)?`))?.[1];
  const max = def.match(new RegExp(`${e} <= \\(?(\\d+)\\)?`))?.[1];
  return min === undefined || max === undefined ? null : [Number(min), Number(max)];
}

/** The one number the pattern's group captures in `source`; fails when it is not found. */
function bound(source: string, pattern: RegExp, what: string): number {
  const found = source.match(pattern)?.[1];
  assert(found !== undefined, `${what}: ${pattern} not found in the SQL`);
  return Number(found);
}

Deno.test("limits: every field limit equals the database's CHECK constraint or function", async (t) => {
  await using test = await openTestDb();
  const checks = new Map(
    (await test.db.sql<{ name: string; def: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as def
        from pg_constraint where contype = 'c' and conrelid <> 0`).map((row) => [row.name, row.def]),
  );
  /** The newest body of a function (a later migration may `create or replace` it). */
  const body = async (name: string) => {
    const rows = await test.db.sql<{ src: string }[]>`select prosrc as src from pg_proc where proname = ${name}`;
    assertEquals(rows.length, 1, `one function ${name}`);
    return rows[0].src;
  };

  await t.step("text lengths", () => {
    for (const rule of LENGTHS) {
      const def = checks.get(rule.constraint);
      assert(def !== undefined, `no constraint ${rule.constraint}`);
      const length = def.includes(`char_length(${rule.column})`)
        ? `char_length(${rule.column})`
        : `length(${rule.column})`;
      if (rule.min === 0) {
        assertEquals(bound(def, new RegExp(`${length.replace(/[()]/g, "\\$&")} <= (\\d+)`), rule.constraint), rule.max);
      } else {
        assertEquals(range(def, length), [rule.min, rule.max], rule.constraint);
      }
    }
  });

  await t.step("every length check of the schema has its constant here", () => {
    const covered = new Set(LENGTHS.map((rule) => rule.constraint));
    const unknown = [...checks].filter(([name, def]) =>
      /\blength\(/.test(def) && !covered.has(name) && !NOT_FIELDS.has(name)
    ).map(([name]) => name);
    assertEquals(unknown, [], "length checks without a constant in domain/limits.ts");
  });

  await t.step("numbers: amounts, progress, pause length", () => {
    assertEquals(range(checks.get("checkins_value_check")!, "value"), [0, limits.AMOUNT_MAX]);
    assertEquals(bound(checks.get("habits_target_check")!, /target <= \(?(\d+)\)?/, "target"), limits.AMOUNT_MAX);
    assertEquals(range(checks.get("subgoals_progress_check")!, "progress"), [0, limits.PROGRESS_MAX]);
    assertEquals(
      bound(checks.get("pauses_days_check")!, /\(to_day - from_day\) < (\d+)/, "pause days"),
      limits.PAUSE_MAX_DAYS,
    );
  });

  await t.step("tags (habit_tags_are_valid)", async () => {
    const src = await body("habit_tags_are_valid");
    assertEquals(bound(src, /cardinality\(p_tags\), 0\) <= (\d+)/, "tags"), limits.TAGS_MAX);
    assertEquals(bound(src, /char_length\(tag\) not between 1 and (\d+)/, "tag length"), limits.TAG_LENGTH_MAX);
  });

  await t.step("schedules (habit_schedule_is_valid)", async () => {
    const src = await body("habit_schedule_is_valid");
    const weekly = src.match(/'times'\)::text in \(([^)]*)\)/)?.[1];
    assert(weekly !== undefined, "the weekly times list");
    assertEquals(weekly.split(",").length, limits.WEEKLY_TIMES_MAX);
    const every = src.match(/'every'\)::integer between (\d+) and (\d+)/);
    assertEquals(every?.slice(1).map(Number), [limits.INTERVAL_EVERY_MIN, limits.INTERVAL_EVERY_MAX]);
    assertEquals(bound(src, /'times'\)::integer between 1 and (\d+)/, "monthly"), limits.MONTHLY_TIMES_MAX);
    assertEquals(bound(src, /'days'\)::integer <= (\d+)/, "times in days"), limits.TIMES_IN_DAYS_MAX);
  });

  await t.step("accounts: e-mail and display name in the account functions", async () => {
    const sources = await test.db.sql<{ name: string; src: string }[]>`
      select proname as name, prosrc as src from pg_proc
       where prosrc like '%length(v_email) >%' or prosrc like '%length(btrim(p_display_name)) >%'`;
    const emails = sources.flatMap((row) => [...row.src.matchAll(/length\(v_email\) > (\d+)/g)].map((m) => m[1]));
    const names = sources.flatMap((row) =>
      [...row.src.matchAll(/length\(btrim\(p_display_name\)\) > (\d+)/g)].map((m) => m[1])
    );
    assert(emails.length > 0 && names.length > 0, "the account functions check e-mail and display name");
    assertEquals(new Set(emails), new Set([String(limits.EMAIL_MAX)]));
    assertEquals(new Set(names), new Set([String(limits.DISPLAY_NAME_MAX)]));
  });
});
