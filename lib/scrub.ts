/**
 * What counts as a secret, for everything that leaves the process: log lines and error
 * reports. Keys that name a secret are masked wherever they appear; inside free text,
 * `key=value` pairs with such keys and `Bearer …` credentials are masked.
 *
 * @example
 * ```ts
 * scrubString("GET /x?token=abc failed"); // "GET /x?token=[Filtered] failed"
 * ```
 */

export const FILTERED = "[Filtered]";

/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEY = /pass(word|wd)?|secret|token|cookie|authorization|api[-_]?key|session|credential|dsn/i;
/**
 * `key=value` / `key: value` pairs with a secret-like key, inside any string (URLs,
 * messages). A colon counts only when no digit or "//" follows, so "session.ts:12" and
 * URLs survive.
 */
const SECRET_PAIR =
  /((?:[\w.-]*(?:pass(?:word|wd)?|secret|token|api[-_]?key|session|sig(?:nature)?)[\w.-]*)"?\s*(?:=|:(?!\d|\/\/))\s*)("[^"]*"|[^\s&#;,"'\\]+)/gi;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Scrubs one string: secret pairs and credentials are masked. */
export function scrubString(value: string): string {
  return value.replace(BEARER, `$1 ${FILTERED}`).replace(SECRET_PAIR, `$1${FILTERED}`);
}
