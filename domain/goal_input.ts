/**
 * What a client may send about goals, milestones and subgoals, as zod schemas shared by
 * the JSON API and the no-JavaScript pages (whose flat form fields are mapped to the
 * API's shape first, so one schema validates both and every bad field shows at once).
 *
 * Rules: titles 1–200 characters on one line (trimmed); a description up to 2000
 * characters (empty or null clears it); dates `YYYY-MM-DD` (null clears); `status`
 * `active`, `done` or `dropped`; subgoal `progress` a whole number 0–100; `done` and
 * `pinned` booleans; a pin `position` a whole number 0–1000. `goalId` is any string:
 * an id that is not the user's (or not a UUID) is a 404, decided in db/goals.ts.
 *
 * @example
 * ```ts
 * const input = parseInput(goalCreateSchema, { title: "Run a marathon", targetDate: "2026-10-01" });
 * const fromForm = parseInput(goalCreateSchema, goalFormToInput(form));
 * ```
 */
import { z } from "zod";
import { isValidDate } from "./calendar.ts";
import { formNumber, formString } from "./form_fields.ts";
import type { GoalStatus } from "./goal_progress.ts";
import { GOAL_DESCRIPTION_MAX, GOAL_TITLE_MAX, PIN_POSITION_MAX, PROGRESS_MAX } from "./limits.ts";
import { characters, NOTE_CONTROL, oneLineText } from "./text_rules.ts";

const OBJECT = "Send the fields as one JSON object";

// Goal, milestone and subgoal titles share one bound (MILESTONE_/SUBGOAL_TITLE_MAX equal it; the limits test checks).
function title(what: string) {
  return oneLineText(what, GOAL_TITLE_MAX);
}

const descriptionSchema = z.string({ error: "Send the description as text" })
  .trim()
  .refine(
    (text) => characters(text) <= GOAL_DESCRIPTION_MAX,
    `Keep the description to ${GOAL_DESCRIPTION_MAX} characters or fewer`,
  )
  .refine((text) => !NOTE_CONTROL.test(text), "Remove control characters from the description");

const dateSchema = z.string({ error: "Enter a date as YYYY-MM-DD" })
  .refine(isValidDate, "Enter a real date as YYYY-MM-DD");

const statusSchema = z.enum(["active", "done", "dropped"], { error: 'The status is "active", "done" or "dropped"' });

const goalIdSchema = z.string({ error: "Send goalId, the goal's id" }).min(1, "Send goalId, the goal's id");

const doneSchema = z.boolean({ error: "done is true or false" });

const PROGRESS_MESSAGE = `Progress is a whole number from 0 to ${PROGRESS_MAX}`;
const progressSchema = z.int({ error: PROGRESS_MESSAGE }).min(0, PROGRESS_MESSAGE).max(PROGRESS_MAX, PROGRESS_MESSAGE);

type IssueSink = { addIssue(issue: { code: "custom"; path: string[]; message: string }): void };

/** A PATCH/PUT body must change something. */
function atLeastOne(value: Record<string, unknown>, ctx: IssueSink): void {
  if (Object.values(value).every((field) => field === undefined)) {
    ctx.addIssue({ code: "custom", path: ["_"], message: "Send at least one field to change" });
  }
}

/** POST /api/goals: `{title, description?, targetDate?}`. */
export const goalCreateSchema = z.object({
  title: title("a title"),
  description: descriptionSchema.nullish(),
  targetDate: dateSchema.nullish(),
}, { error: OBJECT });

/** PUT /api/goals/[id]: any of `title, description, targetDate, status`; null clears the optional ones. */
export const goalUpdateSchema = z.object({
  title: title("a title").optional(),
  description: descriptionSchema.nullish(),
  targetDate: dateSchema.nullish(),
  status: statusSchema.optional(),
}, { error: OBJECT }).superRefine(atLeastOne);

/** PATCH /api/goals/pin: `{goalId, pinned, position?}` (position 0-based among pinned goals). */
export const goalPinSchema = z.object({
  goalId: goalIdSchema,
  pinned: z.boolean({ error: "pinned is true or false" }),
  position: z.int({ error: "The position is a whole number from 0" })
    .min(0, "The position is a whole number from 0")
    .max(PIN_POSITION_MAX, `The position is a whole number up to ${PIN_POSITION_MAX}`)
    .nullish(),
}, { error: OBJECT });

/** POST /api/milestones: `{goalId, title, dueDate?}`. */
export const milestoneCreateSchema = z.object({
  goalId: goalIdSchema,
  title: title("a title"),
  dueDate: dateSchema.nullish(),
}, { error: OBJECT });

