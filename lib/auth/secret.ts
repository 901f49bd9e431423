/**
 * Random secrets (session ids, API tokens) and the hashes they are stored under.
 * 256-bit secrets need no salt or slow hash: SHA-256 of one is as good as unguessable.
 *
 * @example
 * ```ts
 * const secret = newSecret("cgt_"); // "cgt_3q2…"
 * const stored = await sha256Hex(secret);
 * ```
 */

import { createHash } from "node:crypto";

/** A 256-bit random secret, base64url, with an optional recognisable prefix. */
export function newSecret(prefix = ""): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return prefix + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Lower-case hex SHA-256 of a string. */
export async function sha256Hex(value: string): Promise<string> {
  // node:crypto hashes synchronously in ~2 µs; WebCrypto's digest round-trips through
  // the async op machinery (~100 µs), and this runs on every signed-in request.
  return await Promise.resolve(createHash("sha256").update(value).digest("hex"));
}
