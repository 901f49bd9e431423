/**
 * The payload of a reminder push: the JSON `static/sw.js` reads to show the notification
 * (title, body, a tag so a newer reminder replaces an older one, the page a tap opens,
 * and the Done/Skip action buttons with their confirmation pages).
 *
 * Titles and bodies are the user's own text (reminder titles, habit names), so they
 * are fitted to what one push can carry ({@linkcode MAX_PUSH_PAYLOAD_BYTES} after
 * encryption): the body is shortened first, at a character boundary, with an ellipsis,
 * then the title. URLs are never shortened (a cut link is a broken one): payloads whose
 * links alone do not fit are a bug, and throw.
 *
 * @example
 * ```ts
 * const payload = reminderPayload({
 *   title: "Stretch", body: "Your habit “Stretch” is not done yet today.", tag: `reminder:${id}`,
 *   url: `${origin}/habits/${habitId}`,
 *   actions: [{ action: "done", title: "Done", url: doneUrl }, { action: "skip", title: "Skip", url: skipUrl }],
 * });
 * await sendPush(subscription, { payload, ttlSeconds: 4 * 3600 }, vapid);
 * ```
 */
import { MAX_PUSH_PAYLOAD_BYTES } from "./send.ts";

/** One action button of a notification. */
export interface NotificationAction {
  /** What the service worker reports as `event.action`. */
  action: string;
  /** The button's label. */
  title: string;
  /** The page a tap on the button opens (a confirmation page: opening it changes nothing). */
  url: string;
}

/** What a reminder notification shows and where its taps lead. */
export interface ReminderNotification {
  title: string;
  body: string;
  /** A newer notification with the same tag replaces this one on the device. */
  tag?: string;
  /** The page a tap on the notification itself opens. */
  url: string;
  actions?: NotificationAction[];
  /** When the reminder was due (ms since the epoch); shown by some systems. */
  timestamp?: number;
}

const ELLIPSIS = "…";
/** Longer titles are cut even when they would fit: no system shows more. */
const TITLE_MAX_CHARS = 120;

/**
 * The JSON text for `notification`, at most {@linkcode MAX_PUSH_PAYLOAD_BYTES} bytes.
 * Throws a `RangeError` when even an empty title and body would not fit.
 */
export function reminderPayload(notification: ReminderNotification): string {
  const title = cut(notification.title, TITLE_MAX_CHARS);
  const encode = (titleChars: number, bodyChars: number) =>
    JSON.stringify({
      ...notification,
      title: cut(title, titleChars),
      body: cut(notification.body, bodyChars),
    });
  const fits = (text: string) => new TextEncoder().encode(text).length <= MAX_PUSH_PAYLOAD_BYTES;

  const titleChars = Array.from(title).length;
  const bodyChars = Array.from(notification.body).length;
  const whole = encode(titleChars, bodyChars);
  if (fits(whole)) return whole;
  if (!fits(encode(0, 0))) {
    throw new RangeError(`The notification's links and tag alone exceed ${MAX_PUSH_PAYLOAD_BYTES} bytes`);
  }
  if (fits(encode(titleChars, 0))) return encode(titleChars, longest(bodyChars, (n) => fits(encode(titleChars, n))));
  return encode(longest(titleChars, (n) => fits(encode(n, 0))), 0);
}

/** The largest n in [0, max] with ok(n), given ok(0) and ok decreasing in n. */
function longest(max: number, ok: (n: number) => boolean): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** `text` cut to `chars` characters (code points, so no surrogate pair is split), ending in "…" when cut. */
function cut(text: string, chars: number): string {
  const points = Array.from(text);
  if (points.length <= chars) return text;
  if (chars === 0) return "";
  return points.slice(0, chars - 1).join("") + ELLIPSIS;
}
