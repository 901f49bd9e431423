import { accountView, logIn } from "@/db/accounts.ts";
import { LOGIN_FAILED, loginSchema } from "@/domain/account_input.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { currentSessionHash } from "@/app/auth/require_user.ts";
import { sessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/**
 * Signs in: 200 `{user}` + a new session cookie (the request's own session, if any, is
 * rotated out). Unknown e-mail and wrong password get the same 401, in the same time.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    const input = parseInput(loginSchema, (await readBody(ctx.req)).data);
    const current = currentSessionHash(ctx);
    const session = await logIn(db, input, current, ctx.req.headers.get("user-agent"));
    if (!session) throw new HttpError(401, LOGIN_FAILED);
    await renewUserVersion(ctx.state.services, session.user.id);
    return Response.json({ user: accountView(session.user) }, {
      headers: { "Set-Cookie": sessionCookie(config, session.sessionSecret) },
    });
  },
});
