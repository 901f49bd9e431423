/**
 * Writes validated {@linkcode ImportData} (a JSON export, or Loop's CSV read by
 * `app/loop_import.ts`) into a user's account: all or nothing, in short statements, and
 * adding only what the account does not already have.
 *
 * ## Why not one transaction
 * Embedded PGlite has ONE backend session for the whole app (db/client.ts, pool of 1):
 * while any transaction is open, every other user's query waits for it. PGlite writes
 * 20,000–50,000 bare check-ins a second here (1,000 rows ≈ 20–50 ms), a few thousand with
 * notes on a busy machine (measured: 100,000 with notes in 19–28 s), so one transaction
 * of the 100,000 check-ins `domain/import_limits.ts` allows would hold everyone for seconds
 * to tens of seconds: the original report saw `/api/health/deep` 503 for minutes.
 * On Postgres the same transaction would hold one pooled connection, and one
 * statement of 100,000 rows would run past the statement deadline. So the work is cut
 * into short statements that others' queries interleave with, and all-or-nothing comes
 * from a journal instead of one transaction:
 *
 * 1. **Begin** (one transaction, short): record the import in `imports` (one running
 *    import per user: a second is a 409), take the user's lock and check the plan's caps
 *    (`lock_import_quota`: active habits, archived habits, goals), insert the new habits
 *    and goals, tagged with the import's id. Capped at 2,000 habits and 1,000 goals.
 * 2. **Check-ins** in chunks, one statement each (its own transaction), tagged too,
 *    sized to take ~{@linkcode IMPORT_STATEMENT_TARGET_MS} ms each. Other users'
 *    requests run between chunks.
 * 3. **Finish** (one transaction, short): milestones, subgoals, pins, reminders, pauses
 *    and settings, the one `data.imported` activity row, and the journal row marked done.
 *
 * If anything fails after step 1, {@linkcode rollbackImport} removes every tagged row
 * (check-ins in chunks, then habits and goals) and the error is reported: nothing of
 * the file stays. A process that dies mid-import leaves its journal row `running`; the
 * next import of that user, or the scheduler's sweep, rolls it back once it is older
 * than {@linkcode STALE_IMPORT_MS}. While an import runs, the importing user may see its
 * habits fill in; other users see nothing of it and keep their speed
 * (`bench/import_isolation.ts`).
 *
 * ## Importing twice adds nothing
 * Every object of the file carries a `sourceId` (its id where it came from). An object
 * matches one of the user's own when that one has this id, or was imported from it
 * (`imported_from`); matching only ever looks at the importing user's rows, so a file
 * naming another user's ids creates new objects and touches nothing of theirs.
 * The rule: **what already exists is left as it is; what is missing is added.**
 * - A matched habit keeps its name, schedule and archive state; check-ins are added for
 *   the days it has none (a day it has keeps its own status and note).
 * - A matched goal keeps its fields and pin; missing milestones and subgoals are added.
 * - Matched reminders are skipped; new ones point at the matched or new habit.
 * - A pause matches one of the user's that covers the same habit (or every habit) on the
 *   same first and last day: pauses have no identity beyond that. New pauses count
 *   against the plan's cap of pauses (402 over it, nothing written).
 * - Settings in the file are applied only when nothing in it matched (a file from
 *   another account, or a fresh restore), never over the settings of the account it
 *   came from.
 * - New objects get new ids; their `imported_from` records the file's id. Habits and
 *   goals count against the plan only when they are new.
 *
 * @example
 * ```ts
 * const data = parseExportDocument(body, today); // domain/import_document.ts
 * const summary = await importUserData(db, user.id, data);
 * summary.habits; // habits added; summary.existing.habits: already there, left alone
 * ```
 */
import type { ImportData, ImportGoal, ImportMilestone, ImportSubgoal } from "@/domain/import_data.ts";
import { log } from "@/lib/log.ts";
import type postgres from "postgres";
import type { DbQueries } from "./client.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/**
 * How long one check-in statement should take. On PGlite another user's query waits for
 * at most the statement in progress, so this bounds what an import adds to their
 * latency. The chunk size follows it: measured after every statement, so a busy
 * machine gets smaller chunks instead of longer statements.
 */
