import { pinGoal } from "@/db/goals.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { goalPinSchema, pinFormToInput } from "@/domain/goal_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";
import { formString } from "@/domain/form_fields.ts";

/** Where a pin form may come back to: the list, the dashboard or a goal's page (never elsewhere). */
function backTo(back: string | undefined, goalId: string): string {
  if (back === "/app" || back === "/goals") return back;
  return `/goals/${goalId}`;
}

export const handler = define.handlers({
  /** The no-JavaScript pin form (`goalId`, `pinned`, `position?`, `back`): 303 back where it came from. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data: form } = await readBody(ctx.req);
    const input = parseInput(goalPinSchema, pinFormToInput(form));
    const goal = await pinGoal(ctx.state.services.db, user.id, input);
    if (!goal) throw new HttpError(404, "No goal with that id");
    setFlash(
      ctx,
      !goal.pinned
        ? `“${goal.title}” unpinned from the dashboard.`
        : input.position !== undefined
        ? `“${goal.title}” moved to position ${(goal.pinPosition ?? 0) + 1} on the dashboard.`
        : `“${goal.title}” pinned to the dashboard.`,
    );
    return ctx.redirect(backTo(formString(form.back), goal.id), 303);
  },
});
