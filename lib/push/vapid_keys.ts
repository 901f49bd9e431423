/**
 * The VAPID identity of this server for Web Push (RFC 8292): a P-256 key pair whose
 * public half browsers receive as `applicationServerKey` when they subscribe, and a
 * contact (`mailto:` or `https:`) that push services may use to reach the operator.
 *
 * Where the keys come from:
 * - `VAPID_PUBLIC_KEY` + `VAPID_PRIVATE_KEY` (+ `VAPID_SUBJECT`, then required) from the
 *   environment, always first. The pair is checked: the public key must be the private
 *   key's, or every push would be refused far from the cause.
 * - Embedded mode (no `DATABASE_URL`): generated once and kept in
 *   `$DATA_DIR/vapid_keys.json` (mode 0600), so a first run works without setup and
 *   subscriptions survive restarts. The subject is `VAPID_SUBJECT` or the caller's
 *   default.
 * - With `DATABASE_URL` and no keys in the environment: push is off (a reason is
 *   returned to log; reminders still go by e-mail and in-app). Nothing is written: each
 *   instance of a real deployment would otherwise mint its own pair, and a subscription
 *   is bound to the key it was made with; Deno Deploy has no disk at all. Print a pair
 *   for the environment with `deno run -A tasks/secrets.ts`.
 *
 * Keys are unpadded base64url, as web-push and the browser's `applicationServerKey`
 * take them: the public key is the 65-byte uncompressed point, the private key the
 * 32-byte scalar.
 *
 * @example
 * ```ts
 * const vapid = await resolveVapidKeys(
 *   { publicKey: get("VAPID_PUBLIC_KEY"), privateKey: get("VAPID_PRIVATE_KEY"), subject: get("VAPID_SUBJECT") },
 *   { dataDir: config.databaseUrl ? undefined : config.dataDir, defaultSubject: "mailto:reminders@example.com" },
 * );
 * if (vapid.keys === null) log.warn("push.off", { reason: vapid.reason });
 * ```
 */
import { createECDH } from "node:crypto";
import { decodeBase64Url, encodeBase64Url } from "@/lib/base64url.ts";
import { ConfigError } from "@/lib/config.ts";
import { readOrCreateSecretFile } from "@/lib/secret_file.ts";

/** What signs and identifies this server's pushes. */
export interface VapidKeys {
  /** Base64url of the 65-byte uncompressed P-256 point: the browser's `applicationServerKey`. */
  publicKey: string;
  /** Base64url of the 32-byte private scalar. Never logged, never sent. */
  privateKey: string;
  /** `mailto:…` or `https://…`: whom a push service contacts about this sender. */
  subject: string;
}

/** The three environment variables, unset ones `undefined`. */
export interface VapidSettings {
  publicKey?: string;
  privateKey?: string;
  subject?: string;
}

/** Where the embedded mode keeps its generated pair, inside `DATA_DIR`. */
export const VAPID_KEYS_FILE = "vapid_keys.json";

/** The keys and where they came from, or why push is off. */
export type VapidKeysResult =
  | { keys: VapidKeys; source: "environment" | "data_dir" }
  | { keys: null; reason: string };

/**
 * The server's VAPID keys: from the environment, else (when `dataDir` is given: the
 * embedded mode) from `$dataDir/vapid_keys.json`, generated on first use; else none.
 * Throws a `ConfigError` naming the variable (or file) for anything unusable.
 */
