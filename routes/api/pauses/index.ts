import { createPause, listPauses } from "@/db/pauses.ts";
import { pauseCreateSchema } from "@/domain/pause_input.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The user's pauses, latest first. */
  async GET(ctx) {
    const user = requireUser(ctx);
    return Response.json({ pauses: await listPauses(ctx.state.services.db, user.id) });
  },

  /** Pauses one habit (`habitId`) or every habit (none); another user's habit is a 404. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const input = parseInput(pauseCreateSchema, data);
    const pause = await createPause(ctx.state.services.db, user.id, input);
    return Response.json({ pause }, { status: 201, headers: { Location: `/api/pauses/${pause.id}` } });
  },
});
