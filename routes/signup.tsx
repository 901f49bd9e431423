import { Actions, EmailField, ErrorSummary, Field } from "@/components/form.tsx";
import { TimezoneField } from "@/components/TimezoneField.tsx";
import { signUp } from "@/db/accounts.ts";
import { formText, signupSchema, TIME_ZONES } from "@/domain/account_input.ts";
import { formFailure, parseWithNewPassword } from "@/app/account_form.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { currentSessionHash } from "@/app/auth/require_user.ts";
import { sessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import type { FieldErrors } from "@/lib/validate.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/domain/limits.ts";

interface SignupPage {
  /** What the form shows: the user's input when it comes back (never the password). */
  values: { email: string; timezone: string };
  errors?: FieldErrors;
  /** Let the browser fill in the timezone: only on a fresh form, never over the user's choice. */
  detectTimezone: boolean;
}

export const handler = define.handlers({
  GET(ctx) {
    ctx.state.title = "Sign up";
    if (ctx.state.user) return ctx.redirect("/app", 303);
    return page<SignupPage>({ values: { email: "", timezone: "UTC" }, detectTimezone: true });
  },

  async POST(ctx) {
    ctx.state.title = "Sign up";
    const { db, config } = ctx.state.services;
    const { data } = await readBody(ctx.req);
    try {
      const input = await parseWithNewPassword(signupSchema, data, { field: "password", userInputs: [data.email] });
      const current = currentSessionHash(ctx);
      const { user, sessionSecret } = await signUp(db, input, current, ctx.req.headers.get("user-agent"));
      await renewUserVersion(ctx.state.services, user.id);
      const response = ctx.redirect("/app", 303);
      response.headers.append("Set-Cookie", sessionCookie(config, sessionSecret));
      return response;
    } catch (error) {
      const failed = formFailure(error, "email");
      if (!failed) throw error;
      const values = { email: formText(data.email), timezone: formText(data.timezone) || "UTC" };
      return page<SignupPage>({ values, errors: failed.errors, detectTimezone: false }, { status: failed.status });
    }
  },
});

/** Sign-up: e-mail, password and timezone (filled in from the browser when it can). */
export default define.page<typeof handler>(function Signup({ data }) {
  const { values, errors } = data;
  return (
    <section class="auth-page">
      <div class="card auth-card">
        <h1>Create your account</h1>
        <p class="muted">Free: up to 10 habits and 20 goals. No card needed.</p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/signup">
          <EmailField value={values.email} error={errors?.email} />
          <Field
            label="Password"
            name="password"
            type="password"
            hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters, not easy to guess. A few unrelated words make a strong one.`}
            error={errors?.password}
            autocomplete="new-password"
            maxLength={PASSWORD_MAX}
            required
          />
          <TimezoneField
            name="timezone"
            value={values.timezone}
            zones={TIME_ZONES}
            detect={data.detectTimezone}
            error={errors?.timezone}
          />
          <Actions>
            <button type="submit" class="button button-primary">Create account</button>
          </Actions>
        </form>
        <p class="auth-switch">
          Already have an account? <a href="/login">Log in</a>
        </p>
      </div>
    </section>
  );
});
