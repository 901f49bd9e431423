import { accountView, signUp } from "@/db/accounts.ts";
import { signupSchema } from "@/domain/account_input.ts";
import { parseWithNewPassword } from "@/app/account_form.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { currentSessionHash } from "@/app/auth/require_user.ts";
import { sessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";

/**
 * Creates an account and signs it in: 201 `{user}` + the session cookie; a weak password
 * → 400 with the reason on `password`; a taken e-mail → 409 (kept on purpose: see the
 * README's "Security" section).
 */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    const { data } = await readBody(ctx.req);
    const input = await parseWithNewPassword(signupSchema, data, { field: "password", userInputs: [data.email] });
    const current = currentSessionHash(ctx);
    const { user, sessionSecret } = await signUp(db, input, current, ctx.req.headers.get("user-agent"));
    await renewUserVersion(ctx.state.services, user.id);
    return Response.json({ user: accountView(user) }, {
      status: 201,
      headers: { "Set-Cookie": sessionCookie(config, sessionSecret) },
    });
  },
});
