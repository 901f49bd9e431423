/**
 * lib/one_tap.ts: a one-tap token says exactly what it was signed for, for 48 hours,
 * and nothing else passes: another key, any changed bit, an old or future token, or any
 * string at all that we did not sign (the token comes straight from a URL).
 */
import fc from "fast-check";
import { encodeBase64Url } from "@/lib/base64url.ts";
import {
  ONE_TAP_TOKEN_LENGTH,
  ONE_TAP_VALIDITY_MS,
  oneTapKey,
  type OneTapScope,
  signOneTap,
  verifyOneTap,
} from "@/lib/one_tap.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";

const key = await oneTapKey("test-secret-0123456789-abcdefghijklmnop");
const otherKey = await oneTapKey("another-secret-0123456789-abcdefghijkl");
const scope: OneTapScope = {
  userId: "0b9f5b8e-3c1a-4d2e-9f00-1a2b3c4d5e6f",
  habitId: "F00DCAFE-1234-4ABC-8DEF-0123456789AB",
  localDate: "2028-02-29",
  action: "skip",
};
const signedAt = new Date("2028-02-29T21:15:30Z");

Deno.test("a token says what it was signed for: user, habit, local day, action, time, and its own id", async () => {
  const token = await signOneTap(key, scope, signedAt);
  assertEquals(token.length, ONE_TAP_TOKEN_LENGTH);
  assertMatch(token, /^[A-Za-z0-9_-]+$/);
  const checked = await verifyOneTap([key], token, signedAt);
  assert(checked.ok, JSON.stringify(checked));
  const { tokenId, ...claims } = checked.claims;
  assertEquals(claims, { ...scope, habitId: scope.habitId.toLowerCase(), signedAt });
  assertMatch(tokenId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  const second = await verifyOneTap([key], await signOneTap(key, scope, signedAt), signedAt);
  assert(second.ok && second.claims.tokenId !== tokenId, "each token has its own id (the single-use key)");
});

Deno.test("every day a YYYY-MM-DD can name from 1970 survives the round trip; impossible days are refused at signing", async () => {
  for (const localDate of ["1970-01-01", "2026-12-31", "2100-02-28", "9999-12-31"]) {
    const checked = await verifyOneTap([key], await signOneTap(key, { ...scope, localDate }, signedAt), signedAt);
    assert(checked.ok && checked.claims.localDate === localDate, localDate);
  }
  for (const localDate of ["2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "1969-12-31", "2026-1-1", ""]) {
    const error = await assertRejects(() => signOneTap(key, { ...scope, localDate }, signedAt));
    assert(error instanceof RangeError, localDate);
  }
  for (const userId of ["", "42", "0b9f5b8e3c1a4d2e9f001a2b3c4d5e6f", `${scope.userId}\u0000`]) {
    assert(await assertRejects(() => signOneTap(key, { ...scope, userId }, signedAt)) instanceof RangeError, userId);
  }
  const action = "delete" as OneTapScope["action"];
  assert(await assertRejects(() => signOneTap(key, { ...scope, action }, signedAt)) instanceof RangeError);
});

Deno.test("a token works for 48 hours after signing, not a second longer, and not from the future", async () => {
  const token = await signOneTap(key, scope, signedAt);
  const at = (ms: number) => verifyOneTap([key], token, new Date(signedAt.getTime() + ms));
  assert((await at(ONE_TAP_VALIDITY_MS)).ok, "still valid at exactly 48 h");
  assertEquals(await at(ONE_TAP_VALIDITY_MS + 1000), { ok: false, reason: "expired" });
  assertEquals(await at(ONE_TAP_VALIDITY_MS * 100), { ok: false, reason: "expired" });
  assert((await at(-4 * 60_000)).ok, "another instance's clock a few minutes behind");
  assertEquals(await at(-6 * 60_000), { ok: false, reason: "not_yet_valid" });
});

Deno.test("another key's token is refused; a rotated secret still accepts its tokens while listed second", async () => {
  const old = await signOneTap(otherKey, scope, signedAt);
  assertEquals(await verifyOneTap([key], old, signedAt), { ok: false, reason: "bad_signature" });
  assertEquals(await verifyOneTap([], old, signedAt), { ok: false, reason: "bad_signature" });
  assert((await verifyOneTap([key, otherKey], old, signedAt)).ok);
  // Same secret, same key: derivation is stable across restarts.
  const again = await oneTapKey("test-secret-0123456789-abcdefghijklmnop");
  assert((await verifyOneTap([again], await signOneTap(key, scope, signedAt), signedAt)).ok);
});

Deno.test("changing any single bit of a token makes it fail", async () => {
  const token = await signOneTap(key, scope, signedAt);
  const bytes = Uint8Array.fromBase64(token, { alphabet: "base64url" });
  const reasons = new Set<string>();
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const changed = bytes.slice();
    changed[bit >> 3] ^= 1 << (bit & 7);
    const checked = await verifyOneTap([key], encodeBase64Url(changed), signedAt);
    assert(!checked.ok, `bit ${bit} changed and the token still passed`);
    reasons.add(checked.reason);
  }
  assertEquals([...reasons].sort(), ["bad_signature", "malformed"]);
});

Deno.test("hostile strings are refused as malformed, quickly and without throwing", async () => {
  const token = await signOneTap(key, scope, signedAt);
  const hostile = [
    "",
    "x",
    token.slice(0, -1),
    token + "A",
    token.slice(0, -2) + "==",
    token.replace(/[-_]/g, "+").slice(0, ONE_TAP_TOKEN_LENGTH - 1) + "/",
    "\u0000".repeat(ONE_TAP_TOKEN_LENGTH),
    "\ud800".repeat(ONE_TAP_TOKEN_LENGTH),
    " ".repeat(ONE_TAP_TOKEN_LENGTH),
    token.slice(0, 60) + " " + token.slice(61),
    "__proto__".padEnd(ONE_TAP_TOKEN_LENGTH, "A"),
    "A".repeat(10 * 1024 * 1024),
  ];
  for (const input of hostile) {
    assertEquals(await verifyOneTap([key], input, signedAt), { ok: false, reason: "malformed" }, input.slice(0, 40));
  }
});

Deno.test("no string we did not sign passes (property)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 200 }),
        fc.string({
          unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
          minLength: ONE_TAP_TOKEN_LENGTH,
          maxLength: ONE_TAP_TOKEN_LENGTH,
        }),
        fc.uint8Array({ minLength: 90, maxLength: 90 }).map((bytes) => {
          bytes[0] = 1; // the right version, so the signature check is what refuses it
          return encodeBase64Url(bytes);
        }),
      ),
      async (input) => {
        const checked = await verifyOneTap([key], input, signedAt);
        return !checked.ok;
      },
    ),
    { numRuns: 500 },
  );
});
