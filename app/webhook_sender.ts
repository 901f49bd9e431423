/**
 * The webhook sender, run by the scheduler every tick: claims due deliveries
 * (db/webhooks.ts, a lease per attempt), signs each body (`X-CG-Signature`,
 * lib/webhooks/signature.ts) and posts it through the safe fetch (lib/net/safe_fetch.ts),
 * which checks the URL and every address its name resolves to NOW, not only when the
 * webhook was registered: DNS can change. A 2xx is delivered; anything else (another
 * status, no answer, a refused address) is a failed attempt, retried with exponential
 * backoff until the last attempt.
 *
 * What the receiver gets:
 * - `POST` with the event as JSON: `{id, type, createdAt, data}`; `id` is the delivery's
 *   and stays the same across its retries (deduplicate on it);
 * - `X-CG-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, `X-CG-Event`,
 *   `X-CG-Delivery`, `X-CG-Attempt`.
 *
 * @example
 * ```ts
 * const { delivered, failed } = await sendDueWebhooks(db, new Date(), { allowLoopback: false });
 * ```
 */
import {
  claimDueDeliveries,
  type ClaimedDelivery,
  markAttemptFailed,
  markDelivered,
  WEBHOOK_BATCH,
} from "@/db/webhooks.ts";
import type { DbQueries } from "@/db/client.ts";
import { log } from "@/lib/log.ts";
import { type Resolver, safeFetch, SafeFetchError } from "@/lib/net/safe_fetch.ts";
import { signPayload } from "@/lib/webhooks/signature.ts";

/** Options of {@linkcode sendDueWebhooks}. */
export interface WebhookSendOptions {
  /** Loopback receivers allowed: only when the app runs on localhost (APP_ORIGIN unset). */
  allowLoopback: boolean;
  /** DNS for tests; default the system's resolver. */
  resolve?: Resolver;
  /** One attempt's deadline (DNS, connect, redirects, answer). Default 10 s. */
  timeoutMs?: number;
}

/** What {@linkcode sendDueWebhooks} did. */
export interface WebhookSendResult {
  delivered: number;
  failed: number;
  /** Users whose delivery rows changed. */
  changedUserIds: string[];
}

/** The User-Agent of every delivery. */
export const WEBHOOK_USER_AGENT = "ConsistencyGrid-Webhooks/1";

/** Sends every delivery due at `now`, batch by batch; one failing receiver only delays its own deliveries. */
export async function sendDueWebhooks(
  db: DbQueries,
  now: Date,
  options: WebhookSendOptions,
): Promise<WebhookSendResult> {
  let delivered = 0;
  let failed = 0;
  const changed = new Set<string>();
  while (true) {
    const batch = await claimDueDeliveries(db, now);
    // Receivers are independent: one slow receiver must not hold up the others' batch.
    const outcomes = await Promise.all(batch.map((delivery) => attempt(db, delivery, now, options)));
    for (const [index, ok] of outcomes.entries()) {
      changed.add(batch[index].userId);
      if (ok) delivered++;
      else failed++;
    }
    if (batch.length < WEBHOOK_BATCH) return { delivered, failed, changedUserIds: [...changed] };
  }
}

/** One attempt at one delivery, recorded; true when the receiver took it. */
async function attempt(db: DbQueries, delivery: ClaimedDelivery, now: Date, options: WebhookSendOptions) {
  const body = JSON.stringify({ id: delivery.id, ...JSON.parse(delivery.payload) });
  let status: number | null = null;
  let error: string;
  try {
    const response = await safeFetch(delivery.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": WEBHOOK_USER_AGENT,
        "x-cg-signature": await signPayload(delivery.secret, body, new Date()),
        "x-cg-event": delivery.event,
        "x-cg-delivery": delivery.id,
        "x-cg-attempt": String(delivery.attempts),
      },
      body,
      allowLoopback: options.allowLoopback,
      resolve: options.resolve,
      timeoutMs: options.timeoutMs,
      // Only the status matters; a receiver's long answer is not read.
      maxResponseBytes: 1024,
    });
    status = response.status;
    if (status >= 200 && status < 300) {
      await markDelivered(db, delivery.id, status, now);
      return true;
    }
    error = `The receiver answered HTTP ${status}`;
  } catch (caught) {
    if (!(caught instanceof SafeFetchError)) {
      log.warn("webhook.attempt_failed", { deliveryId: delivery.id, error: caught });
    }
    error = caught instanceof SafeFetchError
      ? (caught.refused ? `Refused: ${caught.message}` : caught.message)
      : "The request failed";
  }
  await markAttemptFailed(db, delivery, status, error, now);
  return false;
}
