/**
 * A local Web Push service for tests: it hands out subscriptions the way a browser's
 * push service does (an endpoint URL, the browser's P-256 public key `p256dh` and a
 * 16-byte `auth` secret, with the private key kept here), and for every message POSTed
 * to an endpoint it does what a real push service and the receiving browser do between
 * them, with WebCrypto only (no code shared with the sender's library):
 *
 * - checks the request: `POST`, a `TTL` header, `Content-Encoding: aes128gcm`, a body of
 *   at most 4096 bytes;
 * - checks the VAPID authorization (RFC 8292): `vapid t=<JWT>, k=<public key>`, an
 *   ES256 signature that verifies with `k`, `aud` = this service's origin, `exp` in the
 *   future and at most 24 h ahead, `sub` a `mailto:` or `https:` URL, and `k` the
 *   `applicationServerKey` the subscription was made with (when it was given);
 * - decrypts the body with the subscription's private key and auth secret (RFC 8291
 *   key derivation, RFC 8188 records) and records the plaintext.
 *
 * A request that fails a check is answered as a push service would (400, 401, 403,
 * 413, 415) and recorded in `rejections`, so a test can assert there were none. Tests
 * can also make it answer 201, 404, 410, 429 or 500 (or stall) on demand.
 *
 * @example
 * ```ts
 * await using service = startPushService();
 * const device = await service.subscribe({ applicationServerKey: vapid.publicKey });
 * await sendPush(device.subscription, { payload: '{"title":"Hi"}', ttlSeconds: 60 }, vapid);
 * assertEquals(service.messages[0].payload, '{"title":"Hi"}');
 * ```
 */
import { decodeBase64Url, encodeBase64Url } from "@/lib/base64url.ts";

/** A subscription as the browser hands it to the app, plus the device's secrets (kept here). */
export interface TestDevice {
  id: string;
  /** What `PushSubscription.toJSON()` gives the page: send this to the app. */
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  /** The VAPID public key the subscription is bound to, when one was given. */
  applicationServerKey: string | undefined;
  privateKey: CryptoKey;
  publicKeyBytes: Uint8Array<ArrayBuffer>;
  authSecret: Uint8Array<ArrayBuffer>;
}

/** One message the service accepted and decrypted. */
export interface ReceivedPush {
  deviceId: string;
  /** The decrypted payload as text. */
  payload: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  /** The verified VAPID JWT claims. */
  claims: { aud: string; exp: number; sub: string };
  /** The `k` of the authorization: the sender's VAPID public key. */
  vapidPublicKey: string;
  receivedAt: Date;
}

/** A request the service refused because it broke a rule (not an answer asked for by the test). */
export interface RejectedPush {
  deviceId: string | null;
  status: number;
  reason: string;
}

/** An answer a test asks for: a status, optional headers, or a stall before answering. */
export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (the sender's timeout should fire first). */
  delayMs?: number;
}

