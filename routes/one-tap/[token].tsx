import { type OneTapTarget, oneTapTarget, useOneTap } from "@/db/one_tap.ts";
import { asRuleViolation } from "@/domain/rules.ts";
import { page } from "fresh";
import { type OneTapClaims, type OneTapRefusal, verifyOneTap } from "@/lib/one_tap.ts";
import { define, type State } from "@/app/state.ts";
import type { FreshContext } from "fresh";

/**
 * What the page shows: the confirmation (one button), the result of pressing it, or
 * why the link does not work.
 */
type OneTapPage =
  | { kind: "confirm"; claims: OneTapClaims; target: OneTapTarget; token: string }
  | { kind: "recorded"; claims: OneTapClaims; target: OneTapTarget }
  | { kind: "used"; claims: OneTapClaims; target: OneTapTarget }
  | { kind: "refused"; reason: OneTapRefusal | "habit_gone" | "off" };

/** The status of each refusal: a link that was never ours reads like any unknown page. */
const REFUSAL_STATUS = {
  malformed: 404,
  bad_signature: 404,
  off: 404,
  habit_gone: 404,
  expired: 410,
  not_yet_valid: 400,
};

type Refusal = Extract<OneTapPage, { kind: "refused" }>["reason"];

/** The token checked, or why it does not work. */
async function check(
  ctx: FreshContext<State>,
): Promise<{ ok: true; claims: OneTapClaims; target: OneTapTarget } | { ok: false; reason: Refusal }> {
  ctx.state.title = "Check in from a reminder";
  const keys = ctx.state.services.push?.oneTapKeys;
  if (!keys) return { ok: false, reason: "off" };
  const checked = await verifyOneTap(keys, ctx.params.token);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  const target = await oneTapTarget(ctx.state.services.db, checked.claims);
  if (!target) return { ok: false, reason: "habit_gone" };
  return { ok: true, claims: checked.claims, target };
}

/** The page saying why a link does not work (nothing was recorded). */
function refuse(reason: Refusal) {
  return page<OneTapPage>({ kind: "refused", reason }, { status: REFUSAL_STATUS[reason], headers: NO_STORE });
}

const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" };

export const handler = define.handlers({
  /** The confirmation page. Opening it changes nothing (mail scanners and previews open links). */
  async GET(ctx) {
    const checked = await check(ctx);
    if (!checked.ok) return refuse(checked.reason);
    const { claims, target } = checked;
    if (target.usedAt) return page<OneTapPage>({ kind: "used", claims, target }, { headers: NO_STORE });
    return page<OneTapPage>({ kind: "confirm", claims, target, token: ctx.params.token }, { headers: NO_STORE });
  },

  /** Records the check-in, once: a second use of the token is a 409 page saying so. */
  async POST(ctx) {
    const checked = await check(ctx);
    if (!checked.ok) return refuse(checked.reason);
    const { claims } = checked;
    try {
      const use = await useOneTap(ctx.state.services.db, claims, new Date());
      const target = {
        ...checked.target,
        usedAt: use.usedAt,
        status: claims.action === "done" ? "done" : "skipped",
      } as OneTapTarget;
      if (!use.usedNow) {
        return page<OneTapPage>({ kind: "used", claims, target: { ...checked.target, usedAt: use.usedAt } }, {
          status: 409,
          headers: NO_STORE,
        });
      }
      // The user's pages and API reads must show the check-in now, on every instance.
      (ctx.state.changedUserIds ??= new Set()).add(claims.userId);
      return page<OneTapPage>({ kind: "recorded", claims, target }, { headers: NO_STORE });
    } catch (error) {
      const rule = asRuleViolation(error);
      if (rule?.kind === "not_found") return refuse("habit_gone");
      throw error;
    }
  },
});

/** "Monday, 30 November 2026" for a `YYYY-MM-DD` day. */
function longDay(date: string): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeZone: "UTC" }).format(new Date(`${date}T00:00:00Z`));
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  malformed: "This link is not one of ours, or part of it is missing: copy the whole link from the e-mail.",
  bad_signature: "This link is not valid (it may have been changed, or the server's secret was replaced).",
  expired: "Links in reminders work for 48 hours, and this one is older.",
  not_yet_valid: "This link is dated in the future: check your device's clock and open it again.",
  habit_gone: "The habit this link is for no longer exists.",
  off: "One-tap links are not set up on this server.",
};

/** The page a Done/Skip link opens. */
export default define.page<typeof handler>(function OneTap({ data }) {
  if (data.kind === "refused") {
    return (
      <section class="auth-page">
        <div class="card auth-card">
          <h1>This link does not work</h1>
          <p class="notice" role="alert">{REFUSAL_TEXT[data.reason]}</p>
          <p>
            Nothing was recorded. <a href="/app">Open ConsistencyGrid</a> to check in.
          </p>
        </div>
      </section>
    );
  }
  const { claims, target } = data;
  const day = longDay(claims.localDate);
  const verb = claims.action === "done" ? "done" : "skipped";
  if (data.kind === "confirm") {
    return (
      <section class="auth-page">
        <div class="card auth-card">
          <h1>{claims.action === "done" ? `Mark “${target.habitName}” done?` : `Skip “${target.habitName}”?`}</h1>
          <p>For {day}.</p>
          {target.status && <p class="muted">It is marked {target.status} for that day already.</p>}
          <form method="post" action={`/one-tap/${data.token}`}>
            <button type="submit" class="button button-primary">
              {claims.action === "done" ? "Mark done" : "Mark skipped"}
            </button>
          </form>
          <p class="muted">
            Opening this page changed nothing: the button records it. The link works once, for 48 hours after the
            reminder.
          </p>
        </div>
      </section>
    );
  }
  if (data.kind === "recorded") {
    return (
      <section class="auth-page">
        <div class="card auth-card">
          <h1 role="status">Recorded: “{target.habitName}” {verb}</h1>
          <p>For {day}.</p>
          <p>
            <a href={`/habits/${claims.habitId}`}>Open the habit</a> to change it or add a note.
          </p>
        </div>
      </section>
    );
  }
  return (
    <section class="auth-page">
      <div class="card auth-card">
        <h1>This link was already used</h1>
        <p class="notice" role="status">
          It was used on {new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })
            .format(target.usedAt!)} UTC; nothing more was recorded. “{target.habitName}” is{" "}
          {target.status ? `marked ${target.status}` : "not checked in"} for {day}.
        </p>
        <p>
          <a href={`/habits/${claims.habitId}`}>Open the habit</a> to change it.
        </p>
      </div>
    </section>
  );
});
