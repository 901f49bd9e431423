import { deletePushSubscription } from "@/db/push.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { setFlash } from "@/app/flash.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /** The form lives on the settings page. */
  GET(ctx) {
    return ctx.redirect("/settings#devices");
  },

  /** Stops reminders to one device: 303 back to the settings; another user's device is a 404. */
  async POST(ctx) {
    const user = requireUser(ctx);
    if (!(await deletePushSubscription(ctx.state.services.db, user.id, ctx.params.id))) {
      throw new HttpError(404, "No device with that id");
    }
    setFlash(ctx, "Device removed: reminders no longer go to it.");
    return ctx.redirect("/settings#devices", 303);
  },
});
