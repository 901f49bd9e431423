import { Actions, EmailField, ErrorSummary, Field } from "@/components/form.tsx";
import { logIn } from "@/db/accounts.ts";
import { formText, LOGIN_FAILED, loginSchema } from "@/domain/account_input.ts";
import { afterLoginPath, formFailure } from "@/app/account_form.ts";
import { renewUserVersion } from "@/app/auth/auth_cache.ts";
import { currentSessionHash } from "@/app/auth/require_user.ts";
import { sessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";

interface LoginPage {
  email: string;
  /** Where to go after logging in (a local path), carried through the form. */
  next: string;
  errors?: FieldErrors;
  notice?: string;
}

/** What the account pages send the user here with (`?done=`; a Map: the URL names it). */
const NOTICES = new Map([
  ["reset", "Your password is changed and every device signed out: log in with the new one."],
  ["logged-out", "This device is signed out."],
  ["logged-out-everywhere", "You are signed out everywhere."],
  ["deleted", "Your account and everything in it are deleted. Thank you for trying ConsistencyGrid."],
]);

export const handler = define.handlers({
  GET(ctx) {
    ctx.state.title = "Log in";
    const next = afterLoginPath(ctx.url.searchParams.get("next"));
    if (ctx.state.user) return ctx.redirect(next, 303);
    return page<LoginPage>({ email: "", next, notice: NOTICES.get(ctx.url.searchParams.get("done") ?? "") });
  },

  async POST(ctx) {
    ctx.state.title = "Log in";
    const { db, config } = ctx.state.services;
    const { data } = await readBody(ctx.req);
    const next = afterLoginPath(data.next ?? ctx.url.searchParams.get("next"));
    const shown = (errors: FieldErrors, status: number) =>
      page<LoginPage>({ email: formText(data.email), next, errors }, { status });
    try {
      const input = parseInput(loginSchema, data);
      const current = currentSessionHash(ctx);
      const session = await logIn(db, input, current, ctx.req.headers.get("user-agent"));
      if (!session) return shown({ _: LOGIN_FAILED }, 401);
      await renewUserVersion(ctx.state.services, session.user.id);
      const response = ctx.redirect(next, 303);
      response.headers.append("Set-Cookie", sessionCookie(config, session.sessionSecret));
      return response;
    } catch (error) {
      const failed = formFailure(error);
      if (!failed) throw error;
      return shown(failed.errors, failed.status);
    }
  },
});

/** Log-in: e-mail and password; back to `next` (a local path) afterwards. */
export default define.page<typeof handler>(function Login({ data }) {
  const { errors } = data;
  return (
    <section class="auth-page">
      <div class="card auth-card">
        <h1>Log in</h1>
        <p class="muted">Welcome back. Your grid is waiting.</p>
        {data.notice && <p class="notice" role="status">{data.notice}</p>}
        <ErrorSummary errors={errors} title="That did not work" />
        <form method="post" action="/login">
          <input type="hidden" name="next" value={data.next} />
          <EmailField value={data.email} error={errors?.email} />
          <Field
            label="Password"
            name="password"
            type="password"
            error={errors?.password}
            autocomplete="current-password"
            required
          />
          <Actions>
            <button type="submit" class="button button-primary">Log in</button>
          </Actions>
        </form>
        <p class="auth-switch">
          <a href="/forgot-password">Forgot your password?</a> · New here? <a href="/signup">Create an account</a>
        </p>
      </div>
    </section>
  );
});
