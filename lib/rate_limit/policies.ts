/**
 * THE table of rate limits (API.md's "limit per user per min" column), in one place.
 * The middleware matches each request against it by method + the matched route's pattern
 * (`ctx.route`), so `paths` name patterns exactly as the routes are named
 * (`routes/api/habits/[id].ts` → `/api/habits/:id`); a test fails when a policy names a
 * pattern no route has.
 * HTML form posts of the same actions share the action's budget (same `action` name).
 *
 * @example
 * ```ts
 * policiesFor("POST", ctx.route); // "/api/habits" → [{ action: "habits.create", limit: 100, ... }]
 * ```
 */
/** Who a budget belongs to: the signed-in user, the client IP, or the e-mail a login names. */
export type Subject = "user" | "ip" | "email";

/** One exact, KV-backed limit. */
export interface ActionPolicy {
  /** Budget name: every route of one action shares it; also the header's policy name. */
  action: string;
  methods: readonly string[];
  /** Route patterns, exactly as the router names them (`ctx.route`): `/api/habits/:id`. */
  paths: readonly string[];
  limit: number;
  windowMs: number;
  subject: Subject;
  /** On KV failure: "closed" refuses with 503 (auth), "open" lets the request pass (logged). */
  failMode: "closed" | "open";
  /**
   * A GET that changes state (it spends a quota): the CSRF guard treats it like a write,
   * so a cookie request must come from our own pages (app/auth/csrf.ts).
   */
  stateChangingGet?: true;
}

const MINUTE = 60_000;

const action = (
  name: string,
  methods: string[],
  paths: string[],
  limit: number,
  subject: Subject = "user",
  failMode: "closed" | "open" = "open",
  extra: Pick<ActionPolicy, "stateChangingGet"> = {},
): ActionPolicy => ({ action: name, methods, paths, limit, windowMs: MINUTE, subject, failMode, ...extra });

/**
 * Per-action limits, exact across every instance sharing the KV.
 * Tokens (GET/POST /api/tokens, DELETE /api/tokens/:id) have no limit in API.md and
 * stay unlimited here beyond the per-instance read/anonymous limits.
 */
