/**
 * The pause forms' POST (the habit's pauses page and Settings → Vacation mode), without
 * JavaScript: `intent=create-pause` adds a pause (of one habit, or of every habit when
 * `habitId` is null) and `intent=delete-pause` deletes one; both answer 303 back with a
 * flash. Bad input, or the plan's cap of pauses, comes back as the form's problems and
 * what was typed, for the page to re-render with a 4xx; nothing is written then (one
 * Postgres function per write). Another user's pause is a 404.
 *
 * @example
 * ```ts
 * const outcome = await submitPauseForm(ctx, user.id, { habitId: habit.id, back: `/habits/${habit.id}`, scope: habit.name });
 * if (outcome instanceof Response) return outcome;
 * return page({ ...data, values: outcome.values, errors: outcome.errors }, { status: outcome.status });
 * ```
 */
import { formProblems } from "@/components/form_problems.ts";
import { pauseDays, type PauseFormValues } from "@/components/Pauses.tsx";
import { createPause, deletePause } from "@/db/pauses.ts";
import { formText } from "@/domain/account_input.ts";
import { pauseCreateSchema } from "@/domain/pause_input.ts";
import { readBody } from "@/lib/body.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";
import { type FreshContext, HttpError } from "fresh";
import { setFlash } from "./flash.ts";
import type { State } from "./state.ts";

/** A submission the form must show again. */
export interface PauseFormFailure {
  status: number;
  errors: FieldErrors;
  values: PauseFormValues;
}

/** Where the form's pause applies and where the browser goes back to. */
export interface PauseFormTarget {
  /** The paused habit, or null for every habit. */
  habitId: string | null;
  /** The page to redirect to after a write. */
  back: string;
  /** What the pause covers, for the flash: a habit's name or "every habit". */
  scope: string;
}

/** Handles one pause form post: a 303 `Response` on success, else what to re-render. */
export async function submitPauseForm(
  ctx: FreshContext<State>,
  userId: string,
  target: PauseFormTarget,
): Promise<Response | PauseFormFailure> {
  const { data } = await readBody(ctx.req);
  const { db } = ctx.state.services;
  switch (data.intent) {
    case "create-pause": {
      // Field values as typed, to show again (a repeated field, which the schema refuses, shows empty).
      const values = { from: formText(data.from), to: formText(data.to), note: formText(data.note) };
      try {
        const input = parseInput(pauseCreateSchema, {
          habitId: target.habitId,
          from: data.from,
          to: data.to,
          // An empty note is no note.
          note: typeof data.note === "string" && data.note.trim() === "" ? undefined : data.note,
        });
        const pause = await createPause(db, userId, input);
        setFlash(ctx, `Paused ${target.scope}: ${pauseDays(pause)}.`);
        return ctx.redirect(`${target.back}#pauses`, 303);
      } catch (error) {
        const problems = formProblems(error);
        if (!problems) throw error;
        return { status: problems.status, errors: problems.errors, values };
      }
    }
    case "delete-pause":
      if (!(await deletePause(db, userId, formText(data.pauseId)))) throw new HttpError(404, "No pause with that id");
      setFlash(ctx, "Pause deleted: those days count again.");
      return ctx.redirect(`${target.back}#pauses`, 303);
    default:
      throw new HttpError(400, "Unknown form: reload the page and try again");
  }
}
