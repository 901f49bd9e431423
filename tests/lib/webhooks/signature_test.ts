/**
 * Webhook signatures (lib/webhooks/signature.ts): the header's form, the HMAC checked
 * against an independent implementation (node:crypto), verification that refuses a
 * changed body, another secret, a re-dated or stale timestamp, and any hostile header
 * without throwing; and the receivers' snippet in docs/webhooks.md, run as written.
 */
import { createHmac } from "node:crypto";
import {
  DEFAULT_TOLERANCE_SECONDS,
  generateWebhookSecret,
  signPayload,
  verifySignature,
  WEBHOOK_SECRET_PREFIX,
} from "@/lib/webhooks/signature.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";

const SECRET = "cgwhsec_test-secret";
const BODY = JSON.stringify({ type: "checkin.created", data: { habitId: "h1", date: "2026-03-04", note: "Grüße 🌱" } });
const AT = new Date("2026-03-04T10:00:00.750Z");
const T = Math.floor(AT.getTime() / 1000);

function nodeHmac(secret: string, text: string | Uint8Array): string {
  return createHmac("sha256", secret).update(text).digest("hex");
}

Deno.test("signPayload writes t=<unix seconds>,v1=<hex HMAC-SHA256 of 't.body'>", async () => {
  const header = await signPayload(SECRET, BODY, AT);
  assertMatch(header, /^t=\d+,v1=[0-9a-f]{64}$/);
  assertEquals(header, `t=${T},v1=${nodeHmac(SECRET, `${T}.${BODY}`)}`);
});

Deno.test("signPayload signs bytes as they are: a Uint8Array body signs like its UTF-8 string", async () => {
  const bytes = new TextEncoder().encode(BODY);
  assertEquals(await signPayload(SECRET, bytes, AT), await signPayload(SECRET, BODY, AT));
  // Bytes that are not UTF-8 at all are signed as they are, not re-encoded.
  const binary = new Uint8Array([0xff, 0x00, 0xfe, 0x80]);
  const prefix = new TextEncoder().encode(`${T}.`);
  assertEquals(
    await signPayload(SECRET, binary, AT),
    `t=${T},v1=${nodeHmac(SECRET, new Uint8Array([...prefix, ...binary]))}`,
  );
});

Deno.test('the documented test value: secret cgwhsec_example, body {"type":"ping"}, t=1767225600', async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/webhooks.md", import.meta.url));
  const documented = /X-CG-Signature: (t=\d+,v1=[0-9a-f]{64})/.exec(doc)?.[1];
  assertEquals(documented, await signPayload("cgwhsec_example", '{"type":"ping"}', new Date(1_767_225_600_000)));
});

Deno.test("verifySignature accepts what signPayload signed, for string and byte bodies", async () => {
  const header = await signPayload(SECRET, BODY, AT);
  assertEquals(await verifySignature(SECRET, BODY, header, { now: AT }), { ok: true, timestamp: T });
  const bytes = new TextEncoder().encode(BODY);
  assertEquals(await verifySignature(SECRET, bytes, header, { now: AT }), { ok: true, timestamp: T });
});

Deno.test("verifySignature refuses a changed body, another secret and a re-dated timestamp", async () => {
  const header = await signPayload(SECRET, BODY, AT);
  const mismatch = { ok: false as const, reason: "The signature does not match the body" };
  assertEquals(await verifySignature(SECRET, BODY + " ", header, { now: AT }), mismatch);
  assertEquals(await verifySignature(SECRET, BODY.replace("h1", "h2"), header, { now: AT }), mismatch);
  assertEquals(await verifySignature("cgwhsec_other", BODY, header, { now: AT }), mismatch);
  // Moving t (to pass a stale delivery off as fresh) breaks the HMAC, which covers it.
  const redated = header.replace(`t=${T}`, `t=${T + 600}`);
  assertEquals(await verifySignature(SECRET, BODY, redated, { now: new Date((T + 600) * 1000) }), mismatch);
});

Deno.test("verifySignature refuses a timestamp beyond the tolerance, either way, and accepts one at its edge", async () => {
  const header = await signPayload(SECRET, BODY, AT);
  const at = (seconds: number) => new Date((T + seconds) * 1000);
  const tooFar = {
    ok: false as const,
    reason: `The signature's timestamp is more than ${DEFAULT_TOLERANCE_SECONDS} seconds from now`,
  };
  assertEquals(await verifySignature(SECRET, BODY, header, { now: at(DEFAULT_TOLERANCE_SECONDS) }), {
    ok: true,
    timestamp: T,
  });
  assertEquals(await verifySignature(SECRET, BODY, header, { now: at(-DEFAULT_TOLERANCE_SECONDS) }), {
    ok: true,
    timestamp: T,
  });
  assertEquals(await verifySignature(SECRET, BODY, header, { now: at(DEFAULT_TOLERANCE_SECONDS + 1) }), tooFar);
  assertEquals(await verifySignature(SECRET, BODY, header, { now: at(-DEFAULT_TOLERANCE_SECONDS - 1) }), tooFar);
  const custom = await verifySignature(SECRET, BODY, header, { now: at(61), toleranceSeconds: 60 });
  assertEquals(custom, { ok: false, reason: "The signature's timestamp is more than 60 seconds from now" });
});

