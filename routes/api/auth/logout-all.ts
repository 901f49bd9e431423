import { logOutEverywhere } from "@/db/sessions.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { define } from "@/app/state.ts";

/** "Log out everywhere": every session of the user ends, this one too (API tokens stay): 204. */
export const handler = define.handlers({
  async POST(ctx) {
    const user = requireUser(ctx);
    await logOutEverywhere(ctx.state.services.db, user.id);
    return new Response(null, {
      status: 204,
      headers: { "Set-Cookie": clearSessionCookie(ctx.state.services.config) },
    });
  },
});