export interface TestPushService extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`, the `aud` every JWT must carry. */
  origin: string;
  /** A new subscription; with `applicationServerKey`, pushes signed by another key are refused (403). */
  subscribe(options?: { applicationServerKey?: string }): Promise<TestDevice>;
  /** The device unsubscribed: its endpoint answers 410 from now on. */
  expire(device: TestDevice): void;
  /** The next requests (to any endpoint) get these answers, one each, before any check. */
  script(...answers: ScriptedAnswer[]): void;
  /** The next requests to `device`'s endpoint get these answers, one each, before any check. */
  scriptDevice(device: TestDevice, ...answers: ScriptedAnswer[]): void;
  /** Forgets every scripted answer not given yet. */
  clearScripts(): void;
  messages: ReceivedPush[];
  rejections: RejectedPush[];
  /** Every request that reached the service, in order (scripted ones too). */
  requests: { deviceId: string | null; status: number }[];
  /** Waits (bounded) until `count` messages have arrived; returns them. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
}

/** Push services must accept at least this much body (RFC 8291 §4) and may refuse more. */
const MAX_BODY_BYTES = 4096;
/** RFC 8292 §2: a JWT's `exp` must be no more than 24 hours ahead. */
const MAX_JWT_LIFETIME_S = 24 * 60 * 60;

class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Starts the service on a free loopback port; dispose it (or `await using`) to stop. */
export function startPushService(): TestPushService {
  const devices = new Map<string, TestDevice & { expired: boolean }>();
  const scripted: ScriptedAnswer[] = [];
  const scriptedFor = new Map<string, ScriptedAnswer[]>();
  const messages: ReceivedPush[] = [];
  const rejections: RejectedPush[] = [];
  const requests: { deviceId: string | null; status: number }[] = [];
  const abort = new AbortController();

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen() {} },
    async (req): Promise<Response> => {
      const match = new URL(req.url).pathname.match(/^\/push\/([\w-]+)$/);
      const device = match ? devices.get(match[1]) : undefined;
      const deviceId = device?.id ?? null;
      const answer = (status: number, body = "", headers: Record<string, string> = {}) => {
        requests.push({ deviceId, status });
        return new Response(body || null, { status, headers });
      };

      const next = (deviceId ? scriptedFor.get(deviceId)?.shift() : undefined) ?? scripted.shift();
      if (next) {
        await req.body?.cancel();
        if (next.delayMs) await sleep(next.delayMs, abort.signal);
        return answer(next.status, next.body, next.headers);
      }
      if (!device) return answer(404, "No such subscription");
      if (device.expired) return answer(410, "Subscription expired");
      try {
        const received = await receive(req, device, origin);
        messages.push(received);
        return answer(201, "", { Location: `${origin}/message/${crypto.randomUUID()}` });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        rejections.push({ deviceId, status: error.status, reason: error.message });
        return answer(error.status, error.message);
      }
    },
  );
  const origin: string = `http://127.0.0.1:${server.addr.port}`;

  return {
    origin,
    messages,
    rejections,
    requests,
    async subscribe(options = {}) {
      const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
      const publicKeyBytes = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
      const authSecret = crypto.getRandomValues(new Uint8Array(16));
      const id = crypto.randomUUID();
      const device = {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          keys: { p256dh: encodeBase64Url(publicKeyBytes), auth: encodeBase64Url(authSecret) },
        },
        applicationServerKey: options.applicationServerKey,
        privateKey: pair.privateKey,
        publicKeyBytes,
        authSecret,
        expired: false,
      };
      devices.set(id, device);
      return device;
    },
    expire(device) {
      const known = devices.get(device.id);
      if (known) known.expired = true;
    },
    script(...answers) {
      scripted.push(...answers);
    },
    scriptDevice(device, ...answers) {
      scriptedFor.set(device.id, [...(scriptedFor.get(device.id) ?? []), ...answers]);
    },
    clearScripts() {
      scripted.length = 0;
      scriptedFor.clear();
    },
    async waitForMessages(count, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > until) {
          throw new Error(
            `Expected ${count} push messages within ${timeoutMs} ms, got ${messages.length}` +
              (rejections.length ? `; refused: ${JSON.stringify(rejections)}` : ""),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages.slice(0, count);
    },
    async [Symbol.asyncDispose]() {
      abort.abort();
      await server.finished;
    },
  };
}

/** Checks one request as a push service would, then decrypts it as the device would. */
async function receive(req: Request, device: TestDevice, origin: string): Promise<ReceivedPush> {
  if (req.method !== "POST") throw new Refusal(405, "Push messages are POSTed");
  const ttlHeader = req.headers.get("ttl");
  if (ttlHeader === null || !/^\d+$/.test(ttlHeader)) throw new Refusal(400, "A TTL header is required (RFC 8030)");
  const { claims, vapidPublicKey } = await verifyVapid(req.headers.get("authorization"), origin);
  if (device.applicationServerKey !== undefined && vapidPublicKey !== device.applicationServerKey) {
    throw new Refusal(403, "The VAPID key is not the one this subscription was made with");
  }
  if (req.headers.get("content-encoding") !== "aes128gcm") {
    throw new Refusal(415, "Content-Encoding must be aes128gcm");
  }
  const body = new Uint8Array(await req.arrayBuffer());
  if (body.length > MAX_BODY_BYTES) throw new Refusal(413, `Body over ${MAX_BODY_BYTES} bytes`);
  let payload: string;
  try {
    payload = new TextDecoder("utf-8", { fatal: true }).decode(await decryptPushBody(body, device));
  } catch (error) {
    throw new Refusal(400, `Cannot decrypt: ${error instanceof Error ? error.message : error}`);
  }
  return {
    deviceId: device.id,
    payload,
    ttl: Number(ttlHeader),
    urgency: req.headers.get("urgency"),
    topic: req.headers.get("topic"),
    claims,
    vapidPublicKey,
    receivedAt: new Date(),
  };
}

