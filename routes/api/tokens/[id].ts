import { revokeToken } from "@/db/accounts.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";

/** Revokes one of the user's tokens: 204; another user's, unknown or malformed id → 404. */
export const handler = define.handlers({
  async DELETE(ctx) {
    const user = requireUser(ctx);
    await revokeToken(ctx.state.services.db, user.id, ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
