/**
 * The local push service of the tests (tests/support/push_endpoint.ts) must refuse what
 * a real push service or the receiving browser would refuse, or the send tests would
 * prove nothing: each case below crafts a request with web-push's own request builder
 * and spoils one thing.
 */
import webpush from "web-push";
import { generateVapidKeys } from "@/lib/push/vapid_keys.ts";
import { assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { startPushService, type TestDevice } from "@/tests/support/push_endpoint.ts";

const vapid = { ...generateVapidKeys(), subject: "mailto:ops@example.com" };

/** A correct request for `device`, as web-push builds it, to spoil before posting. */
function requestFor(device: TestDevice, payload = '{"title":"Hi"}') {
  const details = webpush.generateRequestDetails(device.subscription, payload, {
    vapidDetails: vapid,
    TTL: 60,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) {
    if (name !== "Content-Length") headers[name] = String(value);
  }
  return { headers, body: new Uint8Array(details.body!) };
}

async function post(device: TestDevice, init: { headers: Record<string, string>; body: Uint8Array }) {
  const response = await fetch(device.subscription.endpoint, {
    method: "POST",
    headers: init.headers,
    body: init.body as Uint8Array<ArrayBuffer>,
  });
  return { status: response.status, text: await response.text() };
}

Deno.test("the test push service accepts a correct request and decrypts it", async () => {
  await using service = startPushService();
  const device = await service.subscribe({ applicationServerKey: vapid.publicKey });
  assertEquals((await post(device, requestFor(device, "héllo"))).status, 201);
  assertEquals(service.messages.map((m) => m.payload), ["héllo"]);
});

Deno.test("the test push service refuses a body it cannot decrypt: one flipped bit, another device's keys", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  const other = await service.subscribe();

  const tampered = requestFor(device);
  tampered.body[tampered.body.length - 20] ^= 1;
  const flipped = await post(device, tampered);
  assertEquals(flipped.status, 400);
  assertMatch(flipped.text, /Cannot decrypt/);

  assertEquals((await post(device, requestFor(other))).status, 400, "encrypted for another device");
  assertEquals(service.messages, []);
  assertEquals(service.rejections.length, 2);
});

Deno.test("the test push service refuses a VAPID JWT that is missing, forged, for another audience or expired", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  const good = requestFor(device);
  const other = generateVapidKeys();
  const now = Math.floor(Date.now() / 1000);
  const vapidHeader = (audience: string, keys = vapid, expiration?: number) =>
    webpush.getVapidHeaders(audience, vapid.subject, keys.publicKey, keys.privateKey, "aes128gcm", expiration)
      .Authorization;

  const cases: [string, Record<string, string>, number, RegExp][] = [
    ["no Authorization", { Authorization: "" }, 401, /Authorization must be/],
    [
      "signed by another key, claiming ours",
      { Authorization: vapidHeader(service.origin, { ...vapid, privateKey: other.privateKey }) },
      403,
      /does not verify/,
    ],
    ["another audience", { Authorization: vapidHeader("https://push.example.com") }, 403, /aud must be/],
    ["expired", { Authorization: vapidHeader(service.origin, vapid, now - 10) }, 403, /expired/],
    ["no TTL", { TTL: "" }, 400, /TTL/],
    ["the legacy aesgcm coding", { "Content-Encoding": "aesgcm" }, 415, /aes128gcm/],
  ];
  for (const [name, change, status, reason] of cases) {
    const headers = { ...good.headers, ...change };
    for (const [key, value] of Object.entries(change)) if (value === "") delete headers[key];
    const answer = await post(device, { headers, body: good.body });
    assertEquals(answer.status, status, name);
    assertMatch(answer.text, reason, name);
  }
  assertEquals(service.messages, []);
});