/** Verifies `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §3) against `audience`. */
async function verifyVapid(
  authorization: string | null,
  audience: string,
): Promise<{ claims: ReceivedPush["claims"]; vapidPublicKey: string }> {
  const match = authorization?.match(/^vapid\s+t=([A-Za-z0-9_.-]+),\s*k=([A-Za-z0-9_-]+)$/);
  if (!match) throw new Refusal(401, "Authorization must be `vapid t=<JWT>, k=<public key>`");
  const [, jwt, k] = match;
  const keyBytes = decodeBase64Url(k);
  if (keyBytes?.length !== 65 || keyBytes[0] !== 4) throw new Refusal(401, "k must be a 65-byte P-256 public key");
  const parts = jwt.split(".");
  if (parts.length !== 3) throw new Refusal(401, "The JWT must have three parts");
  const [headerPart, claimsPart, signaturePart] = parts;
  const header = parseJsonPart(headerPart);
  if (header.alg !== "ES256") throw new Refusal(401, `The JWT must be ES256, got ${header.alg}`);
  const signature = decodeBase64Url(signaturePart);
  if (signature?.length !== 64) throw new Refusal(403, "An ES256 signature is 64 bytes (r || s)");
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("raw", keyBytes, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch {
    throw new Refusal(401, "k is not a point on P-256");
  }
  const signed = new TextEncoder().encode(`${headerPart}.${claimsPart}`);
  const valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, signed);
  if (!valid) throw new Refusal(403, "The JWT signature does not verify with k");
  const claims = parseJsonPart(claimsPart);
  if (claims.aud !== audience) throw new Refusal(403, `aud must be ${audience}, got ${claims.aud}`);
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp <= now) throw new Refusal(403, "The JWT has expired");
  if (claims.exp > now + MAX_JWT_LIFETIME_S) throw new Refusal(403, "exp is more than 24 hours ahead");
  if (typeof claims.sub !== "string" || !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/[^\s]+)$/.test(claims.sub)) {
    throw new Refusal(403, `sub must be a mailto: or https: URL, got ${claims.sub}`);
  }
  return { claims: { aud: claims.aud, exp: claims.exp, sub: claims.sub }, vapidPublicKey: k };
}

/** Resolves after `ms`, or at once when `signal` aborts (so stopping the service never waits on a stall). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function parseJsonPart(part: string): Record<string, unknown> {
  const bytes = decodeBase64Url(part);
  try {
    if (!bytes) throw new Error();
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error();
    return value;
  } catch {
    throw new Refusal(401, "A JWT part is not base64url JSON");
  }
}

const encoder = new TextEncoder();

/**
 * Decrypts an `aes128gcm` Web Push body as the receiving browser does (RFC 8291 §3.4,
 * RFC 8188 §2): the header's `keyid` is the sender's ephemeral public key; the
 * input keying material comes from ECDH with the device's private key, salted with
 * the auth secret; each record's nonce is the base nonce XOR its sequence number; the
 * last record ends with the delimiter 2, earlier ones with 1, then zero padding.
 */
export async function decryptPushBody(body: Uint8Array, device: TestDevice): Promise<Uint8Array> {
  if (body.length < 21) throw new Error("shorter than the aes128gcm header");
  const salt = body.slice(0, 16);
  const recordSize = new DataView(body.buffer, body.byteOffset).getUint32(16);
  const keyIdLength = body[20];
  if (keyIdLength !== 65) throw new Error(`keyid must be the sender's 65-byte public key, got ${keyIdLength} bytes`);
  if (recordSize < 18) throw new Error(`record size ${recordSize} is below the minimum of 18`);
  const senderPublic = body.slice(21, 21 + keyIdLength);
  const records = body.slice(21 + keyIdLength);
  if (records.length === 0) throw new Error("no records");

  const senderKey = await crypto.subtle.importKey(
    "raw",
    senderPublic,
    { name: "ECDH", namedCurve: "P-256" },
    false,
    [],
  );
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits({ name: "ECDH", public: senderKey }, device.privateKey, 256),
  );
  const keyInfo = concat(encoder.encode("WebPush: info\0"), device.publicKeyBytes, senderPublic);
  const ikm = await hkdf(device.authSecret, ecdhSecret, keyInfo, 32);
  const contentKey = await hkdf(salt, ikm, encoder.encode("Content-Encoding: aes128gcm\0"), 16);
  const baseNonce = await hkdf(salt, ikm, encoder.encode("Content-Encoding: nonce\0"), 12);
  const aesKey = await crypto.subtle.importKey("raw", contentKey, "AES-GCM", false, ["decrypt"]);

  const plaintext: Uint8Array[] = [];
  for (let offset = 0, seq = 0; offset < records.length; offset += recordSize, seq++) {
    const record = records.slice(offset, offset + recordSize);
    const last = offset + recordSize >= records.length;
    const nonce = baseNonce.slice();
    // The sequence number is XORed into the low-order bytes (big-endian 96-bit).
    for (let i = 0, n = seq; i < 6 && n > 0; i++, n = Math.floor(n / 256)) nonce[11 - i] ^= n % 256;
    const opened = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aesKey, record));
    let end = opened.length - 1;
    while (end >= 0 && opened[end] === 0) end--;
    if (end < 0) throw new Error(`record ${seq} has no padding delimiter`);
    if (opened[end] !== (last ? 2 : 1)) throw new Error(`record ${seq} ends with delimiter ${opened[end]}`);
    plaintext.push(opened.slice(0, end));
  }
  return concat(...plaintext);
}

async function hkdf(
  salt: Uint8Array<ArrayBuffer>,
  ikm: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, length * 8));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
