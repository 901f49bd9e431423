import { logOut } from "@/db/accounts.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { define } from "@/app/state.ts";

/** Ends the request's session (its row is deleted) and clears the cookie: 204, also when signed out. */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    if (ctx.state.auth?.kind === "session") await logOut(db, ctx.state.auth.sessionHash);
    return new Response(null, { status: 204, headers: { "Set-Cookie": clearSessionCookie(config) } });
  },
});
