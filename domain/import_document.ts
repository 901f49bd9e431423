/**
 * Reads a JSON export (`domain/export_format.ts`'s {@linkcode ExportDocument}, as this app
 * wrote it or edited by hand) into {@linkcode ImportData}, or throws an
 * {@linkcode ImportError} naming the first bad value by its path
 * (`habits[2].checkins[5].date: The date is after today`). Pure.
 *
 * - Every row is validated like typed input (the habit schema of `domain/habit_input.ts`,
 *   the same bounds as the tables), after {@linkcode cleanImportedText}: leading
 *   whitespace, control and format characters are dropped from every text.
 * - Text that cannot be stored (a lone UTF-16 surrogate, anywhere in the document) is
 *   refused, not silently replaced; so is nesting deeper than any export.
 * - Row caps (`domain/import_limits.ts`) are checked before the rows are read.
 * - Ids: each object's `id` becomes its `sourceId` (what a later import matches on);
 *   two objects of one kind with the same id are refused. Milestone and subgoal ids are
 *   optional (older exports lacked them).
 *
 * @example
 * ```ts
 * const data = parseExportDocument(JSON.parse(text), localDay(user.timezone));
 * ```
 */
import { z } from "zod";
import { type SettingsInput, settingsSchema } from "./account_input.ts";
import { isValidDate } from "./calendar.ts";
import { EXPORT_FORMAT, EXPORT_VERSION } from "./export_format.ts";
import { goalCreateSchema, milestoneCreateSchema, subgoalUpdateSchema } from "./goal_input.ts";
import { checkinNoteSchema, checkinValueSchema, DEFAULT_HABIT_COLOR, habitCreateSchema } from "./habit_input.ts";
import {
  cleanImportedText,
  type ImportData,
  ImportError,
  type ImportGoal,
  type ImportHabit,
  isWellFormedText,
  sourceIdOf,
} from "./import_data.ts";
import { RowCaps } from "./import_limits.ts";
import { HABIT_POSITION_MAX } from "./limits.ts";
import { pauseCreateSchema } from "./pause_input.ts";
import { reminderCreateSchema } from "./reminder_input.ts";

/** `text` cleaned when it is a string; anything else is left for the schema to refuse. */
function cleaned(value: unknown): unknown {
  return typeof value === "string" ? cleanImportedText(value) : value;
}

/** A check-in as the export writes it; `today` bounds the day (no future check-ins). */
function checkinSchema(today: string) {
  return z.object({
    date: z.string({ error: "Send the date as YYYY-MM-DD" })
      .refine(isValidDate, "Send the date as a real day, YYYY-MM-DD")
      .refine((date) => date <= today, "The date is after today"),
    status: z.enum(["done", "skipped", "failed"], { error: 'The status is "done", "skipped" or "failed"' }),
    value: checkinValueSchema.nullable().default(null),
    note: z.preprocess(
      cleaned,
      checkinNoteSchema.nullable().default(null).transform((text) => text === "" ? null : text),
    ),
  });
}

/** The parts of an exported habit that creating a habit does not already check. */
const habitExtrasSchema = z.object({
  archived: z.boolean({ error: "archived is true or false" }).default(false),
  position: z.int({ error: "position is a whole number from 0" }).min(0, "position is a whole number from 0")
    .max(HABIT_POSITION_MAX, `position is a whole number up to ${HABIT_POSITION_MAX}`).default(0),
  startDate: z.string({ error: "Send startDate as YYYY-MM-DD" }).refine(isValidDate, "Send startDate as YYYY-MM-DD"),
  checkins: z.array(z.unknown(), { error: "checkins is a list" }).default([]),
});

function describe(path: readonly PropertyKey[]): string {
  return path.map((part) => typeof part === "number" ? `[${part}]` : `.${String(part)}`).join("").replace(/^\./, "");
}

/** The first problem of a failed parse as an {@linkcode ImportError} at `prefix`. */
function firstProblem(prefix: string, error: z.ZodError): ImportError {
  const [first] = error.issues;
  const where = [prefix, describe(first.path)].filter(Boolean).join(".").replace(".[", "[");
  return new ImportError(where || "The document", first.message);
}

