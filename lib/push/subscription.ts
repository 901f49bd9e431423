/**
 * What a browser's `PushSubscription.toJSON()` must hold before the server stores it:
 * an endpoint the server will POST to, and the two keys RFC 8291 encrypts with.
 *
 * The checks are the protocol's (key sizes, a point on the curve) plus the ones that
 * keep the server from POSTing where it should not: an `https:` endpoint on a DNS name
 * (push services are never reached by an IP literal, so `https://169.254.169.254/…` or
 * `https://10.0.0.1/…` are refused outright), no credentials in the URL. Plain `http:`
 * and IP literals pass only with `allowInsecureLoopback` and only for loopback hosts:
 * the local push service of the tests. A DNS name that resolves to a private address is
 * the sender's to refuse (it resolves at send time).
 *
 * @example
 * ```ts
 * const problems = pushSubscriptionProblems(body, { allowInsecureLoopback: false });
 * if (Object.keys(problems).length) throw new ValidationError(problems, "The subscription needs attention");
 * ```
 */
import { createECDH } from "node:crypto";
import { decodeBase64Url } from "@/lib/base64url.ts";

/** The fields of `PushSubscription.toJSON()` the server keeps. */
export interface PushSubscriptionJson {
  endpoint: string;
  keys: {
    /** Base64url of the browser's 65-byte uncompressed P-256 public key. */
    p256dh: string;
    /** Base64url of the 16-byte authentication secret. */
    auth: string;
  };
}

/** Longest endpoint URL accepted; real ones (FCM, Mozilla, Apple, WNS) are under 600 characters. */
export const PUSH_ENDPOINT_MAX_LENGTH = 2048;

export interface PushSubscriptionRules {
  /** Accept `http:` and IP-literal endpoints on loopback hosts (tests, local development). */
  allowInsecureLoopback: boolean;
}

/**
 * Every problem of `subscription`, keyed by field path (`endpoint`, `keys.p256dh`,
 * `keys.auth`); empty when it can be stored and sent to.
 */
export function pushSubscriptionProblems(
  subscription: PushSubscriptionJson,
  rules: PushSubscriptionRules,
): Record<string, string> {
  const problems: Record<string, string> = {};
  const endpoint = pushEndpointProblem(subscription.endpoint, rules);
  if (endpoint) problems.endpoint = endpoint;
  const p256dh = p256dhProblem(subscription.keys.p256dh);
  if (p256dh) problems["keys.p256dh"] = p256dh;
  const auth = decodeBase64Url(subscription.keys.auth);
  if (auth?.length !== 16) problems["keys.auth"] = "Must be 16 bytes in base64url, as the browser gives it";
  return problems;
}

/** Why the server must not send to `endpoint`, or `undefined` when it may. */
export function pushEndpointProblem(endpoint: string, rules: PushSubscriptionRules): string | undefined {
  if (endpoint.length > PUSH_ENDPOINT_MAX_LENGTH) {
    return `Must be at most ${PUSH_ENDPOINT_MAX_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "Must be the push service's https: URL";
  }
  if (url.username || url.password) return "Must not carry a user name or password";
  const loopback = isLoopbackHost(url.hostname);
  if (rules.allowInsecureLoopback && loopback && (url.protocol === "http:" || url.protocol === "https:")) {
    return undefined;
  }
  if (url.protocol !== "https:") return "Must be the push service's https: URL";
  if (isIpLiteral(url.hostname) || loopback || !url.hostname.includes(".")) {
    return "Must name a push service by its public host name";
  }
  return undefined;
}

function p256dhProblem(value: string): string | undefined {
  const bytes = decodeBase64Url(value);
  if (bytes?.length !== 65 || bytes[0] !== 4) {
    return "Must be an uncompressed P-256 public key: 65 bytes in base64url, as the browser gives it";
  }
  // A point off the curve could never decrypt (and is how invalid-curve attacks start).
  // node:crypto checks it; Deno's WebCrypto imports such a point without complaint.
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    ecdh.computeSecret(bytes);
    return undefined;
  } catch {
    return "Is not a point on the P-256 curve";
  }
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith("[") || /^[0-9.]+$/.test(hostname) || /^0x/i.test(hostname);
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
