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
 * of ours on redirects. Here the request goes through `lib/net/safe_fetch.ts`, as webhooks
 * do: the endpoint's name is looked up at every send and the connection goes only to
 * the public addresses that were checked (a subscription checked when it was saved may
 * later resolve to a private address: DNS answers change), one deadline covers looking
 * up, connecting, sending and reading the answer, and a redirect is never followed (a
 * push service does not redirect, so a 3xx is `refused`).
 *
 * @example
 * ```ts
 * const outcome = await sendPush(subscription, { payload: JSON.stringify({ title: "Stretch" }), ttlSeconds: 3600 }, vapid);
 * if (outcome.kind === "gone") await deleteSubscription(db, id);
 * ```
 */
import type webpush from "web-push";
import { type Resolver, safeFetch, SafeFetchError } from "@/lib/net/safe_fetch.ts";
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
  /**
   * Loopback endpoints may be reached (`PUSH_ALLOW_LOOPBACK_ENDPOINTS`: the tests' local
   * push service); any other local address is refused whatever this says.
   */
  allowLoopback?: boolean;
  /** DNS; the system resolver by default. Tests give their own. */
  resolve?: Resolver;
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
/** What is read of an answer's body: enough for {@linkcode REASON_MAX_CHARS} characters. */
const REASON_MAX_BYTES = REASON_MAX_CHARS * 4;

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
  // web-push (~15 MB of RSS) is loaded by the first push, not at start.
  const { default: webPush } = await import("web-push");
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webPush.generateRequestDetails(
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
    // The request computes Content-Length from the body itself.
    if (name.toLowerCase() !== "content-length") headers.set(name, String(value));
  }

  const timeoutMs = options.timeoutMs ?? PUSH_TIMEOUT_MS;
  try {
    const response = await safeFetch(subscription.endpoint, {
      method: "POST",
      headers,
      body: details.body ? new Uint8Array(details.body) : undefined,
      redirect: "manual",
      timeoutMs,
      // Only the start of an error answer is kept; an accepted one's body changes nothing.
      maxResponseBytes: REASON_MAX_BYTES,
      allowLoopback: options.allowLoopback ?? false,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.resolve ? { resolve: options.resolve } : {}),
    });
    if (response.status >= 200 && response.status < 300) return { kind: "delivered", status: response.status };
    return outcomeOf(response.status, response.headers.get("retry-after"), reasonText(response.body));
  } catch (error) {
    if (!(error instanceof SafeFetchError)) throw error;
    // Our rules said no (the name now resolves to a private address, a port or scheme
    // the policy refuses): no later try will be different.
    if (error.refused) return { kind: "refused", status: 0, reason: error.message };
    const reason = error.code === "timeout" ? `no answer within ${timeoutMs} ms` : `network error: ${error.message}`;
    return { kind: "retry", status: null, retryAfterSeconds: null, reason };
  }
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

/** The first characters of an answer's body, on one line. */
function reasonText(body: Uint8Array): string {
  return new TextDecoder().decode(body).replace(/\s+/g, " ").trim().slice(0, REASON_MAX_CHARS);
}
