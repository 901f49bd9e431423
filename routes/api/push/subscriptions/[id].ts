import { deletePushSubscription } from "@/db/push.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /** Stops reminders to that device. Another user's id, an unknown one and a malformed one: 404 alike. */
  async DELETE(ctx) {
    const user = requireUser(ctx);
    if (!(await deletePushSubscription(ctx.state.services.db, user.id, ctx.params.id))) {
      throw new HttpError(404, "No device with that id");
    }
    return new Response(null, { status: 204 });
  },
});