const BROKEN = "It holds a broken character (a lone UTF-16 surrogate): fix or remove it";

/** Deeper than any export goes (doc.goals[i].milestones[j].title is 4 levels). */
const MAX_DEPTH = 16;

/**
 * Where the first problem with the document's text is: a string (value or key) that is
 * not well-formed UTF-16, or nesting deeper than {@linkcode MAX_DEPTH}. Iterative: a
 * hostile document nested 100,000 levels deep must not exhaust the stack.
 */
function textProblemAt(doc: unknown): { where: string; problem: string } | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: doc, path: "", depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    const where = path || "The document";
    if (typeof value === "string") {
      if (!isWellFormedText(value)) return { where, problem: BROKEN };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DEPTH) return { where, problem: "It is nested deeper than any export" };
    const children: [string, unknown][] = [];
    if (Array.isArray(value)) value.forEach((inner, i) => children.push([`${path}[${i}]`, inner]));
    else {
      for (const [key, inner] of Object.entries(value)) {
        if (!isWellFormedText(key)) return { where, problem: BROKEN };
        children.push([path ? `${path}.${key}` : key, inner]);
      }
    }
    for (const [childPath, inner] of children.reverse()) {
      stack.push({ value: inner, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}

/** Ids of one kind: each becomes a sourceId, and must not repeat within the document. */
function idsOf(where: string) {
  const seen = new Set<string>();
  return (id: unknown, at: string): string | null => {
    const sourceId = sourceIdOf(id);
    if (sourceId) {
      if (seen.has(sourceId)) throw new ImportError(`${at}.id`, `A second ${where} with the id ${sourceId}`);
      seen.add(sourceId);
    }
    return sourceId;
  };
}

/**
 * Reads a JSON export into {@linkcode ImportData}, or throws an {@linkcode ImportError}
 * naming the first bad value (see the module header).
 *
 * @example
 * ```ts
 * const data = parseExportDocument(JSON.parse(text), "2026-03-03");
 * data.habits[0].sourceId; // the habit's id in the account it was exported from
 * ```
 */
export function parseExportDocument(value: unknown, today: string): ImportData {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ImportError("The document", "Send a JSON export: one object with format, version and habits");
  }
  const doc = value as Record<string, unknown>;
  if (doc.format !== EXPORT_FORMAT || doc.version !== EXPORT_VERSION) {
    throw new ImportError(
      "The document",
      `This is not a ConsistencyGrid export (expected format "${EXPORT_FORMAT}", version ${EXPORT_VERSION})`,
    );
  }
  const textProblem = textProblemAt(doc);
  if (textProblem) throw new ImportError(textProblem.where, textProblem.problem);
  if (!Array.isArray(doc.habits)) throw new ImportError("habits", "Send the habits as a list");
  const goalsRaw = list(doc.goals, "goals");
  const remindersRaw = list(doc.reminders, "reminders");
  const pausesRaw = list(doc.pauses, "pauses");

  // Caps first: counting is cheap, validating a million rows is not.
  const caps = new RowCaps();
  caps.add("habits", "habits", doc.habits.length);
  doc.habits.forEach((raw: unknown, i) => {
    const checkins = (raw as { checkins?: unknown } | null)?.checkins;
    if (Array.isArray(checkins)) caps.add("checkins", `habits[${i}].checkins`, checkins.length);
  });
  caps.add("goals", "goals", goalsRaw.length);
  goalsRaw.forEach((raw, i) => {
    const { milestones, subgoals } = (raw ?? {}) as { milestones?: unknown; subgoals?: unknown };
    if (Array.isArray(milestones)) caps.add("milestones", `goals[${i}].milestones`, milestones.length);
    if (Array.isArray(subgoals)) caps.add("subgoals", `goals[${i}].subgoals`, subgoals.length);
  });
  caps.add("reminders", "reminders", remindersRaw.length);
  caps.add("pauses", "pauses", pausesRaw.length);

  let settings: SettingsInput | undefined;
  if (doc.settings !== undefined) {
    const raw = doc.settings as Record<string, unknown> | null;
    const parsed = settingsSchema.safeParse(
      typeof raw === "object" && raw !== null && !Array.isArray(raw)
        ? { ...raw, displayName: cleaned(raw.displayName) }
        : raw,
    );
    if (!parsed.success) throw firstProblem("settings", parsed.error);
    settings = parsed.data;
  }

  const checkin = checkinSchema(today);
  const habitId = idsOf("habit");
  const habits = doc.habits.map((raw: unknown, i): ImportHabit => {
    const at = `habits[${i}]`;
    const record = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const { color, kind, target, schedule, direction } = record;
    const base = habitCreateSchema.safeParse({
      name: cleaned(record.name),
      color,
      kind,
      target,
      unit: cleaned(record.unit),
      schedule,
      tags: record.tags,
      direction,
    });
    if (!base.success) throw firstProblem(at, base.error);
    const extras = habitExtrasSchema.safeParse(record);
    if (!extras.success) throw firstProblem(at, extras.error);
    const sourceId = habitId(record.id, at);
    const seen = new Set<string>();
    const checkins = extras.data.checkins.map((rawCheckin, j) => {
      const parsed = checkin.safeParse(rawCheckin);
      if (!parsed.success) throw firstProblem(`${at}.checkins[${j}]`, parsed.error);
      const c = parsed.data;
      if (seen.has(c.date)) throw new ImportError(`${at}.checkins[${j}]`, `A second check-in on ${c.date}`);
      seen.add(c.date);
      if (c.value !== null && base.data.kind !== "numeric") {
        throw new ImportError(`${at}.checkins[${j}].value`, "Only check-ins of numeric habits have a value");
      }
      return c;
    });
    return {
      sourceId,
      name: base.data.name,
      color: base.data.color ?? DEFAULT_HABIT_COLOR,
      kind: base.data.kind ?? "boolean",
      target: base.data.target ?? null,
      unit: base.data.unit ?? null,
      schedule: base.data.schedule ?? { type: "daily" },
      direction: base.data.direction ?? "at_least",
      archived: extras.data.archived,
      position: extras.data.position,
      startDate: extras.data.startDate,
      tags: base.data.tags ?? [],
      checkins,
    };
  });
  // A reminder names its habit by the habit's id in the document, whatever that id is.
  const habitIndex = new Map(doc.habits.map((raw: unknown, i) => [(raw as { id?: unknown })?.id, i]));

  const goalId = idsOf("goal");
  const milestoneId = idsOf("milestone");
  const subgoalId = idsOf("subgoal");
  const goals = goalsRaw.map((raw, i): ImportGoal => {
    const at = `goals[${i}]`;
    const { milestones, subgoals, ...goal } = parseRow(goalSchema, cleanGoal(raw), at);
    return {
      ...goal,
      sourceId: goalId((raw as { id?: unknown }).id, at),
      milestones: milestones.map(({ id, ...m }, j) => ({ ...m, sourceId: milestoneId(id, `${at}.milestones[${j}]`) })),
      subgoals: subgoals.map(({ id, ...sg }, j) => ({ ...sg, sourceId: subgoalId(id, `${at}.subgoals[${j}]`) })),
    };
  });

  const reminderId = idsOf("reminder");
  const reminders = remindersRaw.map((raw, i) => {
    const at = `reminders[${i}]`;
    const record = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const { habitId: ref, id, ...reminder } = parseRow(reminderSchema, { ...record, title: cleaned(record.title) }, at);
    if (ref !== null && !habitIndex.has(ref)) {
      throw new ImportError(`${at}.habitId`, "No habit in this document has that id");
    }
    return { ...reminder, sourceId: reminderId(id, at), habitIndex: ref === null ? null : habitIndex.get(ref)! };
  });

  const pauseId = idsOf("pause");
  const pauses = pausesRaw.map((raw, i) => {
    const at = `pauses[${i}]`;
    const record = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : null) as
      | Record<string, unknown>
      | null;
    if (!record) throw new ImportError(at, "Send each pause as an object with from and to");
    const { id, createdAt, habitId: ref } = parseRow(pauseExtrasSchema, record, at);
    // The same rules as a pause typed in (days, length, note), so an import stores nothing a form would refuse.
    const { from, to, note } = parseRow(pauseCreateSchema, {
      from: record.from,
      to: record.to,
      note: record.note === null ? undefined : cleaned(record.note),
    }, at);
    if (ref !== null && !habitIndex.has(ref)) {
      throw new ImportError(`${at}.habitId`, "No habit in this document has that id");
    }
    return {
      sourceId: pauseId(id, at),
      habitIndex: ref === null ? null : habitIndex.get(ref)!,
      from,
      to,
      note: note || null,
      createdAt,
    };
  });

  return { source: "json", settings, habits, goals, reminders, pauses };
}

