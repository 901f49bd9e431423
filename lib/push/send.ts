/**
 * Sends one Web Push message to one subscription and says what the caller should do
 * next: nothing (`delivered`), delete the subscription (`gone`: 404/410, the browser
 * unsubscribed or the push service dropped it), try again later (`retry`: 408, 429,
 * 5xx, a network error or the timeout; with the service's `Retry-After` when it gave
 * one), or give up on this message (`refused`: any other answer, e.g. 400 malformed,
 * 403 a VAPID key that is not the one the subscription was made with, 413 too large).
 *
 * The encryption (RFC 8291, `aes128gcm` content coding of RFC 8188) and the VAPID JWT
 * (RFC 8292) come from npm `web-push` (`generateRequestDetails`), which runs unchanged
 * under Deno's Node compatibility. The request itself goes out with `fetch` rather than
 * web-push's `sendNotification`, because that one speaks only `https:` through
 * `node:https` (the tests' local push service is plain HTTP), its `timeout` is an idle
 * socket timer rather than a bound on the whole exchange, and it would follow no policy
 * of ours on redirects. Here one deadline covers connecting, sending and reading the
 * answer, and a redirect is never followed: a push service does not redirect, so a 3xx
 * is `refused`.
 *
 * @example
 * ```ts
 * const outcome = await sendPush(subscription, { payload: JSON.stringify({ title: "Stretch" }), ttlSeconds: 3600 }, vapid);
 * if (outcome.kind === "gone") await deleteSubscription(db, id);
 * ```
 */
import webpush from "web-push";
import type { PushSubscriptionJson } from "./subscription.ts";
import type { VapidKeys } from "./vapid_keys.ts";

/** One message: the text the service worker reads, and how the push service should treat it. */
export interface PushMessage {
  /** What the service worker's `push` event reads (`event.data.json()`): usually JSON. */
  payload: string;
  /** How long the push service keeps it for an offline device; 0: now or never. */
  ttlSeconds: number;
  /** RFC 8030 urgency: a phone in power saving only wakes for `high`. Default `normal`. */
  urgency?: "very-low" | "low" | "normal" | "high";
  /**
   * RFC 8030 topic: a newer message with the same topic replaces one still waiting for
   * an offline device. Up to 32 base64url characters.
   */
  topic?: string;
}

/** What became of one message, and what the caller does next. */
export type PushOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "gone"; status: 404 | 410 }
  | {
    kind: "retry";
    /** The push service's status, or null when no answer came (network error, timeout). */
    status: number | null;
    /** The service's `Retry-After`, in whole seconds, when it gave one. */
    retryAfterSeconds: number | null;
    reason: string;
  }
  | { kind: "refused"; status: number; reason: string };

export interface SendPushOptions {
  /** The whole exchange (connect, send, read the answer) must end within this. Default 10 s. */
  timeoutMs?: number;
  /** Aborts the send early (shutdown). */
  signal?: AbortSignal;
}

/** Default bound on one send: a scheduler tick must not wait on a stuck push service. */
export const PUSH_TIMEOUT_MS = 10_000;

/**
 * The largest payload one push can carry: push services accept 4096 bytes of body, and
 * `aes128gcm` adds an 86-byte header, a 16-byte tag and a 1-byte padding delimiter.
 */
export const MAX_PUSH_PAYLOAD_BYTES = 4096 - 86 - 16 - 1;

/** How much of an error answer's body is kept in `reason`. */
const REASON_MAX_CHARS = 300;

/**
 * Encrypts `message` for `subscription`, signs it with `vapid` and POSTs it to the
 * subscription's endpoint. Never rejects for what the push service or the network
 * does (that is the outcome); throws a `TypeError` or `RangeError` for a subscription
 * whose keys cannot be used or a payload over {@linkcode MAX_PUSH_PAYLOAD_BYTES}, which
 * are the caller's to prevent (lib/push/subscription.ts checks subscriptions on the way in).
 */
export async function sendPush(
  subscription: PushSubscriptionJson,
  message: PushMessage,
  vapid: VapidKeys,
  options: SendPushOptions = {},
): Promise<PushOutcome> {
  const size = new TextEncoder().encode(message.payload).length;
  if (size > MAX_PUSH_PAYLOAD_BYTES) {
    throw new RangeError(`A push payload holds at most ${MAX_PUSH_PAYLOAD_BYTES} bytes, got ${size}`);
  }
  if (!Number.isInteger(message.ttlSeconds) || message.ttlSeconds < 0) {
    throw new RangeError(`ttlSeconds must be a whole number ≥ 0, got ${message.ttlSeconds}`);
  }
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: subscription.keys },
      message.payload,
      {
        vapidDetails: { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
        TTL: message.ttlSeconds,
        urgency: message.urgency ?? "normal",
        ...(message.topic === undefined ? {} : { topic: message.topic }),
      },
    );
  } catch (error) {
    throw new TypeError(`Cannot encrypt for this subscription: ${error instanceof Error ? error.message : error}`);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(details.headers)) {
    // fetch computes Content-Length from the body itself.
    if (name.toLowerCase() !== "content-length") headers.set(name, String(value));
  }

  const timeoutMs = options.timeoutMs ?? PUSH_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let response: Response;
  try {
    response = await fetch(subscription.endpoint, {
      method: "POST",
      headers,
      body: details.body ? new Uint8Array(details.body) : null,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    const reason = deadline.aborted
      ? `no answer within ${timeoutMs} ms`
      : `network error: ${error instanceof Error ? error.message : String(error)}`;
    return { kind: "retry", status: null, retryAfterSeconds: null, reason };
  }
  if (response.ok) {
    // Accepted: what follows in the body changes nothing.
    await response.body?.cancel().catch(() => {});
    return { kind: "delivered", status: response.status };
  }
  // Still under the deadline: a service that answers and then stalls must not hold the caller.
  const body = await readReason(response).catch(() => "");
  return outcomeOf(response.status, response.headers.get("retry-after"), body);
}

/** The outcome for an answer: `status`, its `Retry-After`, and the start of its body. */
export function outcomeOf(status: number, retryAfter: string | null, body: string): PushOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered", status };
  const reason = `${status}${body ? `: ${body}` : ""}`;
  if (status === 404 || status === 410) return { kind: "gone", status };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "retry", status, retryAfterSeconds: parseRetryAfter(retryAfter), reason };
  }
  if (status >= 300 && status < 400) {
    return { kind: "refused", status, reason: `${status}: redirects are not followed` };
  }
  return { kind: "refused", status, reason };
}

/** The longest wait a `Retry-After` can ask for here: a reminder a day late is worthless. */
const RETRY_AFTER_MAX_S = 86_400;

/**
 * `Retry-After` in whole seconds from now (RFC 9110: delay-seconds or an HTTP date),
 * at most a day; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Math.min(Number(trimmed), RETRY_AFTER_MAX_S);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return null;
  return Math.min(Math.max(0, Math.ceil((date - now.getTime()) / 1000)), RETRY_AFTER_MAX_S);
}

/** The first characters of an answer's body, on one line; the rest is not read. */
async function readReason(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < REASON_MAX_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.replace(/\s+/g, " ").trim().slice(0, REASON_MAX_CHARS);
}
