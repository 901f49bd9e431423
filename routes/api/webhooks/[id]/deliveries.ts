import { listDeliveries } from "@/db/webhooks.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";

/**
 * The last 20 deliveries of one of the user's webhooks, newest first, each with its
 * status (`pending`, `delivered`, `retrying`, `failed`), attempts, the receiver's last
 * HTTP status and error. Another user's, unknown or malformed id → 404.
 */
export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    const deliveries = await listDeliveries(ctx.state.services.db, user.id, ctx.params.id);
    if (!deliveries) throw new HttpError(404, "No webhook with that id");
    return Response.json({ deliveries });
  },
});