export const IMPORT_STATEMENT_TARGET_MS = 50;

/** Rows of the first check-in statement, and the bounds the adaptive size stays within. */
export const IMPORT_CHUNK_ROWS = { first: 100, min: 25, max: 500 } as const;

/** A running import older than this is presumed dead (its process crashed) and rolled back. */
export const STALE_IMPORT_MS = 10 * 60_000;

/** How long one import may take before it gives up (well inside {@linkcode STALE_IMPORT_MS}). */
const IMPORT_DEADLINE_MS = 5 * 60_000;

interface Counts {
  habits: number;
  checkins: number;
  goals: number;
  milestones: number;
  subgoals: number;
  reminders: number;
  pauses: number;
}

/** What an import added, and what it found already there (and left as it was). */
export interface ImportSummary extends Counts {
  /** Whether the file's settings were applied. */
  settings: boolean;
  existing: Counts;
}

/** Options; the defaults suit production. */
export interface ImportOptions {
  /** Check-ins per statement, fixed (default: adaptive, see {@linkcode IMPORT_STATEMENT_TARGET_MS}). */
  chunkRows?: number;
  /**
   * Runs after a failed import's rows were removed, before the error is rethrown: the
   * route invalidates the user's read cache (a read during the import may have cached
   * rows that are gone now).
   */
  afterRollback?: () => Promise<void>;
  /** Runs before each check-in chunk (tests make one fail). */
  beforeChunk?: (index: number) => void | Promise<void>;
}

/** Where each of the file's habits and goals went: an existing row, or a new one. */
interface Targets {
  importId: string;
  habits: { id: string; isNew: boolean; kind: string; target: number | null }[];
  goals: { id: string; isNew: boolean }[];
}

/**
 * Imports `data` into the user's account (see the module header); returns what it added.
 * Throws `RuleViolation`: `plan_limit` (402) when new habits or goals pass the plan's
 * caps, `conflict` (409) while another import of this user runs, `invalid` (400) if the
 * database still refuses a row. Nothing of the file is left behind on any error.
 *
 * @example
 * ```ts
 * await importUserData(db, user.id, await parseLoopZip(zip, today)); // { habits: 3, checkins: 120, ... }
 * ```
 */
export async function importUserData(
  db: DbQueries,
  userId: string,
  data: ImportData,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  await recoverStaleImports(db, userId);
  let targets: Targets;
  try {
    targets = await begin(db, userId, data);
  } catch (error) {
    throw asImportFailure(error);
  }
  try {
    const deadline = Date.now() + IMPORT_DEADLINE_MS;
    const checkins = await writeCheckins(db, userId, data, targets, options, deadline);
    return await finish(db, userId, data, targets, checkins);
  } catch (error) {
    try {
      await rollbackImport(db, userId, targets.importId);
    } catch (rollbackError) {
      // The journal row stays running: the next import or the scheduler's sweep retries.
      log.error("import.rollback_failed", { userId, importId: targets.importId, error: rollbackError });
    }
    await options.afterRollback?.();
    throw asImportFailure(error);
  }
}

function asImportFailure(error: unknown): unknown {
  // A second import while one runs (imports_one_running_idx), a rule, a known check.
  const rule = ruleViolationOf(error);
  if (rule) return rule;
  // A check the validation missed: still all-or-nothing, and a 400 rather than a 500.
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (code.startsWith("22") || code.startsWith("23"))) {
    return new RuleViolation("invalid", `The import was refused and nothing was written: ${String(message)}`);
  }
  return error;
}

interface MatchRow {
  id: string;
  imported_from: string | null;
}

/** sourceId → the user's own row it matches: its own id wins over a copy imported from it. */
function matchesBy<T extends MatchRow>(rows: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) if (row.imported_from && !map.has(row.imported_from)) map.set(row.imported_from, row);
  for (const row of rows) map.set(row.id, row);
  return map;
}

