import { accountDeleteSchema, WRONG_PASSWORD } from "@/domain/account_input.ts";
import { deleteOwnAccount } from "@/app/account_erasure.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { define } from "@/app/state.ts";
import { parseInput, ValidationError } from "@/lib/validate.ts";

/**
 * Deletes the account: `{password}` → 204. Every row of the user in Postgres and every
 * KV entry of theirs is gone when this answers; the cookie and every token stop working
 * on every instance at once. A wrong password → 400 naming it.
 */
export const handler = define.handlers({
  async DELETE(ctx) {
    requireUser(ctx);
    const bySession = ctx.state.auth?.kind === "session";
    const { password } = parseInput(accountDeleteSchema, (await readBody(ctx.req)).data);
    if (!await deleteOwnAccount(ctx, password)) {
      throw new ValidationError({ password: WRONG_PASSWORD }, WRONG_PASSWORD);
    }
    const headers = bySession ? { "Set-Cookie": clearSessionCookie(ctx.state.services.config) } : undefined;
    return new Response(null, { status: 204, headers });
  },
});
