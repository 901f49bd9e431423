/**
 * Unpadded base64url (RFC 4648 §5), the encoding of Web Push keys and of our signed
 * tokens, read strictly: one spelling per byte string, so a token or key cannot be
 * written two ways.
 *
 * @example
 * ```ts
 * const bytes = decodeBase64Url("AQID"); // Uint8Array [1, 2, 3]
 * encodeBase64Url(bytes); // "AQID"
 * decodeBase64Url("AQID="); // undefined: padding is not base64url here
 * ```
 */

/** `bytes` as unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * The bytes of unpadded base64url `text`; `undefined` for anything else: padding,
 * whitespace, the `+/` alphabet, an impossible length, or unused bits that are not zero
 * (a second spelling of the same bytes).
 */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.fromBase64(text, { alphabet: "base64url" });
  } catch {
    return undefined;
  }
  return encodeBase64Url(bytes) === text ? bytes : undefined;
}
