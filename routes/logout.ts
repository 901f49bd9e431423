import { logOut } from "@/db/accounts.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { define } from "@/app/state.ts";

/** The layout's "Log out" button: ends the session (its row is deleted), clears the cookie, back to `/`. */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    if (ctx.state.auth?.kind === "session") await logOut(db, ctx.state.auth.sessionHash);
    const response = ctx.redirect("/", 303);
    response.headers.append("Set-Cookie", clearSessionCookie(config));
    return response;
  },
});
