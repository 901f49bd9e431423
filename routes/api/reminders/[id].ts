import { deleteReminder, updateReminder } from "@/db/reminders.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { reminderUpdateSchema } from "@/domain/reminder_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/** Another user's reminder, an unknown id and a malformed one all read the same. */
const NOT_FOUND = "No reminder with that id";

export const handler = define.handlers({
  /** Any of `habitId, title, time, days, enabled`; only those sent change. */
  async PATCH(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const patch = parseInput(reminderUpdateSchema, data);
    const reminder = await updateReminder(ctx.state.services.db, user.id, ctx.params.id, patch);
    if (!reminder) throw new HttpError(404, NOT_FOUND);
    return Response.json({ reminder });
  },

  /** Deletes the reminder; the notifications it already sent stay. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deleteReminder(ctx.state.services.db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
    return new Response(null, { status: 204 });
  },
});
