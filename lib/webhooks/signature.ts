/**
 * Webhook signatures: every delivery carries
 * `X-CG-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed by
 * the webhook's secret (the whole secret string, as UTF-8). It is Stripe's scheme, which
 * receivers already know how to check:
 *
 * - the timestamp is inside the signed text, so a captured delivery cannot be replayed
 *   later than the receiver's tolerance (5 minutes by default), nor re-dated;
 * - `v1=` may appear more than once (one per secret while a secret is being rotated):
 *   a receiver accepts the delivery when any of them matches;
 * - the scheme version (`v1`) leaves room for another algorithm without breaking
 *   receivers, which ignore the keys they do not know.
 *
 * Receivers must hash the raw body bytes as received, before any JSON parsing.
 * {@linkcode verifySignature} is what our own tests (and a Deno or Node receiver) use;
 * docs/webhooks.md holds a dependency-free snippet for receivers.
 *
 * @example
 * ```ts
 * const secret = generateWebhookSecret(); // "cgwhsec_…", shown to the user once
 * const body = JSON.stringify({ type: "checkin.created", data: { … } });
 * const header = await signPayload(secret, body, new Date());
 * // … the receiver:
 * const result = await verifySignature(secret, body, header);
 * if (!result.ok) console.log(result.reason); // "The signature does not match the body"
 * ```
 *
 * @module
 */

/** The request header that carries the signature. */
export const SIGNATURE_HEADER = "X-CG-Signature";
/** How far a signature's timestamp may be from the receiver's clock, by default (either way). */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** What every secret starts with, so a leaked one is recognisable (and secret scanners can match it). */
export const WEBHOOK_SECRET_PREFIX = "cgwhsec_";

/** Longest header {@linkcode verifySignature} reads: a few signatures fit, a hostile megabyte does not. */
const MAX_HEADER_LENGTH = 1024;
/** `v1=` entries read at most (two secrets during a rotation, with room to spare). */
const MAX_SIGNATURES = 8;
const SECRET_BYTES = 32;
const encoder = new TextEncoder();

/**
 * A new webhook secret: {@linkcode WEBHOOK_SECRET_PREFIX} and 32 random bytes in
 * base64url (256 bits, the HMAC-SHA256 key size).
 *
 * @example
 * ```ts
 * generateWebhookSecret(); // "cgwhsec_3q2-7wE…" (51 characters)
 * ```
 */
export function generateWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return WEBHOOK_SECRET_PREFIX + toBase64Url(bytes);
}

/**
 * The `X-CG-Signature` value for `body` sent at `at`.
 *
 * @param secret the webhook's secret, as shown to its owner
 * @param body exactly the bytes that go on the wire (a string is sent as UTF-8)
 * @param at the sending time; its whole seconds go into `t=`
 *
 * @example
 * ```ts
 * await signPayload("cgwhsec_x", '{"a":1}', new Date(1_767_225_600_000));
 * // "t=1767225600,v1=6c1f…" (64 hex digits)
 * ```
 */
export async function signPayload(secret: string, body: string | Uint8Array, at: Date = new Date()): Promise<string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError("The signing time must be after 1970");
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedText(timestamp, body));
  return `t=${timestamp},v1=${toHex(new Uint8Array(mac))}`;
}

/** Why a signature was refused; `ok: true` when it was accepted. */
export type VerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: string };

/** Options of {@linkcode verifySignature}. */
export interface VerifyOptions {
  /** Seconds the timestamp may differ from `now`, either way. Default {@linkcode DEFAULT_TOLERANCE_SECONDS}. */
  toleranceSeconds?: number;
  /** The receiver's clock. */
  now?: Date;
}

/**
 * Checks an `X-CG-Signature` header against `body` and `secret`: well formed, timestamp
 * within the tolerance, and one of its `v1=` signatures equal to ours. The comparison is
 * `crypto.subtle.verify`, which takes the same time wherever the bytes differ, so it
 * leaks nothing about the expected signature. Never throws for any header text.
 *
 * @example
 * ```ts
 * const result = await verifySignature(secret, rawBody, request.headers.get("x-cg-signature"));
 * if (!result.ok) return new Response(result.reason, { status: 400 });
 * ```
 */
export async function verifySignature(
  secret: string,
  body: string | Uint8Array,
  header: string | null | undefined,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const parsed = parseSignatureHeader(header);
  if ("reason" in parsed) return { ok: false, reason: parsed.reason };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - parsed.timestamp) > tolerance) {
    return { ok: false, reason: `The signature's timestamp is more than ${tolerance} seconds from now` };
  }
  const key = await hmacKey(secret);
  const text = signedText(parsed.timestamp, body);
  for (const signature of parsed.signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, text)) return { ok: true, timestamp: parsed.timestamp };
  }
  return { ok: false, reason: "The signature does not match the body" };
}

/** A parsed header: its timestamp and every well-formed `v1` signature. */
interface ParsedHeader {
  timestamp: number;
  signatures: Uint8Array<ArrayBuffer>[];
}

/**
 * Reads `t=…,v1=…[,v1=…]`. Keys it does not know (a future `v2`) are skipped, as
 * receivers are told to do; a missing or doubled `t`, or no usable `v1`, is a refusal.
 */
function parseSignatureHeader(header: string | null | undefined): ParsedHeader | { reason: string } {
  if (typeof header !== "string" || header.trim() === "") return { reason: `No ${SIGNATURE_HEADER} header` };
  if (header.length > MAX_HEADER_LENGTH) {
    return { reason: `The ${SIGNATURE_HEADER} header is longer than ${MAX_HEADER_LENGTH} characters` };
  }
  let timestamp: number | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return { reason: `The ${SIGNATURE_HEADER} header is not of the form t=…,v1=…` };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined) return { reason: `The ${SIGNATURE_HEADER} header has more than one timestamp` };
      if (!/^\d{1,12}$/.test(value)) return { reason: "The signature's timestamp is not a whole number of seconds" };
      timestamp = Number(value);
    } else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value) && signatures.length < MAX_SIGNATURES) {
      signatures.push(fromHex(value));
    }
  }
  if (timestamp === undefined) return { reason: `The ${SIGNATURE_HEADER} header has no timestamp (t=)` };
  if (signatures.length === 0) return { reason: `The ${SIGNATURE_HEADER} header has no v1 signature` };
  return { timestamp, signatures };
}

function hmacKey(secret: string): Promise<CryptoKey> {
  if (secret.length === 0) throw new TypeError("A webhook secret cannot be empty");
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/** `"<t>."` followed by the body's bytes: what the HMAC covers. */
function signedText(timestamp: number, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const text = new Uint8Array(prefix.length + bytes.length);
  text.set(prefix);
  text.set(bytes, prefix.length);
  return text;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