function sourceIds(objects: readonly { sourceId: string | null }[]): string[] {
  return objects.flatMap((object) => object.sourceId ? [object.sourceId] : []);
}

/** Step 1: the journal row, the plan's caps under the user's lock, new habits and goals. */
function begin(db: DbQueries, userId: string, data: ImportData): Promise<Targets> {
  return db.tx(async (sql) => {
    const [journal] = await sql<{ id: string }[]>`
      insert into imports (user_id, source) values (${userId}::uuid, ${data.source}) returning id::text`;
    const importId = journal.id;

    const habitRows = await sql<(MatchRow & { kind: string; target: number | null })[]>`
      select id::text, imported_from::text, kind, target from habits
       where user_id = ${userId}::uuid
         and (id = any(${sourceIds(data.habits)}::uuid[]) or imported_from = any(${sourceIds(data.habits)}::uuid[]))`;
    const goalRows = await sql<MatchRow[]>`
      select id::text, imported_from::text from goals
       where user_id = ${userId}::uuid
         and (id = any(${sourceIds(data.goals)}::uuid[]) or imported_from = any(${sourceIds(data.goals)}::uuid[]))`;
    const habitMatch = matchesBy(habitRows);
    const goalMatch = matchesBy(goalRows);

    const habits = data.habits.map((habit) => {
      const found = habit.sourceId ? habitMatch.get(habit.sourceId) : undefined;
      return found
        ? { id: found.id, isNew: false, kind: found.kind, target: found.target }
        : { id: crypto.randomUUID(), isNew: true, kind: habit.kind, target: habit.target };
    });
    const goals = data.goals.map((goal) => {
      const found = goal.sourceId ? goalMatch.get(goal.sourceId) : undefined;
      return found ? { id: found.id, isNew: false } : { id: crypto.randomUUID(), isNew: true };
    });
    const newHabits = data.habits.filter((_, i) => habits[i].isNew);
    const newActive = newHabits.filter((habit) => !habit.archived).length;
    await sql`
      select lock_import_quota(${userId}::uuid, ${newActive}::int, ${newHabits.length - newActive}::int,
        ${goals.filter((goal) => goal.isNew).length}::int)`;

    // Under the lock now: new habits go after the user's own, keeping the file's order.
    const [next] = await sql<{ active_next: number; archived_next: number }[]>`
      select (select coalesce(max(position) + 1, 0) from habits
               where user_id = ${userId}::uuid and archived_at is null)::int as active_next,
             (select coalesce(max(position) + 1, 0) from habits
               where user_id = ${userId}::uuid and archived_at is not null)::int as archived_next`;
    const habitInserts = data.habits.flatMap((habit, i) =>
      habits[i].isNew
        ? [{
          id: habits[i].id,
          imported_from: habit.sourceId,
          name: habit.name,
          color: habit.color,
          kind: habit.kind,
          target: habit.target,
          unit: habit.unit,
          schedule: habit.schedule,
          direction: habit.direction ?? "at_least",
          archived: habit.archived,
          position: habit.position + (habit.archived ? next.archived_next : next.active_next),
          start_date: habit.startDate,
          tags: habit.tags ?? [],
        }]
        : []
    );
    if (habitInserts.length) {
      await sql`
        insert into habits (id, user_id, name, color, kind, target, unit, schedule, direction, archived_at, position,
                            start_date, import_id, imported_from, tags)
        select x.id, ${userId}::uuid, x.name, x.color, x.kind, x.target, x.unit, x.schedule, x.direction,
               case when x.archived then now() end, x.position, x.start_date, ${importId}::uuid, x.imported_from,
               coalesce(x.tags, '{}')
          from jsonb_to_recordset(${JSON.stringify(habitInserts)}::text::jsonb) as x(
            id uuid, name text, color text, kind text, target numeric, unit text, schedule jsonb, direction text,
            archived boolean, position integer, start_date date, imported_from uuid, tags text[])`;
    }
    // Goals keep their creation time (their list is ordered by it, so a round trip keeps the order).
    const goalInserts = data.goals.flatMap((goal, i) =>
      goals[i].isNew
        ? [{
          id: goals[i].id,
          imported_from: goal.sourceId,
          title: goal.title,
          description: goal.description,
          target_date: goal.targetDate,
          status: goal.status,
          created_at: goal.createdAt,
        }]
        : []
    );
    if (goalInserts.length) {
      await sql`
        insert into goals (id, user_id, title, description, target_date, status, created_at, import_id, imported_from)
        select x.id, ${userId}::uuid, x.title, x.description, x.target_date, x.status, coalesce(x.created_at, now()),
               ${importId}::uuid, x.imported_from
          from jsonb_to_recordset(${JSON.stringify(goalInserts)}::text::jsonb) as x(
            id uuid, title text, description text, target_date date, status text, created_at timestamptz,
            imported_from uuid)`;
    }
    // The existing habits that may get check-ins, so a rollback knows where to look.
    const matched = habits.filter((habit) => !habit.isNew).map((habit) => habit.id);
    await sql`update imports set summary = ${JSON.stringify({ matchedHabits: matched })}::text::jsonb
               where id = ${importId}::uuid`;
    return { importId, habits, goals };
  });
}

