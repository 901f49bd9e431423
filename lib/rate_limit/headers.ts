/**
 * The RateLimit-Policy and RateLimit header fields of the IETF httpapi draft
 * (draft-ietf-httpapi-ratelimit-headers-10/-11: Structured-Field lists of quoted
 * policy names with `q` quota, `w` window in seconds, `r` remaining, `t` seconds until
 * quota frees up), and Retry-After in whole seconds.
 *
 * @example
 * ```ts
 * rateLimitHeaders([{ name: "habits.create", limit: 100, windowMs: 60_000, remaining: 42, resetMs: 17_200 }]);
 * // { "RateLimit-Policy": '"habits.create";q=100;w=60', "RateLimit": '"habits.create";r=42;t=18' }
 * ```
 */
import { retryAfterSeconds } from "./sliding_window.ts";

/** One policy's state after a decision, as the headers show it. */
export interface PolicyState {
  name: string;
  limit: number;
  windowMs: number;
  remaining: number;
  /** Ms until the oldest counted request leaves the window (0: none counted). */
  resetMs: number;
}

/** `RateLimit-Policy` and `RateLimit` for every policy that applied to the request. */
export function rateLimitHeaders(states: readonly PolicyState[]): Record<string, string> {
  if (states.length === 0) return {};
  return {
    "RateLimit-Policy": states.map((s) => `${quote(s.name)};q=${s.limit};w=${Math.ceil(s.windowMs / 1000)}`).join(
      ", ",
    ),
    "RateLimit": states.map((s) => `${quote(s.name)};r=${Math.max(0, s.remaining)};t=${Math.ceil(s.resetMs / 1000)}`)
      .join(", "),
  };
}

/** `Retry-After` for a refusal that frees up after `ms`: whole seconds, at least 1. */
export function retryAfterHeader(ms: number): Record<string, string> {
  return { "Retry-After": String(retryAfterSeconds(ms)) };
}

/** A Structured-Field sf-string: policy names are ASCII words, escaping is for safety. */
function quote(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, "")}"`;
}
