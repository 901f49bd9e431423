import { deletePause } from "@/db/pauses.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /** Deletes the pause: its days count again. Another user's pause is a 404. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deletePause(ctx.state.services.db, user.id, ctx.params.id))) {
      throw new HttpError(404, "No pause with that id");
    }
    return new Response(null, { status: 204 });
  },
});
