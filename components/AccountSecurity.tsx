/**
 * The account security page (`/settings/security`), shared by the routes its forms post
 * to (each has its own rate limit): change the password, see and end sessions, log out
 * everywhere, delete the account. Plain forms and redirects: all of it works without
 * JavaScript. A form that failed comes back with its errors next to its fields; password
 * fields are never filled back in.
 *
 * @example
 * ```tsx
 * return page<SecurityPageData>(await securityPageData(ctx, { failed: { form: "password", errors } }), { status: 400 });
 * ```
 */
import { type AuthUser, type SessionInfo } from "@/domain/account_input.ts";
import { formatDay, localDateTime } from "@/domain/calendar.ts";
import type { PageProps } from "fresh";
import type { FieldErrors } from "@/lib/validate.ts";
import { Actions, ErrorSummary, Field } from "./form.tsx";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/domain/limits.ts";

/** Which of the page's forms a submission came from. */
export type SecurityForm = "password" | "delete";

export interface SecurityPageData {
  user: AuthUser;
  sessions: SessionInfo[];
  failed?: { form: SecurityForm; errors: FieldErrors };
}

/** When a session started or was last seen, in the user's timezone. */
function when(timezone: string, instant: Date): string {
  const { date, time } = localDateTime(timezone, instant);
  return `${formatDay(date)}, ${time}`;
}

/** The security page. */
export function SecurityPage<S>({ data }: PageProps<SecurityPageData, S>) {
  const { user, sessions, failed } = data;
  const passwordErrors = failed?.form === "password" ? failed.errors : undefined;
  const deleteErrors = failed?.form === "delete" ? failed.errors : undefined;
  return (
    <div class="settings-page">
      <header class="page-header">
        <p class="breadcrumb">
          <a href="/settings">Settings</a> / Security
        </p>
        <h1>Security</h1>
        <p class="muted">
          Signed in as <strong>{user.email}</strong>
        </p>
      </header>

      <section class="card settings-section" id="password" aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <p class="muted">Every other device is signed out; this one stays signed in. API tokens keep working.</p>
        <ErrorSummary errors={passwordErrors} />
        <form method="post" action="/settings/security/password">
          <Field
            label="Current password"
            name="currentPassword"
            type="password"
            error={passwordErrors?.currentPassword}
            autocomplete="current-password"
            required
          />
          <Field
            label="New password"
            name="newPassword"
            type="password"
            hint={`${PASSWORD_MIN} to ${PASSWORD_MAX} characters, not easy to guess. A few unrelated words make a strong one.`}
            error={passwordErrors?.newPassword}
            autocomplete="new-password"
            maxLength={PASSWORD_MAX}
            required
          />
          <Actions>
            <button type="submit" class="button button-primary">Change password</button>
          </Actions>
        </form>
      </section>

      <section class="card settings-section" id="sessions" aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">Where you are signed in</h2>
        <ul class="token-list session-list">
          {sessions.map((session) => (
            <li class="token-item" key={session.id}>
              <div class="token-info">
                <strong class="token-name">
                  {session.userAgent ?? "Unknown browser"}
                  {session.current && <span class="plan-badge session-current">This device</span>}
                </strong>
                <span class="muted">
                  Signed in {when(user.timezone, session.createdAt)} · last seen{" "}
                  {when(user.timezone, session.lastSeenAt)}
                </span>
              </div>
              <form method="post" action="/settings/security#sessions" class="inline-form">
                <input type="hidden" name="intent" value="revoke-session" />
                <input type="hidden" name="sessionId" value={session.id} />
                <button
                  type="submit"
                  class="button button-danger"
                  aria-label={session.current
                    ? "Sign out this device"
                    : `Sign out ${session.userAgent ?? "that device"}`}
                >
                  Sign out
                </button>
              </form>
            </li>
          ))}
        </ul>
        {sessions.length === 0 && <p class="muted">No browser is signed in (you are using an API token).</p>}
        <form method="post" action="/settings/security">
          <input type="hidden" name="intent" value="logout-all" />
          <Actions>
            <button type="submit" class="button">Log out everywhere</button>
          </Actions>
        </form>
      </section>

      <section class="card settings-section" id="delete" aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete account</h2>
        <p>
          This erases your account and everything in it (habits, check-ins, goals, reminders, history, API tokens) at
          once. It cannot be undone. Want a copy first? <a href="/export">Export your data</a>.
        </p>
        <ErrorSummary errors={deleteErrors} />
        <form method="post" action="/settings/security/delete">
          <Field
            label="Your password, to confirm"
            name="password"
            type="password"
            error={deleteErrors?.password}
            autocomplete="current-password"
            required
          />
          <Actions>
            <button type="submit" class="button button-danger">Delete my account</button>
          </Actions>
        </form>
      </section>
    </div>
  );
}