/**
 * Step 2: check-ins in chunks, each one statement. A day the habit already has is left
 * as it is (`on conflict do nothing`); the join on the user's own habits keeps every row
 * inside the account even if a mapping were wrong. Returns how many were added.
 */
async function writeCheckins(
  db: DbQueries,
  userId: string,
  data: ImportData,
  targets: Targets,
  options: ImportOptions,
  deadline: number,
): Promise<{ added: number; total: number }> {
  const rows = data.habits.flatMap((habit, i) => {
    const target = targets.habits[i];
    // The habit as it is in the account decides what a value means (a matched habit may
    // have changed kind since the export).
    const numeric = target.kind === "numeric";
    return habit.checkins.map((c) => ({
      habit_id: target.id,
      day: c.date,
      status: c.status,
      // As a check-in typed by hand: a numeric "done" without an amount counts as the target.
      value: numeric ? c.value ?? (c.status === "done" ? target.target : null) : null,
      note: c.note,
    }));
  });
  let size = options.chunkRows ?? IMPORT_CHUNK_ROWS.first;
  let lastMs = 0;
  let added = 0;
  for (let start = 0, index = 0; start < rows.length; start += size, index++) {
    if (Date.now() > deadline) throw new Error("The import took too long and was stopped");
    if (index > 0 && options.chunkRows === undefined) size = nextChunkSize(size, lastMs);
    await options.beforeChunk?.(index);
    // A macrotask between statements: requests that arrived meanwhile get to queue their
    // queries ahead of the next chunk (postgres.js serves its queue in order).
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, 0));
    const started = performance.now();
    const [{ n }] = await db.sql<{ n: number }[]>`
      with added as (
        insert into checkins (habit_id, user_id, day, status, value, note, import_id)
        select x.habit_id, ${userId}::uuid, x.day, x.status, x.value, x.note, ${targets.importId}::uuid
          from jsonb_to_recordset(${JSON.stringify(rows.slice(start, start + size))}::text::jsonb) as x(
            habit_id uuid, day date, status text, value numeric, note text)
          join habits h on h.id = x.habit_id and h.user_id = ${userId}::uuid
        on conflict (habit_id, day) do nothing
        returning 1
      )
      select count(*)::int as n from added`;
    lastMs = performance.now() - started;
    added += n;
  }
  return { added, total: rows.length };
}

/** The next chunk's rows: scaled so it takes about {@linkcode IMPORT_STATEMENT_TARGET_MS}, growing by half at most. */
function nextChunkSize(size: number, lastMs: number): number {
  const scaled = Math.round(size * Math.min(1.5, IMPORT_STATEMENT_TARGET_MS / Math.max(lastMs, 1)));
  return Math.min(IMPORT_CHUNK_ROWS.max, Math.max(IMPORT_CHUNK_ROWS.min, scaled));
}

/** Settings columns by the document's names. */
const SETTINGS_COLUMNS = {
  displayName: "display_name",
  timezone: "timezone",
  weekStart: "week_start",
  theme: "theme",
  emailReminders: "email_reminders",
} as const;

