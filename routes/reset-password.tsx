import { Actions, ErrorSummary, Field } from "@/components/form.tsx";
import { confirmPasswordReset, isLivePasswordReset, RESET_LINK_INVALID } from "@/db/passwords.ts";
import { formText, passwordResetConfirmSchema, RESET_UNAVAILABLE } from "@/domain/account_input.ts";
import { formFailure, parseWithNewPassword } from "@/app/account_form.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/domain/limits.ts";

interface ResetPasswordPage {
  /** False when this server sends no e-mail (no `SMTP_URL`): reset is unavailable. */
  available: boolean;
  /** The link's secret, carried through the form; empty when the link is not usable. */
  token: string;
  /** Set when the link is invalid, used or expired: the page offers a new one. */
  deadLink?: boolean;
  errors?: FieldErrors;
}

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export const handler = define.handlers({
  /** The link from the e-mail: the form when the link still works, else how to get a new one. */
  async GET(ctx) {
    ctx.state.title = "Choose a new password";
    if (!ctx.state.services.config.smtpUrl) return page<ResetPasswordPage>({ available: false, token: "" });
    const token = ctx.url.searchParams.get("token") ?? "";
    if (!TOKEN.test(token) || !await isLivePasswordReset(ctx.state.services.db, token)) {
      return page<ResetPasswordPage>({ available: true, token: "", deadLink: true }, { status: 400 });
    }
    return page<ResetPasswordPage>({ available: true, token });
  },

  /** Sets the new password; every session ends. 303 to the log-in page, or the form with its problems. */
  async POST(ctx) {
    ctx.state.title = "Choose a new password";
    const { db, config } = ctx.state.services;
    if (!config.smtpUrl) return page<ResetPasswordPage>({ available: false, token: "" }, { status: 503 });
    const { data } = await readBody(ctx.req);
    const token = formText(data.token);
    try {
      const input = await parseWithNewPassword(passwordResetConfirmSchema, data, { field: "newPassword" });
      const userId = await confirmPasswordReset(db, input.token, input.newPassword);
      // Every session of the user ended: every instance must forget them now.
      await renewUserVersion(ctx.state.services, userId);
      const response = ctx.redirect("/login?done=reset", 303);
      // The browser's own cookie died with the rest when it was this user's session.
      if (ctx.state.user?.id === userId) response.headers.append("Set-Cookie", clearSessionCookie(config));
      return response;
    } catch (error) {
      const failed = formFailure(error);
      if (!failed) throw error;
      const dead = failed.errors._ === RESET_LINK_INVALID || failed.errors.token !== undefined;
      return page<ResetPasswordPage>(
        { available: true, token: dead ? "" : token, deadLink: dead, errors: dead ? undefined : failed.errors },
        { status: failed.status },
      );
    }
  },
});

/** The page a reset link opens: one new password, then log in with it. */
export default define.page<typeof handler>(function ResetPassword({ data }) {
  return (
    <section class="auth-page">
      <div class="card auth-card">
        <h1>Choose a new password</h1>
        {!data.available
          ? <p class="notice" role="status">{RESET_UNAVAILABLE}.</p>
          : data.deadLink
          ? (
            <p class="notice" role="alert">
              {RESET_LINK_INVALID}: <a href="/forgot-password">send me a new link</a>.
            </p>
          )
          : (
            <>
              <p class="muted">This signs you out everywhere; then log in with the new password.</p>
              <ErrorSummary errors={data.errors} />
              <form method="post" action="/reset-password">
                <input type="hidden" name="token" value={data.token} />
                <Field
                  label="New password"
                  name="newPassword"
                  type="password"
                  hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters, not easy to guess. A few unrelated words make a strong one.`}
                  error={data.errors?.newPassword}
                  autocomplete="new-password"
                  maxLength={PASSWORD_MAX}
                  required
                />
                <Actions>
                  <button type="submit" class="button button-primary">Set new password</button>
                </Actions>
              </form>
            </>
          )}
      </div>
    </section>
  );
});