/** A goal's texts cleaned (title, description, and its milestones' and subgoals' titles). */
function cleanGoal(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const goal = raw as Record<string, unknown>;
  const titled = (rows: unknown) =>
    Array.isArray(rows)
      ? rows.map((row) =>
        typeof row === "object" && row !== null ? { ...row, title: cleaned((row as { title?: unknown }).title) } : row
      )
      : rows;
  return {
    ...goal,
    title: cleaned(goal.title),
    description: cleaned(goal.description),
    milestones: titled(goal.milestones),
    subgoals: titled(goal.subgoals),
  };
}

/** A list that older documents may lack (then empty). */
function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ImportError(where, "Send a list");
  return value;
}

function parseRow<T extends z.ZodType>(schema: T, raw: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw firstProblem(where, parsed.error);
  return parsed.data;
}

/** Any id: only UUIDs match anything (`sourceIdOf`), but any text is accepted. */
const optionalId = z.unknown().optional();

// Goals, milestones, subgoals and reminders are checked field by field with the input schemas of the API
// (domain/goal_input.ts, domain/reminder_input.ts); only what an export adds (ids, status, pins, defaults) is new here.
const goalFields = goalCreateSchema.shape;
const milestoneFields = milestoneCreateSchema.shape;
const subgoalFields = subgoalUpdateSchema.shape;
const reminderFields = reminderCreateSchema.shape;

