/**
 * The one mapper from a Postgres error to a {@linkcode RuleViolation}: a rule a function
 * raised (`CG4xx`, see domain/rules.ts), or a table's CHECK or unique constraint that
 * refused a write, looked up by name in {@linkcode CONSTRAINT_RULES}. Input that passed
 * the request schemas rarely gets this far; when it does (a schema and a migration
 * disagree, a race on a unique key), the user gets the constraint's rule in words and a
 * 4xx instead of a 500.
 *
 * Every CHECK and unique constraint of the schema is in one of two tables: here with its
 * rule, or in {@linkcode INTERNAL_CONSTRAINTS} with why no request can break it (then a
 * 500 is right: it is our bug). `tests/db/rule_violation_test.ts` reads `pg_constraint`
 * of a migrated database and fails on a constraint that is in neither.
 *
 * @example
 * ```ts
 * try {
 *   await db.sql`select create_habit(…)`;
 * } catch (error) {
 *   throw ruleViolationOf(error) ?? error; // habits_color_check → RuleViolation invalid "Pick a color as #rrggbb"
 * }
 * ```
 */
import { asRuleViolation, type RuleKind, RuleViolation } from "@/domain/rules.ts";

/** What breaking a constraint means to the user. */
export interface ConstraintRule {
  kind: RuleKind;
  /** Words a person can act on. */
  message: string;
}

const invalid = (message: string): ConstraintRule => ({ kind: "invalid", message });
const NOTE = invalid("Keep the note to 1 to 500 characters");

/** Constraint (or unique index) name → the rule it enforces, for every one a request can reach. */
export const CONSTRAINT_RULES: Readonly<Record<string, ConstraintRule>> = {
  api_tokens_name_check: invalid("Name the token in 1 to 100 characters"),
  checkins_note_check: NOTE,
  checkins_status_check: invalid('The status is "done", "skipped" or "failed"'),
  checkins_value_check: invalid("The value is a number from 0 to 1000000000"),
  goals_title_check: invalid("Give the goal a title of 1 to 200 characters"),
  goals_description_check: invalid("Keep the description to 2000 characters or fewer"),
  goals_status_check: invalid('The status is "active", "done" or "dropped"'),
  habits_name_check: invalid("Name the habit in 1 to 100 characters"),
  habits_color_check: invalid("Pick a color as #rrggbb"),
  habits_kind_check: invalid('Choose kind "boolean" or "numeric"'),
  habits_target_check: invalid(
    'A numeric habit needs a target above 0 and a unit; a yes/no habit has neither (send kind "numeric" with them)',
  ),
  habits_unit_check: invalid("Keep the unit to 1 to 20 characters"),
  habits_schedule_check: invalid(
    "Choose a schedule: daily, weekly (1 to 7 times), weekdays (1 to 7), interval (every 2 to 365 days), monthly (1 to 31 times) or times_in_days (T in D days, 1 ≤ T ≤ D ≤ 365)",
  ),
  habits_direction_check: invalid('Only numeric habits have a limit: "at_most" needs kind "numeric"'),
  habits_position_check: invalid("The position is a whole number from 0"),
  habits_tags_check: invalid("Up to 10 tags of 1 to 30 characters, each once (ignoring case)"),
  imports_one_running_idx: {
    kind: "conflict",
    message: "Another import into your account is still running: wait for it to finish, then try again.",
  },
  milestones_title_check: invalid("Give the milestone a title of 1 to 200 characters"),
  subgoals_title_check: invalid("Give the subgoal a title of 1 to 200 characters"),
  subgoals_progress_check: invalid("Progress is a whole number from 0 to 100"),
  pauses_days_check: invalid("A pause runs from its first day to its last, 366 days at most"),
  pauses_note_check: NOTE,
  push_subscriptions_endpoint_check: invalid("The push endpoint is a URL of 1 to 2048 characters"),
  push_subscriptions_keys_check: invalid("The subscription's keys have the wrong length: subscribe again"),
  push_subscriptions_label_check: invalid("Keep the device name to 100 characters"),
  reminders_days_check: invalid("Pick 1 to 7 days of the week (1 = Monday … 7 = Sunday)"),
  reminders_time_check: invalid("Set the reminder's time as HH:MM, whole minutes"),
  reminders_title_check: invalid("Give the reminder a title of 1 to 100 characters"),
  users_email_lower_key: { kind: "conflict", message: "An account with this e-mail address exists already" },
  users_theme_check: invalid('The theme is "system", "light" or "dark"'),
  users_week_start_check: invalid("The week starts on a day from 1 (Monday) to 7 (Sunday)"),
  webhooks_events_check: invalid("Pick 1 to 10 events"),
  webhooks_url_check: invalid("The webhook URL is 1 to 2048 characters"),
};

/** Constraints no request can break (the values are ours, not the user's), each with why. */
export const INTERNAL_CONSTRAINTS: Readonly<Record<string, string>> = {
  api_tokens_token_hash_key: "the hash of a random 256-bit secret",
  billing_customers_stripe_customer_id_key: "Stripe's customer id, from a signed webhook",
  email_outbox_reminder_idx: "queue_reminder_email inserts with on conflict do nothing",
  goal_pins_position_check: "pin_goal assigns the positions",
  goal_pins_user_position_key: "pin_goal assigns the positions, checked at commit (deferred)",
  habit_shares_token_key: "a random 256-bit token",
  imports_status_check: "set by the import code, not by the request",
  one_tap_uses_action_check: "the route accepts only done and skip",
  plans_limits_not_negative: "plans are seeded by migrations",
  plans_max_archived_habits_check: "plans are seeded by migrations",
  plans_max_pauses_check: "plans are seeded by migrations",
  push_subscriptions_endpoint_key: "save_push_subscription upserts on the endpoint",
  reminder_pushes_device_key: "the scheduler inserts with on conflict do nothing",
  reminder_pushes_status_check: "set by the push sender",
  sessions_public_id_key: "a random id",
  sessions_user_agent_check: "log_in stores left(user_agent, 256)",
  usage_counters_period_check: "the counter functions pass the month's first day",
  usage_counters_used_check: "the counter functions count up from 0",
};

/** SQLSTATEs of a refused constraint: check_violation and unique_violation. */
const CONSTRAINT_CODES = new Set(["23514", "23505"]);

/**
 * The {@linkcode RuleViolation} behind a Postgres error — a `CG4xx` raise, or a
 * constraint in {@linkcode CONSTRAINT_RULES} — else undefined (rethrow the error as it is).
 */
export function ruleViolationOf(error: unknown): RuleViolation | undefined {
  const { code, constraint_name: constraint } = (error ?? {}) as { code?: unknown; constraint_name?: unknown };
  if (typeof code === "string" && CONSTRAINT_CODES.has(code) && typeof constraint === "string") {
    const rule = Object.hasOwn(CONSTRAINT_RULES, constraint) ? CONSTRAINT_RULES[constraint] : undefined;
    if (rule) return new RuleViolation(rule.kind, rule.message);
  }
  return asRuleViolation(error);
}
