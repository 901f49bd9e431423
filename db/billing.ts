/**
 * Plans and Stripe billing state. Each webhook event is one call of a function in
 * sql/005_usage_and_billing.sql that records the event id in the same transaction as
 * its effect, so duplicates and concurrent replays apply once and older events never
 * overwrite newer state.
 *
 * @example
 * ```ts
 * const result = await applySubscriptionEvent(db, {
 *   eventId: "evt_1", created: new Date(), type: "customer.subscription.updated",
 *   customerId: "cus_1", subscriptionId: "sub_1", status: "active", proPrice: true,
 * }); // "applied" | "duplicate" | "stale" | "unknown_customer"
 * ```
 */
import type { DbQueries } from "./client.ts";
import { isUuid } from "./habits.ts";
import type { PlanId } from "./users.ts";

/** A plan and its limits, as the plans table holds them. */
export interface Plan {
  id: PlanId;
  maxActiveHabits: number;
  /** Archived habits count toward a cap of their own (sql/008_import.sql). */
  maxArchivedHabits: number;
  maxGoals: number;
  exportsPerMonth: number;
}

/**
 * Every plan, smallest first.
 *
 * @example
 * ```ts
 * const [free, pro] = await listPlans(db);
 * ```
 */
export async function listPlans(db: DbQueries): Promise<Plan[]> {
  const rows = await db.sql<
    {
      id: PlanId;
      max_active_habits: number;
      max_archived_habits: number;
      max_goals: number;
      exports_per_month: number;
    }[]
  >`select id, max_active_habits, max_archived_habits, max_goals, exports_per_month
      from plans order by max_active_habits, id`;
  return rows.map((row) => ({
    id: row.id,
    maxActiveHabits: row.max_active_habits,
    maxArchivedHabits: row.max_archived_habits,
    maxGoals: row.max_goals,
    exportsPerMonth: row.exports_per_month,
  }));
}

export type SubscriptionEventType =
  | "customer.subscription.created"
  | "customer.subscription.updated"
  | "customer.subscription.deleted";

/** A subscription event, reduced to what decides the plan. */
export interface SubscriptionChange {
  eventId: string;
  /** The event's `created` time: older than the last applied one → stale. */
  created: Date;
  type: SubscriptionEventType;
  customerId: string;
  subscriptionId: string;
  /** Stripe's subscription status (active, trialing, past_due, canceled, ...). */
  status: string;
  /** True when the subscription's items include the pro price. */
  proPrice: boolean;
  /** The subscription's `metadata.user_id`, linking a customer seen for the first time. */
  userId?: string | null;
}

export type SubscriptionResult = "applied" | "duplicate" | "stale" | "unknown_customer";

/**
 * Applies a subscription event once: sets the user's plan (active/trialing with the pro
 * price → pro; deleted/canceled/unpaid → free) and logs `plan.changed`.
 *
 * @example
 * ```ts
 * if (await applySubscriptionEvent(db, change) === "stale") log.info("stripe.stale", { id: change.eventId });
 * ```
 */
export async function applySubscriptionEvent(db: DbQueries, change: SubscriptionChange): Promise<SubscriptionResult> {
  const userId = isUuid(change.userId) ? change.userId : null;
  const [row] = await db.sql<{ result: SubscriptionResult }[]>`
    select apply_stripe_subscription_event(
      ${change.eventId}::text,
      ${change.created.toISOString()}::timestamptz,
      ${change.type}::text,
      ${change.customerId}::text,
      ${change.subscriptionId}::text,
      ${change.status}::text,
      ${change.proPrice}::boolean,
      ${userId}::uuid
    ) as result`;
  return row.result;
}

/** A completed checkout: which user a Stripe customer is. */
export interface CustomerLink {
  eventId: string;
  created: Date;
  /** The checkout session's `client_reference_id`. */
  userId: string;
  customerId: string;
}

export type LinkResult = "applied" | "duplicate" | "unknown_user" | "conflict";

/**
 * Links a Stripe customer to the user who checked out, once per event.
 *
 * @example
 * ```ts
 * await linkStripeCustomer(db, { eventId, created, userId: session.client_reference_id, customerId });
 * ```
 */
export async function linkStripeCustomer(db: DbQueries, link: CustomerLink): Promise<LinkResult> {
  if (!isUuid(link.userId)) return "unknown_user";
  const [row] = await db.sql<{ result: LinkResult }[]>`
    select link_stripe_customer(
      ${link.eventId}::text,
      ${link.created.toISOString()}::timestamptz,
      ${link.userId}::uuid,
      ${link.customerId}::text
    ) as result`;
  return row.result;
}

/** What a verified webhook event asks of the database. */
export type WebhookAction =
  | { kind: "subscription"; change: SubscriptionChange }
  | { kind: "link"; link: CustomerLink }
  | { kind: "ignored" };

export type WebhookResult = SubscriptionResult | LinkResult | "ignored";

/** What a webhook event did, and to whom: the caller invalidates those users' caches. */
export interface WebhookOutcome {
  result: WebhookResult;
  /** Users whose rows the event changed (its plan, its billing state): none unless applied. */
  changedUserIds: string[];
}

/**
 * Applies one webhook event: a subscription change, a customer link, or nothing.
 *
 * @example
 * ```ts
 * const { result, changedUserIds } = await applyWebhookAction(db, webhookAction(event, billing.pricePro));
 * ```
 */
export async function applyWebhookAction(db: DbQueries, action: WebhookAction): Promise<WebhookOutcome> {
  switch (action.kind) {
    case "subscription": {
      const result = await applySubscriptionEvent(db, action.change);
      if (result !== "applied") return { result, changedUserIds: [] };
      // A customer belongs to one user for good once linked, so reading it after the
      // event's own transaction finds the user that transaction changed.
      const rows = await db.sql<{ user_id: string }[]>`
        select user_id::text from billing_customers where stripe_customer_id = ${action.change.customerId}`;
      return { result, changedUserIds: rows.map((row) => row.user_id) };
    }
    case "link": {
      const result = await linkStripeCustomer(db, action.link);
      return { result, changedUserIds: result === "applied" ? [action.link.userId] : [] };
    }
    case "ignored":
      return { result: "ignored", changedUserIds: [] };
  }
}