/** PATCH /api/milestones/[id]: any of `title, dueDate (null clears), done`. */
export const milestoneUpdateSchema = z.object({
  title: title("a title").optional(),
  dueDate: dateSchema.nullish(),
  done: doneSchema.optional(),
}, { error: OBJECT }).superRefine(atLeastOne);

/** POST /api/subgoals: `{goalId, title}`. */
export const subgoalCreateSchema = z.object({
  goalId: goalIdSchema,
  title: title("a title"),
}, { error: OBJECT });

/** PATCH /api/subgoals/[id]: any of `title, progress (0–100), done`. */
export const subgoalUpdateSchema = z.object({
  title: title("a title").optional(),
  progress: progressSchema.optional(),
  done: doneSchema.optional(),
}, { error: OBJECT }).superRefine(atLeastOne);

export type GoalCreateInput = z.output<typeof goalCreateSchema>;
export type GoalUpdateInput = z.output<typeof goalUpdateSchema>;
export type GoalPinInput = z.output<typeof goalPinSchema>;
export type MilestoneCreateInput = z.output<typeof milestoneCreateSchema>;
export type MilestoneUpdateInput = z.output<typeof milestoneUpdateSchema>;
export type SubgoalCreateInput = z.output<typeof subgoalCreateSchema>;
export type SubgoalUpdateInput = z.output<typeof subgoalUpdateSchema>;

/** An optional date box: empty → null (clears), else the text. */
function formDate(value: unknown): string | null | undefined {
  const text = formString(value);
  if (text === undefined) return undefined;
  return text.trim() === "" ? null : text.trim();
}

/** A checkbox or a `true`/`false` hidden field → boolean; absent → undefined. */
function formBoolean(value: unknown): boolean | string | undefined {
  const text = formString(value)?.trim();
  if (text === undefined) return undefined;
  if (text === "true" || text === "on") return true;
  if (text === "false" || text === "") return false;
  return text;
}

function defined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/**
 * The goal form (`title`, `description`, `targetDate`, `status`) → the API's shape for
 * {@linkcode goalCreateSchema} or {@linkcode goalUpdateSchema}; empty boxes clear.
 *
 * @example
 * ```ts
 * goalFormToInput({ title: "Run", targetDate: "" }); // { title: "Run", targetDate: null }
 * ```
 */
export function goalFormToInput(form: Record<string, unknown>): Record<string, unknown> {
  const description = formString(form.description);
  return defined({
    title: formString(form.title),
    description: description === undefined ? undefined : description.trim() === "" ? null : description,
    targetDate: formDate(form.targetDate),
    status: formString(form.status)?.trim() || undefined,
  });
}

/** The milestone forms (`title`, `dueDate`, `done`) → {@linkcode milestoneCreateSchema} / update shape. */
export function milestoneFormToInput(form: Record<string, unknown>): Record<string, unknown> {
  return defined({
    title: formString(form.title),
    dueDate: formDate(form.dueDate),
    done: formBoolean(form.done),
  });
}

/** The subgoal forms (`title`, `progress`, `done`) → {@linkcode subgoalCreateSchema} / update shape. */
export function subgoalFormToInput(form: Record<string, unknown>): Record<string, unknown> {
  return defined({
    title: formString(form.title),
    progress: formNumber(form.progress),
    done: formBoolean(form.done),
  });
}

/** The pin form (`goalId`, `pinned`, `position`) → {@linkcode goalPinSchema}'s shape. */
export function pinFormToInput(form: Record<string, unknown>): Record<string, unknown> {
  return defined({
    goalId: formString(form.goalId),
    pinned: formBoolean(form.pinned),
    position: formNumber(form.position),
  });
}

export interface Milestone {
  id: string;
  goalId: string;
  title: string;
  /** `YYYY-MM-DD` or null. */
  dueDate: string | null;
  done: boolean;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Subgoal {
  id: string;
  goalId: string;
  title: string;
  /** 0–100. */
  progress: number;
  done: boolean;
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A goal as the app and the API show it, with its parts and its progress (domain/goal_progress.ts). */
export interface Goal {
  id: string;
  title: string;
  description: string | null;
  targetDate: string | null;
  status: GoalStatus;
  pinned: boolean;
  /** 0-based place among the pinned goals; null when not pinned. */
  pinPosition: number | null;
  /** 0–100, by {@linkcode goalProgress}. */
  progress: number;
  milestones: Milestone[];
  subgoals: Subgoal[];
  createdAt: Date;
  updatedAt: Date;
}