Deno.test("verifySignature accepts any of several v1 signatures (secret rotation) and skips unknown keys", async () => {
  const old = (await signPayload("cgwhsec_old", BODY, AT)).split(",")[1];
  const current = (await signPayload(SECRET, BODY, AT)).split(",")[1];
  const header = `t=${T}, v0=abc, ${old}, v2=${"0".repeat(64)}, ${current}`;
  assertEquals(await verifySignature(SECRET, BODY, header, { now: AT }), { ok: true, timestamp: T });
  assertEquals(await verifySignature("cgwhsec_old", BODY, header, { now: AT }), { ok: true, timestamp: T });
  assertEquals((await verifySignature("cgwhsec_third", BODY, header, { now: AT })).ok, false);
});

Deno.test("verifySignature refuses hostile and malformed headers with a reason, never throwing", async () => {
  const good = (await signPayload(SECRET, BODY, AT)).split(",")[1];
  const cases: [string | null | undefined, string][] = [
    [null, "No X-CG-Signature header"],
    [undefined, "No X-CG-Signature header"],
    ["", "No X-CG-Signature header"],
    ["   ", "No X-CG-Signature header"],
    [`t=${T},${good}`.padEnd(2000, ","), "The X-CG-Signature header is longer than 1024 characters"],
    [good, "The X-CG-Signature header has no timestamp (t=)"],
    [`t=${T}`, "The X-CG-Signature header has no v1 signature"],
    [`t=${T},v1=${"g".repeat(64)}`, "The X-CG-Signature header has no v1 signature"],
    [`t=${T},v1=${"a".repeat(63)}`, "The X-CG-Signature header has no v1 signature"],
    [`t=${T},t=${T},${good}`, "The X-CG-Signature header has more than one timestamp"],
    [`t=1e9,${good}`, "The signature's timestamp is not a whole number of seconds"],
    [`t=-${T},${good}`, "The signature's timestamp is not a whole number of seconds"],
    [`t=${T}.5,${good}`, "The signature's timestamp is not a whole number of seconds"],
    [`t=\u0000${T},${good}`, "The signature's timestamp is not a whole number of seconds"],
    [`t=${T},${good},garbage`, "The X-CG-Signature header is not of the form t=…,v1=…"],
    [`__proto__=1,constructor=2,t=${T},v1=\ud800`, "The X-CG-Signature header has no v1 signature"],
    [`t=99999999999999999999,${good}`, "The signature's timestamp is not a whole number of seconds"],
  ];
  for (const [header, reason] of cases) {
    assertEquals(await verifySignature(SECRET, BODY, header, { now: AT }), { ok: false, reason }, String(header));
  }
});

Deno.test("generateWebhookSecret: prefixed, 256 random bits in base64url, never the same twice", () => {
  const secrets = new Set(Array.from({ length: 200 }, generateWebhookSecret));
  assertEquals(secrets.size, 200);
  for (const secret of secrets) assertMatch(secret, new RegExp(`^${WEBHOOK_SECRET_PREFIX}[A-Za-z0-9_-]{43}$`));
});

Deno.test("signPayload refuses an empty secret rather than signing with an empty key", async () => {
  let error: unknown;
  try {
    await signPayload("", BODY, AT);
  } catch (e) {
    error = e;
  }
  assert(error instanceof TypeError);
});

/** The receivers' function from docs/webhooks.md, loaded from the document as written. */
async function documentedVerifier(): Promise<
  (secret: string, body: string | Uint8Array, header: string | null, tolerance?: number) => Promise<boolean>
> {
  const doc = await Deno.readTextFile(new URL("../../../docs/webhooks.md", import.meta.url));
  const code = [...doc.matchAll(/```js\n([^]*?)```/g)].map((m) => m[1]).find((block) =>
    block.includes("export async function verifyCgSignature")
  );
  assert(code, "docs/webhooks.md has the verifyCgSignature snippet");
  const file = await Deno.makeTempFile({ suffix: ".mjs" });
  try {
    await Deno.writeTextFile(file, code);
    return (await import(`file://${file}`)).verifyCgSignature;
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("the receivers' snippet in docs/webhooks.md accepts our signatures and refuses forgeries", async () => {
  const verify = await documentedVerifier();
  const now = new Date();
  const header = await signPayload(SECRET, BODY, now);
  assertEquals(await verify(SECRET, BODY, header), true);
  assertEquals(await verify(SECRET, new TextEncoder().encode(BODY), header), true);
  assertEquals(await verify(SECRET, BODY + "x", header), false);
  assertEquals(await verify("cgwhsec_other", BODY, header), false);
  assertEquals(await verify(SECRET, BODY, null), false);
  assertEquals(await verify(SECRET, BODY, "t=abc,v1=zz"), false);
  // A stale delivery: signed 10 minutes ago.
  assertEquals(await verify(SECRET, BODY, await signPayload(SECRET, BODY, new Date(now.getTime() - 600_000))), false);
  // The documented test value (an old timestamp, so with the tolerance lifted).
  const doc = await Deno.readTextFile(new URL("../../../docs/webhooks.md", import.meta.url));
  const documented = /X-CG-Signature: (t=\d+,v1=[0-9a-f]{64})/.exec(doc)![1];
  assertEquals(await verify("cgwhsec_example", '{"type":"ping"}', documented, Infinity), true);
});

Deno.test("README's Webhooks section carries the same verification snippet as docs/webhooks.md", async () => {
  const snippet = (text: string) =>
    [...text.matchAll(/```js\n([^]*?)```/g)].map((m) => m[1]).find((block) =>
      block.includes("export async function verifyCgSignature")
    );
  const readme = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));
  const doc = await Deno.readTextFile(new URL("../../../docs/webhooks.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Webhooks"));
  assert(snippet(section), "README has no verifyCgSignature snippet under Webhooks");
  assertEquals(snippet(section), snippet(doc));
});