export async function resolveVapidKeys(
  settings: VapidSettings,
  storage: { dataDir: string | undefined; defaultSubject: string },
): Promise<VapidKeysResult> {
  const { publicKey, privateKey, subject } = settings;
  if (publicKey !== undefined || privateKey !== undefined) {
    if (publicKey === undefined || privateKey === undefined) {
      throw new ConfigError(
        `${publicKey === undefined ? "VAPID_PUBLIC_KEY" : "VAPID_PRIVATE_KEY"} must be set too: ` +
          "Web Push needs both halves of the key pair (print a new pair with `deno run -A tasks/secrets.ts`)",
      );
    }
    if (subject === undefined) {
      throw new ConfigError(
        "VAPID_SUBJECT must be set with the VAPID keys: a mailto: address or https: URL where push services can " +
          "reach you, such as mailto:ops@example.com",
      );
    }
    const keys = { publicKey, privateKey, subject };
    checkVapidKeys(keys, "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT");
    return { keys, source: "environment" };
  }
  if (storage.dataDir === undefined) {
    if (subject !== undefined) {
      throw new ConfigError(
        "VAPID_SUBJECT is set but VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not: with DATABASE_URL set the keys " +
          "must come from the environment (print a pair with `deno run -A tasks/secrets.ts`)",
      );
    }
    return {
      keys: null,
      reason: "VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT are unset: push reminders are off " +
        "(e-mail and in-app reminders still go out)",
    };
  }
  const path = `${storage.dataDir}/${VAPID_KEYS_FILE}`;
  const text = await readOrCreateSecretFile(path, () => JSON.stringify(generateVapidKeys()) + "\n");
  let stored: { publicKey?: unknown; privateKey?: unknown };
  try {
    stored = JSON.parse(text);
  } catch {
    stored = {};
  }
  if (typeof stored.publicKey !== "string" || typeof stored.privateKey !== "string") {
    throw new ConfigError(
      `${path} is not a VAPID key file: delete it to generate a new pair (subscribed devices then subscribe again)`,
    );
  }
  const keys = {
    publicKey: stored.publicKey,
    privateKey: stored.privateKey,
    subject: subject ?? storage.defaultSubject,
  };
  checkVapidKeys(
    keys,
    `publicKey in ${path}`,
    `privateKey in ${path}`,
    subject ? "VAPID_SUBJECT" : "the default subject",
  );
  return { keys, source: "data_dir" };
}

/**
 * A fresh key pair (for `tasks/secrets.ts`, the embedded mode's first start, and tests):
 * a P-256 pair from `node:crypto`, as web-push makes it, without loading web-push at
 * start (it is imported on the first push sent, lib/push/send.ts).
 *
 * @example
 * ```ts
 * const { publicKey, privateKey } = generateVapidKeys();
 * ```
 */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  // The private scalar comes back without its leading zero bytes (1 key in 256): pad it to 32.
  const scalar = ecdh.getPrivateKey();
  const privateKey = new Uint8Array(32);
  privateKey.set(scalar, 32 - scalar.length);
  return { publicKey: encodeBase64Url(ecdh.getPublicKey()), privateKey: encodeBase64Url(privateKey) };
}

/** Throws a `ConfigError` naming what is wrong with `keys`; the names say where each value came from. */
function checkVapidKeys(keys: VapidKeys, publicName: string, privateName: string, subjectName: string): void {
  const publicBytes = decodeBase64Url(keys.publicKey);
  if (publicBytes?.length !== 65 || publicBytes[0] !== 4) {
    throw new ConfigError(`${publicName} must be an uncompressed P-256 public key: 65 bytes in unpadded base64url`);
  }
  const privateBytes = decodeBase64Url(keys.privateKey);
  if (privateBytes?.length !== 32) {
    throw new ConfigError(`${privateName} must be a P-256 private key: 32 bytes in unpadded base64url`);
  }
  let derived: Uint8Array;
  try {
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(privateBytes);
    derived = ecdh.getPublicKey();
  } catch {
    throw new ConfigError(`${privateName} is not a valid P-256 private key`);
  }
  if (!derived.every((byte, i) => byte === publicBytes[i])) {
    throw new ConfigError(`${publicName} is not the public key of ${privateName}: set the two halves of one pair`);
  }
  const problem = vapidSubjectProblem(keys.subject);
  if (problem) throw new ConfigError(`${subjectName} ${problem}, got "${keys.subject}"`);
}

/**
 * Why `subject` cannot be a VAPID subject, or `undefined` when it can: a `mailto:` with
 * an address, or an `https:` URL of a public host (push services refuse `localhost`).
 */
export function vapidSubjectProblem(subject: string): string | undefined {
  const mustBe = "must be a mailto: address or an https: URL, such as mailto:ops@example.com";
  let url: URL;
  try {
    url = new URL(subject);
  } catch {
    return mustBe;
  }
  if (url.protocol === "mailto:") return /^[^@\s/?#]+@[^@\s/?#]+$/.test(url.pathname) ? undefined : mustBe;
  if (url.protocol !== "https:") return mustBe;
  if (url.hostname === "localhost" || url.hostname.endsWith(".localhost")) {
    return "must not be a localhost URL (push services refuse it): use a mailto: address";
  }
  return undefined;
}
