import { listPlans, type Plan } from "@/db/billing.ts";
import type { PlanId } from "@/db/users.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { BILLING_OFF_MESSAGE, billingOf } from "@/app/billing/stripe.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";

interface UpgradePage {
  currentPlan: PlanId;
  plans: Plan[];
  billingEnabled: boolean;
  notice?: string;
}

/**
 * Where Stripe Checkout sends the user back (`success_url`/`cancel_url`). A Map: `?done=`
 * comes from the URL, and `constructor` must not find Object's.
 */
const NOTICES = new Map([
  ["success", "Thank you! Your payment went through; your plan switches to Pro as soon as Stripe confirms it."],
  ["canceled", "Checkout canceled: nothing was charged."],
]);

export const handler = define.handlers({
  /** The user's plan, every plan's limits, and the way to Pro (when billing is on). */
  async GET(ctx) {
    ctx.state.title = "Upgrade";
    const user = requireUser(ctx);
    const { db, config } = ctx.state.services;
    return page<UpgradePage>({
      currentPlan: user.plan,
      plans: await listPlans(db),
      billingEnabled: billingOf(config) !== null,
      notice: NOTICES.get(ctx.url.searchParams.get("done") ?? ""),
    });
  },
});

const PLAN_NAMES: Record<string, string> = { free: "Free", pro: "Pro" };

/** The rows of the plans table: what each plan allows. */
const PLAN_LIMITS: [string, "maxActiveHabits" | "maxArchivedHabits" | "maxGoals" | "exportsPerMonth"][] = [
  ["Active habits", "maxActiveHabits"],
  ["Archived habits", "maxArchivedHabits"],
  ["Goals", "maxGoals"],
  ["Exports per month", "exportsPerMonth"],
];

/** Plans and their limits, and the upgrade form (a plain form post: works without JavaScript). */
export default define.page<typeof handler>(function UpgradePage({ data }) {
  const { currentPlan, plans, billingEnabled } = data;
  return (
    <div class="upgrade-page">
      <header class="page-header">
        <h1>Plans</h1>
        <p>
          You are on the <strong>{PLAN_NAMES[currentPlan] ?? currentPlan}</strong> plan.
        </p>
      </header>
      {data.notice && <p class="notice" role="status">{data.notice}</p>}

      <section class="card" aria-labelledby="plans-heading">
        <h2 id="plans-heading">What each plan allows</h2>
        {/* Plans as columns, limits as rows: two plans fit a 320 px phone, five limits would not. */}
        <table class="plans-table">
          <thead>
            <tr>
              <td></td>
              {plans.map((plan) => (
                <th key={plan.id} scope="col" aria-current={plan.id === currentPlan ? "true" : undefined}>
                  {PLAN_NAMES[plan.id] ?? plan.id}
                  {plan.id === currentPlan && " (yours)"}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {PLAN_LIMITS.map(([label, limit]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {plans.map((plan) => <td key={plan.id}>{plan[limit]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">Exports count per calendar month in UTC and reset on the 1st.</p>
      </section>

      <section class="card" aria-labelledby="upgrade-heading">
        <h2 id="upgrade-heading">Upgrade</h2>
        {!billingEnabled
          ? <p class="notice" role="status">{BILLING_OFF_MESSAGE}</p>
          : currentPlan === "pro"
          ? <p>You have Pro. Thank you for supporting ConsistencyGrid!</p>
          : (
            <form method="post" action="/api/billing/checkout">
              <input type="hidden" name="plan" value="pro" />
              <p>Pay securely with Stripe; you come back here when done.</p>
              <button type="submit" class="button button-primary">Upgrade to Pro</button>
            </form>
          )}
      </section>
    </div>
  );
});
