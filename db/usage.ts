/**
 * Monthly quotas (exports per calendar month, UTC) through one call of
 * `increment_usage_if_allowed` (sql/005_usage_and_billing.sql): the check and the count
 * are one statement, exact under any concurrency and safe through PgBouncer.
 *
 * @example
 * ```ts
 * await consumeUsage(db, user.id, "exports"); // throws plan_limit when the month's quota is used up
 * return exportResponse(...);
 * ```
 */
import type { DbQueries } from "./client.ts";
import { RuleViolation } from "@/domain/rules.ts";
import { ruleViolationOf } from "./rule_violation.ts";

/** Features with a monthly quota on every plan. */
export type QuotaFeature = "exports";

/** A month's standing after one call. */
export interface UsageResult {
  /** True when this call was counted; false when the quota was used up (nothing changed). */
  allowed: boolean;
  used: number;
  quota: number;
  remaining: number;
}

/**
 * Counts one use of `feature` in the UTC month of `now` if the user's plan has some of
 * that month's quota left; returns whether it did and what remains. Never throws for a
 * used-up quota (see {@linkcode consumeUsage} for routes). A RuleViolation `invalid` for a
 * feature no plan knows, `not_found` for an unknown user.
 *
 * @example
 * ```ts
 * const { allowed, remaining } = await incrementUsageIfAllowed(db, user.id, "exports");
 * ```
 */
export async function incrementUsageIfAllowed(
  db: DbQueries,
  userId: string,
  feature: QuotaFeature,
  now: Date = new Date(),
): Promise<UsageResult> {
  try {
    const [row] = await db.sql<UsageResult[]>`
      select allowed, used, quota, remaining
        from increment_usage_if_allowed(${userId}::uuid, ${feature}::text, ${now.toISOString()}::timestamptz)`;
    return { allowed: row.allowed, used: row.used, quota: row.quota, remaining: row.remaining };
  } catch (error) {
    throw ruleViolationOf(error) ?? error;
  }
}

const FEATURE_NAMES: Record<QuotaFeature, string> = { exports: "exports" };

/**
 * Like {@linkcode incrementUsageIfAllowed}, for routes: throws a RuleViolation
 * `plan_limit` (→ 402 with `details.upgradeUrl`) naming the limit and /upgrade when the
 * month's quota is used up.
 *
 * @example
 * ```ts
 * const { remaining } = await consumeUsage(db, user.id, "exports");
 * ```
 */
export async function consumeUsage(
  db: DbQueries,
  userId: string,
  feature: QuotaFeature,
  now: Date = new Date(),
): Promise<UsageResult> {
  const result = await incrementUsageIfAllowed(db, userId, feature, now);
  if (!result.allowed) {
    const name = FEATURE_NAMES[feature];
    throw new RuleViolation(
      "plan_limit",
      `Your plan allows ${result.quota} ${name} per calendar month (UTC), and this month's are used up. ` +
        `They reset on the 1st; upgrade at /upgrade for more.`,
    );
  }
  return result;
}
