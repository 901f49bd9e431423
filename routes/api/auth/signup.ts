import { accountView, signUp } from "../../../db/accounts.ts";
import { signupSchema } from "../../../lib/account_input.ts";
import { sessionCookie } from "../../../lib/auth/session_cookie.ts";
import { readBody } from "../../../lib/body.ts";
import { define } from "../../../lib/state.ts";
import { parseInput } from "../../../lib/validate.ts";

/** Creates an account and signs it in: 201 `{user}` + the session cookie; a taken e-mail → 409. */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    const input = parseInput(signupSchema, (await readBody(ctx.req)).data);
    const current = ctx.state.auth?.kind === "session" ? ctx.state.auth.sessionHash : undefined;
    const { user, sessionSecret } = await signUp(db, input, current);
    return Response.json({ user: accountView(user) }, {
      status: 201,
      headers: { "Set-Cookie": sessionCookie(config, sessionSecret) },
    });
  },
});
