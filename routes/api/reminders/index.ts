import { createReminder, listReminders } from "@/db/reminders.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { reminderCreateSchema } from "@/domain/reminder_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The user's reminders by time of day. */
  async GET(ctx) {
    const user = requireUser(ctx);
    return Response.json({ reminders: await listReminders(ctx.state.services.db, user.id) });
  },

  /** Creates a reminder; a `habitId` that is not one of the user's habits is a 404. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(reminderCreateSchema, data);
    const reminder = await createReminder(ctx.state.services.db, user.id, input);
    return Response.json({ reminder }, { status: 201, headers: { Location: `/api/reminders/${reminder.id}` } });
  },
});
