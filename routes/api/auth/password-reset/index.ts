import { requestPasswordReset } from "@/db/passwords.ts";
import { passwordResetRequestSchema, RESET_UNAVAILABLE } from "@/domain/account_input.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { passwordResetEmail } from "@/lib/password_reset_email.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

/**
 * Forgot password: `{email}` → 202, whether or not an account has that address, after
 * the same work either way; when one does, a single-use link valid for an hour goes out
 * through the e-mail outbox. 503 when this server sends no e-mail (no `SMTP_URL`).
 */
export const handler = define.handlers({
  async POST(ctx) {
    const { db, config } = ctx.state.services;
    if (!config.smtpUrl) throw new HttpError(503, RESET_UNAVAILABLE);
    const { email } = parseInput(passwordResetRequestSchema, (await readBody(ctx.req)).data);
    await requestPasswordReset(db, email, (token) => passwordResetEmail(config.appOrigin, token));
    return Response.json({ message: "If an account has this address, a reset link is on its way." }, { status: 202 });
  },
});
