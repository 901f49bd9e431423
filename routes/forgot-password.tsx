import { Actions, EmailField, ErrorSummary } from "@/components/form.tsx";
import { requestPasswordReset } from "@/db/passwords.ts";
import { formText, passwordResetRequestSchema, RESET_UNAVAILABLE } from "@/domain/account_input.ts";
import { formFailure } from "@/app/account_form.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { passwordResetEmail } from "@/lib/password_reset_email.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";

interface ForgotPasswordPage {
  /** False when this server sends no e-mail (no `SMTP_URL`): the page says so. */
  available: boolean;
  email: string;
  errors?: FieldErrors;
  /** Set once a request went through: the page then says to check the inbox. */
  sent?: boolean;
}

export const handler = define.handlers({
  GET(ctx) {
    ctx.state.title = "Forgot password";
    return page<ForgotPasswordPage>({ available: Boolean(ctx.state.services.config.smtpUrl), email: "" });
  },

  /**
   * Asks for a reset link. The answer is the same whether or not an account has the
   * address (the e-mail goes out only when one does): nobody learns who has an account.
   */
  async POST(ctx) {
    ctx.state.title = "Forgot password";
    const { db, config } = ctx.state.services;
    if (!config.smtpUrl) return page<ForgotPasswordPage>({ available: false, email: "" }, { status: 503 });
    const { data } = await readBody(ctx.req);
    try {
      const { email } = parseInput(passwordResetRequestSchema, data);
      await requestPasswordReset(db, email, (token) => passwordResetEmail(config.appOrigin, token));
      return page<ForgotPasswordPage>({ available: true, email, sent: true });
    } catch (error) {
      const failed = formFailure(error);
      if (!failed) throw error;
      return page<ForgotPasswordPage>({ available: true, email: formText(data.email), errors: failed.errors }, {
        status: failed.status,
      });
    }
  },
});

/** Forgot password: an e-mail address in, a single-use reset link out (by e-mail). */
export default define.page<typeof handler>(function ForgotPassword({ data }) {
  return (
    <section class="auth-page">
      <div class="card auth-card">
        <h1>Forgot your password?</h1>
        {!data.available
          ? <p class="notice" role="status">{RESET_UNAVAILABLE}.</p>
          : data.sent
          ? (
            <p class="notice" role="status">
              Check your inbox: if an account has{" "}
              <strong>{data.email}</strong>, a link to choose a new password is on its way. It works once, for one hour;
              it may take a minute to arrive.
            </p>
          )
          : (
            <>
              <p class="muted">Enter your account's e-mail address: we send you a link to choose a new password.</p>
              <ErrorSummary errors={data.errors} />
              <form method="post" action="/forgot-password">
                <EmailField value={data.email} error={data.errors?.email} />
                <Actions>
                  <button type="submit" class="button button-primary">Send me a link</button>
                </Actions>
              </form>
            </>
          )}
        <p class="auth-switch">
          Remembered it? <a href="/login">Log in</a>
        </p>
      </div>
    </section>
  );
});
