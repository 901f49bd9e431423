import { confirmPasswordReset } from "@/db/passwords.ts";
import { asRuleViolation } from "@/domain/rules.ts";
import { passwordResetConfirmSchema, RESET_UNAVAILABLE } from "@/domain/account_input.ts";
import { parseWithNewPassword } from "@/app/account_form.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { currentSessionHash } from "@/app/auth/require_user.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { define } from "@/app/state.ts";
import { ValidationError } from "@/lib/validate.ts";

/**
 * Sets a new password with a reset link's secret: `{token, newPassword}` → 204; every
 * session of the user ends. A used, expired or unknown token → 400 on `token`; a weak
 * password → 400 with the reason on `newPassword` and `password`.
 */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    if (!config.smtpUrl) throw new HttpError(503, RESET_UNAVAILABLE);
    const { data } = await readBody(ctx.req);
    const input = await parseWithNewPassword(passwordResetConfirmSchema, data, {
      field: "newPassword",
      alsoAs: ["password"],
    });
    let userId: string;
    try {
      userId = await confirmPasswordReset(db, input.token, input.newPassword);
    } catch (error) {
      const rule = asRuleViolation(error);
      if (rule?.kind !== "invalid") throw error;
      throw new ValidationError({ token: rule.message }, rule.message);
    }
    // The user's sessions ended: every instance must forget them now.
    await renewUserVersion(ctx.state.services, userId);
    // The caller's own cookie died with the rest when it was this user's session.
    const ended = currentSessionHash(ctx) && ctx.state.user?.id === userId;
    const headers = ended ? { "Set-Cookie": clearSessionCookie(config) } : undefined;
    return new Response(null, { status: 204, headers });
  },
});