/** Step 3: the small rest, the activity row and the journal marked done, in one transaction. */
function finish(
  db: DbQueries,
  userId: string,
  data: ImportData,
  targets: Targets,
  checkins: { added: number; total: number },
): Promise<ImportSummary> {
  return db.tx(async (sql) => {
    const [journal] = await sql`
      select 1 from imports where id = ${targets.importId}::uuid and status = 'running' for update`;
    // Rolled back by someone else (it ran past STALE_IMPORT_MS): nothing of it is left.
    if (!journal) throw new Error("The import was stopped before it could finish");

    const parts = async (kind: "milestones" | "subgoals") => {
      const partsOf = (goal: ImportGoal): (ImportMilestone | ImportSubgoal)[] => goal[kind];
      const all = data.goals.flatMap(partsOf);
      const existing = matchesBy(
        await sql<MatchRow[]>`
          select id::text, imported_from::text from ${sql(kind)}
           where user_id = ${userId}::uuid
             and (id = any(${sourceIds(all)}::uuid[]) or imported_from = any(${sourceIds(all)}::uuid[]))`,
      );
      // After the goal's own parts (a new goal has none), in the file's order.
      const rows = data.goals.flatMap((goal, i) =>
        partsOf(goal).filter((part) => !(part.sourceId && existing.has(part.sourceId)))
          .map((part, ordinal) => ({ ...part, goal_id: targets.goals[i].id, ordinal }))
      );
      return { rows, existing: all.length - rows.length };
    };
    const milestones = await parts("milestones");
    if (milestones.rows.length) {
      await sql`
        insert into milestones (goal_id, user_id, title, due_date, done, position, imported_from)
        select x.goal_id, ${userId}::uuid, x.title, x."dueDate", x.done,
               x.ordinal + coalesce((select max(m.position) + 1 from milestones m where m.goal_id = x.goal_id), 0),
               x."sourceId"
          from jsonb_to_recordset(${JSON.stringify(milestones.rows)}::text::jsonb) as x(
            goal_id uuid, title text, "dueDate" date, done boolean, ordinal integer, "sourceId" uuid)
          join goals g on g.id = x.goal_id and g.user_id = ${userId}::uuid`;
    }
    const subgoals = await parts("subgoals");
    if (subgoals.rows.length) {
      await sql`
        insert into subgoals (goal_id, user_id, title, progress, done, position, imported_from)
        select x.goal_id, ${userId}::uuid, x.title, x.progress, x.done,
               x.ordinal + coalesce((select max(s.position) + 1 from subgoals s where s.goal_id = x.goal_id), 0),
               x."sourceId"
          from jsonb_to_recordset(${JSON.stringify(subgoals.rows)}::text::jsonb) as x(
            goal_id uuid, title text, progress integer, done boolean, ordinal integer, "sourceId" uuid)
          join goals g on g.id = x.goal_id and g.user_id = ${userId}::uuid`;
    }

    // Pins: new goals only (a matched goal keeps its own pin state), after the user's pins.
    const pinned = data.goals.map((goal, i) => ({ goal, target: targets.goals[i] }))
      .filter(({ goal, target }) => target.isNew && goal.pinPosition !== null)
      .sort((a, b) => a.goal.pinPosition! - b.goal.pinPosition!)
      .map(({ target }, ordinal) => ({ goal_id: target.id, ordinal }));
    if (pinned.length) {
      await sql`
        insert into goal_pins (goal_id, user_id, position)
        select x.goal_id, ${userId}::uuid,
               x.ordinal + coalesce((select max(p.position) + 1 from goal_pins p where p.user_id = ${userId}::uuid), 0)
          from jsonb_to_recordset(${JSON.stringify(pinned)}::text::jsonb) as x(goal_id uuid, ordinal integer)`;
    }

    const reminderMatch = matchesBy(
      await sql<MatchRow[]>`
        select id::text, imported_from::text from reminders
         where user_id = ${userId}::uuid
           and (id = any(${sourceIds(data.reminders)}::uuid[])
                or imported_from = any(${sourceIds(data.reminders)}::uuid[]))`,
    );
    const reminders = data.reminders.filter((r) => !(r.sourceId && reminderMatch.has(r.sourceId))).map((r) => ({
      habit_id: r.habitIndex === null ? null : targets.habits[r.habitIndex].id,
      title: r.title,
      time_of_day: r.time,
      days: r.days,
      enabled: r.enabled,
      imported_from: r.sourceId,
    }));
    if (reminders.length) {
      await sql`
        insert into reminders (user_id, habit_id, title, time_of_day, days, enabled, imported_from)
        select ${userId}::uuid, h.id, x.title, x.time_of_day,
               array(select jsonb_array_elements_text(x.days)::smallint), x.enabled, x.imported_from
          from jsonb_to_recordset(${JSON.stringify(reminders)}::text::jsonb) as x(
            habit_id uuid, title text, time_of_day time, days jsonb, enabled boolean, imported_from uuid)
          left join habits h on h.id = x.habit_id and h.user_id = ${userId}::uuid`;
    }

    const pauses = await importPauses(sql, userId, data, targets);

    const existing: Counts = {
      habits: targets.habits.filter((h) => !h.isNew).length,
      checkins: checkins.total - checkins.added,
      goals: targets.goals.filter((g) => !g.isNew).length,
      milestones: milestones.existing,
      subgoals: subgoals.existing,
      reminders: data.reminders.length - reminders.length,
      pauses: (data.pauses?.length ?? 0) - pauses,
    };
    const fromThisAccount = existing.habits + existing.goals + existing.milestones + existing.subgoals +
        existing.reminders > 0;
    const settings = fromThisAccount
      ? []
      : Object.entries(data.settings ?? {}).filter(([, value]) => value !== undefined);
    if (settings.length) {
      const changes = Object.fromEntries(
        settings.map(([key, value]) => [SETTINGS_COLUMNS[key as keyof typeof SETTINGS_COLUMNS], value]),
      );
      await sql`update users set ${sql(changes)}, updated_at = now() where id = ${userId}::uuid`;
    }

    const summary: ImportSummary = {
      habits: targets.habits.filter((h) => h.isNew).length,
      checkins: checkins.added,
      goals: targets.goals.filter((g) => g.isNew).length,
      milestones: milestones.rows.length,
      subgoals: subgoals.rows.length,
      reminders: reminders.length,
      pauses,
      settings: settings.length > 0,
      existing,
    };
    await sql`
      select log_activity(${userId}::uuid, 'data.imported', 'account', ${userId}::text,
        ${JSON.stringify({ source: data.source, ...summary })}::text::jsonb)`;
    await sql`
      update imports set status = 'done', finished_at = now(), summary = ${JSON.stringify(summary)}::text::jsonb
       where id = ${targets.importId}::uuid`;
    return summary;
  });
}

