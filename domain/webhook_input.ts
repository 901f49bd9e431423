/**
 * What a webhook may listen to, and the input that registers one (`POST /api/webhooks`
 * and the Settings form). The URL's shape is checked here; whether it may be reached
 * (its addresses after DNS) is the outbound policy's job at registration and again at
 * every delivery (lib/net/safe_fetch.ts).
 *
 * Pure: no I/O.
 *
 * @example
 * ```ts
 * parseInput(webhookInputSchema, { url: "https://example.com/cg", events: ["habit.*"] });
 * webhookListensTo(["habit.*"], "habit.created"); // true
 * ```
 *
 * @module
 */
import { z } from "zod";
import { WEBHOOK_URL_MAX } from "./limits.ts";

/** The events a webhook can subscribe to; `*` patterns take every event of that kind. */
export const WEBHOOK_EVENTS = ["checkin.created", "checkin.deleted", "habit.*", "goal.*"] as const;

/** One subscription name. */
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** What each subscription means, for the Settings form and the docs. */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEventName, string> = {
  "checkin.created": "A check-in is recorded or changed",
  "checkin.deleted": "A check-in is cleared",
  "habit.*": "A habit is created, edited, archived, shared or deleted",
  "goal.*": "A goal is created, edited, pinned or deleted",
};

/** The webhooks an account may have. Kept in step with sql/015's create_webhook. */
export const WEBHOOKS_PER_USER = 10;

/** Deliveries a webhook's list shows. */
export const DELIVERIES_SHOWN = 20;

// Spaces and control characters: a URL carries neither (browsers would percent-encode them).
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0020\u007f]/;

/**
 * `{url, events[]}`: an absolute http(s) URL of at most {@linkcode WEBHOOK_URL_MAX}
 * characters without spaces, and one or more known events (a single string is taken as
 * a list of one, as an HTML form sends one checked box).
 */
export const webhookInputSchema = z.object({
  url: z.string({ error: "Enter the URL to send events to" })
    .trim()
    .refine((text) => text.length > 0, "Enter the URL to send events to")
    .refine((text) => text.length <= WEBHOOK_URL_MAX, `Use a URL of at most ${WEBHOOK_URL_MAX} characters`)
    .refine((text) => !CONTROL.test(text), "Remove spaces and control characters from the URL")
    .refine((text) => /^https?:\/\//i.test(text) && URL.canParse(text), "Enter a full http:// or https:// URL"),
  events: z.preprocess(
    (value) => typeof value === "string" ? [value] : value,
    z.array(z.enum(WEBHOOK_EVENTS, { error: `Events are ${WEBHOOK_EVENTS.join(", ")}` }), {
      error: "Choose at least one event",
    })
      .min(1, "Choose at least one event")
      .max(WEBHOOK_EVENTS.length, "Choose each event once")
      .transform((events) => [...new Set(events)]),
  ),
});

/** True when a webhook subscribed to `subscriptions` gets `event` (sql/015's trigger decides the same way). */
export function webhookListensTo(subscriptions: readonly string[], event: string): boolean {
  return subscriptions.includes(event) || subscriptions.includes(`${event.split(".")[0]}.*`);
}

/** A delivery's state as the list shows it. */
export type DeliveryStatus = "pending" | "delivered" | "retrying" | "failed";

/**
 * The state of a delivery from its columns: delivered, given up (failed), waiting for a
 * retry after a failed attempt, or not tried yet (pending).
 */
export function deliveryStatus(
  row: { deliveredAt: unknown; nextAttemptAt: unknown; attempts: number },
): DeliveryStatus {
  if (row.deliveredAt) return "delivered";
  if (!row.nextAttemptAt) return "failed";
  return row.attempts > 0 ? "retrying" : "pending";
}

/**
 * The wait after the `attempt`-th failed attempt: 30 s, 1 min, 2, 4 … capped at 1 hour;
 * with {@linkcode WEBHOOK_MAX_ATTEMPTS} attempts a delivery is retried for about 3 hours.
 *
 * @example
 * ```ts
 * webhookRetryDelayMs(1); // 30_000
 * ```
 */
export function webhookRetryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 60 * 60_000);
}

/** Attempts before a delivery gives up. */
export const WEBHOOK_MAX_ATTEMPTS = 10;
