/**
 * How an island saves: one JSON request to our API from the browser, the answer's JSON
 * back, and on any failure (network, a non-2xx answer) the island's optimistic change
 * undone and an error whose message is the API's own (`{"error":{"message":…}}`), ready
 * to show. Client-safe: imported by islands, no server code.
 *
 * No CSRF token travels: the guard (app/auth/csrf.ts) judges a cookie request by its
 * `Origin` / `Sec-Fetch-Site`, which the browser sets itself on this same-origin fetch.
 *
 * @example
 * ```ts
 * const before = pinned;
 * setPinned(!before);
 * try {
 *   const body = await sendJson<{ goal: { pinned: boolean } }>("/api/goals/pin", {
 *     method: "PATCH",
 *     body: { goalId, pinned: !before },
 *     rollback: () => setPinned(before),
 *   });
 *   setPinned(body.goal.pinned);
 * } catch (error) {
 *   setMessage(`Not saved: ${errorText(error)}`);
 * }
 * ```
 */

/** What {@linkcode sendJson} sends. */
export interface SendJsonOptions {
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  body: unknown;
  /** Undoes the optimistic change; runs (and is awaited) before the promise rejects. */
  rollback?: () => unknown;
}

/** A save that failed; `status` is the HTTP status, or 0 when no answer came. */
export class SendError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "SendError";
  }
}

/**
 * Sends `options.body` as JSON to `url` with the session's cookies and resolves to the
 * answer's JSON. Rejects with a {@linkcode SendError} (after `rollback`) when the request
 * fails or the answer is not 2xx: its message is the API's error message when there is one.
 */
export async function sendJson<T>(url: string, options: SendJsonOptions): Promise<T> {
  let failure: SendError;
  try {
    const res = await fetch(url, {
      method: options.method,
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(options.body),
    });
    const body = await res.json().catch(() => null);
    if (res.ok) return body as T;
    failure = new SendError(body?.error?.message ?? `the server answered ${res.status}`, res.status);
  } catch (error) {
    failure = new SendError(errorText(error), 0);
  }
  await options.rollback?.();
  throw failure;
}

/** The message of anything thrown, for a sentence like "Not saved: …". */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