const goalSchema = z.object({
  title: goalFields.title,
  description: goalFields.description.default(null).transform((text) => text || null),
  targetDate: goalFields.targetDate.default(null),
  status: z.enum(["active", "done", "dropped"], { error: 'The status is "active", "done" or "dropped"' })
    .default("active"),
  pinPosition: z.int({ error: "pinPosition is a whole number or null" }).min(0, "pinPosition is 0 or more")
    .nullable().default(null),
  createdAt: z.iso.datetime({ error: "Send createdAt as an ISO date-time" }).nullable().default(null),
  milestones: z.array(
    z.object({
      id: optionalId,
      title: milestoneFields.title,
      dueDate: milestoneFields.dueDate.default(null),
      done: z.boolean({ error: "done is true or false" }).default(false),
    }),
    { error: "milestones is a list" },
  ).default([]),
  subgoals: z.array(
    z.object({
      id: optionalId,
      title: subgoalFields.title.unwrap(),
      progress: subgoalFields.progress.default(0),
      done: z.boolean({ error: "done is true or false" }).default(false),
    }),
    { error: "subgoals is a list" },
  ).default([]),
});

/** The parts of an exported pause that creating one does not check. */
const pauseExtrasSchema = z.object({
  id: optionalId,
  habitId: z.string({ error: "habitId is a habit's id from this document, or null" }).nullable().default(null),
  createdAt: z.iso.datetime({ error: "Send createdAt as an ISO date-time" }).nullable().default(null),
});

const reminderSchema = z.object({
  id: optionalId,
  habitId: z.string({ error: "habitId is a habit's id from this document, or null" }).nullable().default(null),
  title: reminderFields.title,
  time: reminderFields.time,
  days: reminderFields.days,
  enabled: reminderFields.enabled.default(true),
});
