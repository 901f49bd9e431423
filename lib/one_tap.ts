/**
 * One-tap tokens: the signed part of the Done/Skip links in reminder e-mails and
 * pushes. A token names one user, one habit, one local day and one action, and is
 * valid for {@linkcode ONE_TAP_VALIDITY_MS} (48 hours) from when it was signed. It is
 * signed here and checked here; nothing is stored to sign one. "Single use" is not this
 * module's: the page that records the check-in keeps a row keyed by the token's
 * `tokenId` (the database decides, once, under concurrency).
 *
 * Why a compact binary token rather than JSON: the links go into plain-text e-mail,
 * where a short line survives wrapping, and a fixed length makes every malformed input
 * (too long, NUL, lone surrogates, another alphabet) fail one cheap test before any
 * crypto runs. 90 bytes, unpadded base64url: 120 characters.
 *
 * | bytes | field |
 * |---|---|
 * | 0 | format version, 1 |
 * | 1 | action: 1 done, 2 skip |
 * | 2–17 | user id (UUID) |
 * | 18–33 | habit id (UUID) |
 * | 34–37 | local date: days since 1970-01-01, big-endian |
 * | 38–41 | signed at: seconds since the epoch, big-endian |
 * | 42–57 | token id (random UUID v4) |
 * | 58–89 | HMAC-SHA-256 of bytes 0–57 |
 *
 * The HMAC key is derived from `APP_SECRET` (lib/app_secret.ts) with HKDF and this
 * purpose's own label, so the secret's other uses can never produce a valid token.
 * Verification takes several keys (the current one first), so the secret can be rotated
 * without breaking links sent in the last 48 hours.
 *
 * @example
 * ```ts
 * const key = await oneTapKey(appSecret);
 * const token = await signOneTap(key, { userId, habitId, localDate: "2026-03-01", action: "done" });
 * const checked = await verifyOneTap([key], token);
 * if (checked.ok) await recordOneTap(db, checked.claims); // single use: the db's job
 * ```
 */
import { decodeBase64Url, encodeBase64Url } from "./base64url.ts";

/** What a one-tap link does. */
export type OneTapAction = "done" | "skip";

/** What a token says, once its signature and age have been checked. */
export interface OneTapClaims {
  userId: string;
  habitId: string;
  /** The user's local day the check-in is for, `YYYY-MM-DD`. */
  localDate: string;
  action: OneTapAction;
  /** When it was signed (whole seconds). */
  signedAt: Date;
  /** Unique per token: the key of the row that makes it single-use. */
  tokenId: string;
}

/** What {@linkcode signOneTap} needs; the token id and time are its own. */
export type OneTapScope = Pick<OneTapClaims, "userId" | "habitId" | "localDate" | "action">;

/** Why a token was not accepted. */
export type OneTapRefusal =
  /** Not a token of ours at all: wrong length or alphabet, unknown version or action, a bad date. */
  | "malformed"
  /** Well-formed, but no key of ours signed it (tampered, or signed with a retired secret). */
  | "bad_signature"
  /** Signed more than 48 hours ago. */
  | "expired"
  /** Signed in the future beyond clock skew: only a leaked key or a broken clock does that. */
  | "not_yet_valid";

export type OneTapVerification = { ok: true; claims: OneTapClaims } | { ok: false; reason: OneTapRefusal };

/** How long a link works after it was signed. */
export const ONE_TAP_VALIDITY_MS = 48 * 60 * 60 * 1000;
/** Instances' clocks may disagree by this much. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The length of every token, in characters. */
export const ONE_TAP_TOKEN_LENGTH = 120;

const VERSION = 1;
const ACTIONS: readonly OneTapAction[] = ["done", "skip"];
const BODY_BYTES = 58;
const MAC_BYTES = 32;
const PURPOSE = new TextEncoder().encode("ConsistencyGrid one-tap link v1");
const DAY_MS = 86_400_000;
/** 9999-12-31: the last day a `YYYY-MM-DD` can name. */
const LAST_DAY = Date.UTC(9999, 11, 31) / DAY_MS;

