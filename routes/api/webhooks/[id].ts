import { deleteWebhook } from "@/db/webhooks.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";

/** Deletes one of the user's webhooks and its deliveries: 204; another user's, unknown or malformed id → 404. */
export const handler = define.handlers({
  async DELETE(ctx) {
    const user = requireUser(ctx);
    await deleteWebhook(ctx.state.services.db, user.id, ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