/**
 * Adds the file's pauses that the user does not have yet (same habit or every habit, same
 * days), within the Finish transaction; returns how many it added. The plan's cap of
 * pauses is checked under the user's row lock, as `create_pause` (sql/016) does, so
 * neither can pass it while the other runs.
 */
async function importPauses(
  sql: postgres.TransactionSql,
  userId: string,
  data: ImportData,
  targets: Targets,
): Promise<number> {
  if (!data.pauses?.length) return 0;
  // One row per habit and days: a file that lists a pause twice adds it once.
  const unique = new Map(data.pauses.map((p) => [`${p.habitIndex}|${p.from}|${p.to}`, p]));
  const wanted = [...unique.values()].map((p) => ({
    habit_id: p.habitIndex === null ? null : targets.habits[p.habitIndex].id,
    from_day: p.from,
    to_day: p.to,
    note: p.note,
    created_at: p.createdAt,
  }));
  const [plan] = await sql<{ max_pauses: number; plan: string }[]>`
    select p.max_pauses, p.id as plan from users u join plans p on p.id = u.plan_id
     where u.id = ${userId}::uuid for no key update of u`;
  const added = await sql<{ id: string }[]>`
    insert into pauses (user_id, habit_id, from_day, to_day, note, created_at)
    select ${userId}::uuid, x.habit_id, x.from_day, x.to_day, x.note, coalesce(x.created_at, now())
      from jsonb_to_recordset(${JSON.stringify(wanted)}::text::jsonb) as x(
        habit_id uuid, from_day date, to_day date, note text, created_at timestamptz)
     where not exists (
       select 1 from pauses p
        where p.user_id = ${userId}::uuid and p.habit_id is not distinct from x.habit_id
          and p.from_day = x.from_day and p.to_day = x.to_day)
    returning id::text`;
  const [{ total }] = await sql<{ total: number }[]>`
    select count(*)::int as total from pauses where user_id = ${userId}::uuid`;
  if (added.length > 0 && total > plan.max_pauses) {
    // Throwing rolls the Finish transaction back; importUserData then removes the rest of the file.
    throw new RuleViolation(
      "plan_limit",
      `Your ${plan.plan} plan keeps ${plan.max_pauses} pauses; this file would make ${total}. ` +
        "Delete old pauses, or upgrade at /upgrade.",
    );
  }
  return added.length;
}