/**
 * The HMAC key for one-tap tokens, derived from the app secret. Derive it once at
 * start-up: the key is not extractable.
 */
export async function oneTapKey(appSecret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(appSecret), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: PURPOSE },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/**
 * A new token for `scope`, signed with `key` at `now`. Throws a `RangeError` for ids
 * that are not UUIDs or a date that is not a real `YYYY-MM-DD` day: those are bugs of
 * the caller, never user input.
 */
export async function signOneTap(key: CryptoKey, scope: OneTapScope, now: Date = new Date()): Promise<string> {
  const body = new Uint8Array(BODY_BYTES);
  const view = new DataView(body.buffer);
  body[0] = VERSION;
  const action = ACTIONS.indexOf(scope.action);
  if (action < 0) throw new RangeError(`action must be done or skip, got ${scope.action}`);
  body[1] = action + 1;
  body.set(uuidBytes(scope.userId, "userId"), 2);
  body.set(uuidBytes(scope.habitId, "habitId"), 18);
  const day = dayNumber(scope.localDate);
  if (day === undefined) throw new RangeError(`localDate must be a YYYY-MM-DD day, got ${scope.localDate}`);
  view.setUint32(34, day);
  view.setUint32(38, Math.floor(now.getTime() / 1000));
  body.set(uuidBytes(crypto.randomUUID(), "tokenId"), 42);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  const token = new Uint8Array(BODY_BYTES + MAC_BYTES);
  token.set(body);
  token.set(mac, BODY_BYTES);
  return encodeBase64Url(token);
}

/**
 * Checks `token` (any string, straight from a URL) with each of `keys` and its age at
 * `now`. Never throws for what the token holds.
 */
export async function verifyOneTap(
  keys: readonly CryptoKey[],
  token: string,
  now: Date = new Date(),
): Promise<OneTapVerification> {
  // The length first: a huge or odd input costs one comparison.
  if (token.length !== ONE_TAP_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const bytes = decodeBase64Url(token);
  if (bytes?.length !== BODY_BYTES + MAC_BYTES || bytes[0] !== VERSION) return { ok: false, reason: "malformed" };
  const body = bytes.slice(0, BODY_BYTES);
  const mac = bytes.slice(BODY_BYTES);
  let signed = false;
  for (const key of keys) {
    // WebCrypto's verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", key, mac, body)) {
      signed = true;
      break;
    }
  }
  if (!signed) return { ok: false, reason: "bad_signature" };

  const view = new DataView(body.buffer);
  const action = ACTIONS[body[1] - 1];
  const day = view.getUint32(34);
  // Only a bug of ours signs these: still refuse them rather than trust them.
  if (action === undefined || day > LAST_DAY) return { ok: false, reason: "malformed" };
  const signedAtMs = view.getUint32(38) * 1000;
  if (signedAtMs > now.getTime() + CLOCK_SKEW_MS) return { ok: false, reason: "not_yet_valid" };
  if (now.getTime() - signedAtMs > ONE_TAP_VALIDITY_MS) return { ok: false, reason: "expired" };
  return {
    ok: true,
    claims: {
      userId: uuidText(body.subarray(2, 18)),
      habitId: uuidText(body.subarray(18, 34)),
      localDate: new Date(day * DAY_MS).toISOString().slice(0, 10),
      action,
      signedAt: new Date(signedAtMs),
      tokenId: uuidText(body.subarray(42, 58)),
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidBytes(uuid: string, name: string): Uint8Array {
  if (!UUID.test(uuid)) throw new RangeError(`${name} must be a UUID, got ${uuid}`);
  return Uint8Array.fromHex(uuid.replace(/-/g, ""));
}

function uuidText(bytes: Uint8Array): string {
  const hex = bytes.toHex();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Days since 1970-01-01 of a real `YYYY-MM-DD` day from 1970 on; `undefined` otherwise. */
function dayNumber(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  return ms < 0 ? undefined : ms / DAY_MS;
}
