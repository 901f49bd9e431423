import { markNotificationsRead } from "@/db/notifications.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { markReadSchema } from "@/domain/reminder_input.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** Marks `ids` read, or every unread notification without ids; an id not the user's is a 404 and changes nothing. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const { ids } = parseInput(markReadSchema, data);
    await markNotificationsRead(ctx.state.services.db, user.id, ids);
    return new Response(null, { status: 204 });
  },
});