/**
 * Removes everything import `importId` wrote and marks it failed: its check-ins (in
 * chunks, habit by habit: the new habits', and those it added to existing habits, whose
 * ids the journal row lists), then its habits and goals (their milestones, subgoals and
 * pins go with them). Safe to run twice.
 *
 * @example
 * ```ts
 * await rollbackImport(db, user.id, importId);
 * ```
 */
export async function rollbackImport(
  db: DbQueries,
  userId: string,
  importId: string,
  chunkRows: number = IMPORT_CHUNK_ROWS.first,
): Promise<void> {
  const [journal] = await db.sql<{ matched: string[] | null }[]>`
    select array(select jsonb_array_elements_text(summary->'matchedHabits')) as matched
      from imports where id = ${importId}::uuid and user_id = ${userId}::uuid`;
  const created = await db.sql<{ id: string }[]>`
    select id::text from habits where user_id = ${userId}::uuid and import_id = ${importId}::uuid`;
  for (const habitId of [...created.map((h) => h.id), ...(journal?.matched ?? [])]) {
    while (true) {
      const [{ n }] = await db.sql<{ n: number }[]>`
        with doomed as (
          select habit_id, day from checkins
           where habit_id = ${habitId}::uuid and import_id = ${importId}::uuid
           limit ${chunkRows}
        ), gone as (
          delete from checkins c using doomed d
           where c.habit_id = d.habit_id and c.day = d.day
          returning 1
        )
        select count(*)::int as n from gone`;
      if (n === 0) break;
    }
  }
  await db.sql`delete from habits where user_id = ${userId}::uuid and import_id = ${importId}::uuid`;
  await db.sql`delete from goals where user_id = ${userId}::uuid and import_id = ${importId}::uuid`;
  await db.sql`
    update imports set status = 'failed', finished_at = now()
     where id = ${importId}::uuid and status = 'running'`;
}

/**
 * Rolls back the imports left running longer than {@linkcode STALE_IMPORT_MS} (their
 * process died): the user's, or anyone's (at most `limit`) when `userId` is omitted (the
 * scheduler's sweep). Returns the users whose imports it rolled back, once per import.
 *
 * @example
 * ```ts
 * await recoverStaleImports(db); // [] on a healthy system
 * ```
 */
export async function recoverStaleImports(db: DbQueries, userId?: string, limit = 10): Promise<string[]> {
  const stale = await db.sql<{ id: string; user_id: string }[]>`
    select id::text, user_id::text from imports
     where status = 'running' and started_at < now() - ${STALE_IMPORT_MS / 1000} * interval '1 second'
       and (${userId ?? null}::uuid is null or user_id = ${userId ?? null}::uuid)
     order by started_at
     limit ${limit}`;
  for (const { id, user_id } of stale) {
    log.warn("import.stale_rolled_back", { userId: user_id, importId: id });
    await rollbackImport(db, user_id, id);
  }
  return stale.map((row) => row.user_id);
}