export const ACTION_POLICIES: readonly ActionPolicy[] = [
  action("signup", ["POST"], ["/api/auth/signup", "/signup"], 10, "ip", "closed"),
  action("login-ip", ["POST"], ["/api/auth/login", "/login"], 10, "ip", "closed"),
  action("login-email", ["POST"], ["/api/auth/login", "/login"], 5, "email", "closed"),
  action("habits.create", ["POST"], ["/api/habits", "/habits/new"], 100),
  action("habits.update", ["PUT"], ["/api/habits/:id"], 100),
  action("habits.update", ["POST"], ["/habits/:id/edit"], 100),
  action("habits.delete", ["DELETE"], ["/api/habits/:id"], 100),
  action("habits.delete", ["POST"], ["/habits/:id/delete"], 100),
  action("checkins.write", ["POST"], ["/api/habits/:id/checkins", "/habits/:id/checkin"], 200),
  action("goals.create", ["POST"], ["/api/goals", "/goals"], 50),
  action("goals.update", ["PUT"], ["/api/goals/:id"], 50),
  action("goals.update", ["POST"], ["/goals/:id"], 50),
  action("goals.delete", ["DELETE"], ["/api/goals/:id"], 25),
  action("goals.delete", ["POST"], ["/goals/:id/delete"], 25),
  action("goals.pin", ["PATCH"], ["/api/goals/pin"], 100),
  action("goals.pin", ["POST"], ["/goals/pin"], 100),
  action("milestones.create", ["POST"], ["/api/milestones"], 50),
  action("milestones.write", ["PATCH", "DELETE"], ["/api/milestones/:id"], 50),
  action("subgoals.create", ["POST"], ["/api/subgoals"], 100),
  action("subgoals.write", ["PATCH", "DELETE"], ["/api/subgoals/:id"], 100),
  action("reminders.create", ["POST"], ["/api/reminders"], 50),
  action("reminders.write", ["PATCH", "DELETE"], ["/api/reminders/:id"], 50),
  action("pauses.write", ["POST", "DELETE"], ["/api/pauses", "/api/pauses/:id"], 50),
  // The pause forms (create and delete, told apart by `intent`) share the API's budget.
  action("pauses.write", ["POST"], ["/habits/:id/pauses", "/settings/pauses"], 50),
  action("settings.save", ["POST"], ["/api/settings/save", "/settings"], 20),
  // The /export page only links to /api/export: viewing it must not spend the limit.
  // The download spends the monthly quota: a state-changing GET.
  action("export", ["GET"], ["/api/export"], 5, "user", "open", { stateChangingGet: true }),
  // The /export page's POST is the import form.
  action("import", ["POST"], ["/api/import", "/export"], 5),
  action("billing.checkout", ["POST"], ["/api/billing/checkout"], 10),
  action("monitoring", ["POST"], ["/api/monitoring"], 30, "ip"),
  // Account control (API.md "Account"); the pages' forms share each budget.
  action("account.password", ["POST"], ["/api/account/password", "/settings/security/password"], 5),
  action("account.delete", ["DELETE"], ["/api/account"], 5),
  action("account.delete", ["POST"], ["/settings/security/delete"], 5),
  action("password-reset-ip", ["POST"], ["/api/auth/password-reset", "/forgot-password"], 5, "ip", "closed"),
  action("password-reset-email", ["POST"], ["/api/auth/password-reset", "/forgot-password"], 3, "email", "closed"),
  // Webhooks and share links (API.md "Integrations"); the pages' forms share each budget.
  action("webhooks.write", ["POST"], ["/api/webhooks", "/settings/webhooks"], 20),
  action("webhooks.write", ["DELETE"], ["/api/webhooks/:id"], 20),
  action("habits.share", ["POST", "DELETE"], ["/api/habits/:id/share"], 20),
  action("habits.share", ["POST"], ["/habits/:id/share"], 20),
  action("share.view", ["GET"], ["/s/:token"], 60, "ip"),
  // Push reminders (API.md "Integrations"); the settings page's form shares the budget.
  action("push.subscribe", ["POST"], ["/api/push/subscriptions"], 20),
  action("push.unsubscribe", ["DELETE"], ["/api/push/subscriptions/:id"], 20),
  action("push.unsubscribe", ["POST"], ["/settings/devices/:id/delete"], 20),
  action(
    "password-reset.confirm",
    ["POST"],
    ["/api/auth/password-reset/confirm", "/reset-password"],
    10,
    "ip",
    "closed",
  ),
];

/** Per-instance, approximate limits: no KV write per request (API.md). */
export const LOCAL_POLICIES = {
  /** Anonymous `/api` requests, per IP. */
  anonymous: { action: "anonymous", limit: 60, windowMs: MINUTE },
  /** Authenticated reads (GET/HEAD), per user. */
  reads: { action: "reads", limit: 600, windowMs: MINUTE },
} as const;

/**
 * Never limited: health endpoints (probes poll them), and Stripe's webhook — its events
 * come in bursts from a few Stripe addresses, are signature-checked and idempotent, and
 * a 429 would only delay a customer's upgrade until Stripe retries.
 */
export function isUnlimited(path: string): boolean {
  return path === "/api/health" || path.startsWith("/api/health/") || path === "/api/stripe/webhook";
}

/**
 * True when `method` on the route `route` is a GET (or HEAD) that a policy declares state-changing:
 * the CSRF guard then refuses it cross-site like any write.
 *
 * @example
 * ```ts
 * isStateChangingGet("GET", "/api/export"); // true
 * isStateChangingGet("GET", "/api/habits"); // false
 * ```
 */
export function isStateChangingGet(method: string, route: string | null): boolean {
  return (method === "GET" || method === "HEAD") &&
    policiesFor(method, route).some((policy) => policy.stateChangingGet);
}

/**
 * The action policies that apply to `method` on the matched route pattern (HEAD counts
 * as GET); none when no route matched. The router already picked the most specific
 * pattern, so a post to `/goals/pin` spends the pin budget, not also the `/goals/:id` one.
 */
export function policiesFor(method: string, route: string | null): ActionPolicy[] {
  if (route === null) return [];
  const m = method === "HEAD" ? "GET" : method;
  return ACTION_POLICIES.filter((policy) => policy.methods.includes(m) && policy.paths.includes(route));
}
