/**
 * lib/push/send.ts against a local push service (tests/support/push_endpoint.ts) that
 * verifies the VAPID JWT and decrypts every message with the device's keys, as the
 * browser would: the message must arrive readable, and every kind of answer must map
 * to what the caller does next (delivered, gone, retry, refused).
 */
import { MAX_PUSH_PAYLOAD_BYTES, outcomeOf, parseRetryAfter, type PushOutcome, sendPush } from "@/lib/push/send.ts";
import { generateVapidKeys, type VapidKeys } from "@/lib/push/vapid_keys.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "@/tests/support/assert.ts";
import { startPushService } from "@/tests/support/push_endpoint.ts";

const vapid: VapidKeys = { ...generateVapidKeys(), subject: "mailto:ops@example.com" };

/** The local push service listens on loopback, which a real server never reaches. */
const sendLocal = (...[subscription, message, keys, options]: Parameters<typeof sendPush>) =>
  sendPush(subscription, message, keys, { allowLoopback: true, ...options });

Deno.test("a push arrives encrypted for the device and decrypts to the payload, signed by our VAPID key", async () => {
  await using service = startPushService();
  const device = await service.subscribe({ applicationServerKey: vapid.publicKey });
  const payload = JSON.stringify({ title: "Stretch ☀️", body: 'Ünïcode, "quotes" and <tags>', url: "/app" });
  const before = Math.floor(Date.now() / 1000);

  const outcome = await sendLocal(
    device.subscription,
    { payload, ttlSeconds: 3600, urgency: "high", topic: "reminder-42" },
    vapid,
  );

  assertEquals(outcome, { kind: "delivered", status: 201 });
  assertEquals(service.rejections, []);
  const [message] = await service.waitForMessages(1);
  assertEquals(message.payload, payload);
  assertEquals(message.deviceId, device.id);
  assertEquals([message.ttl, message.urgency, message.topic], [3600, "high", "reminder-42"]);
  assertEquals(message.vapidPublicKey, vapid.publicKey);
  assertEquals(message.claims.aud, service.origin);
  assertEquals(message.claims.sub, "mailto:ops@example.com");
  assert(message.claims.exp > before && message.claims.exp <= before + 24 * 3600 + 5, `exp ${message.claims.exp}`);
});

Deno.test("the largest payload that fits one push arrives whole; one byte more is refused before sending", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  const largest = "x".repeat(MAX_PUSH_PAYLOAD_BYTES - 2) + "é"; // the last character is 2 bytes
  assertEquals(new TextEncoder().encode(largest).length, MAX_PUSH_PAYLOAD_BYTES);

  assertEquals((await sendLocal(device.subscription, { payload: largest, ttlSeconds: 60 }, vapid)).kind, "delivered");
  assertEquals((await service.waitForMessages(1))[0].payload, largest);

  const error = await assertRejects(() =>
    sendLocal(device.subscription, { payload: largest + "x", ttlSeconds: 60 }, vapid)
  );
  assert(error instanceof RangeError);
  assertMatch(error.message, new RegExp(`at most ${MAX_PUSH_PAYLOAD_BYTES} bytes`));
  assertEquals(service.requests.length, 1, "the oversized payload never left");
});

Deno.test("an unsubscribed device (410) and an unknown endpoint (404) are gone: the caller deletes them", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  service.expire(device);
  assertEquals(await sendLocal(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid), {
    kind: "gone",
    status: 410,
  });
  const unknown = { ...device.subscription, endpoint: `${service.origin}/push/never-subscribed` };
  assertEquals(await sendLocal(unknown, { payload: "{}", ttlSeconds: 60 }, vapid), { kind: "gone", status: 404 });
});

Deno.test("429, 5xx and 408 are retried later, with the service's Retry-After in seconds or as a date", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
  service.script(
    { status: 429, headers: { "Retry-After": "120" }, body: "slow down" },
    { status: 500, body: "internal" },
    { status: 503, headers: { "Retry-After": inTwoMinutes } },
    { status: 408 },
  );
  const send = () => sendLocal(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid);

  assertEquals(await send(), { kind: "retry", status: 429, retryAfterSeconds: 120, reason: "429: slow down" });
  assertEquals(await send(), { kind: "retry", status: 500, retryAfterSeconds: null, reason: "500: internal" });
  const unavailable = await send();
  assert(unavailable.kind === "retry" && unavailable.status === 503);
  assert(
    unavailable.retryAfterSeconds !== null && unavailable.retryAfterSeconds >= 115 &&
      unavailable.retryAfterSeconds <= 120,
    `Retry-After as a date: ${unavailable.retryAfterSeconds}`,
  );
  assertEquals((await send()).kind, "retry");
  assertEquals((await send()).kind, "delivered", "after the scripted answers, the real service answers again");
});

Deno.test("no answer in time and a refused connection are retried later, never thrown", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  service.script({ status: 201, delayMs: 5_000 });
  const started = performance.now();
  const slow = await sendLocal(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid, { timeoutMs: 200 });
  assertEquals(slow, { kind: "retry", status: null, retryAfterSeconds: null, reason: "no answer within 200 ms" });
  assert(performance.now() - started < 4_000, "the timeout, not the stalled service, ended the send");

  // A port that was free a moment ago: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = listener.addr.port;
  listener.close();
  const closed = await sendLocal(
    { ...device.subscription, endpoint: `http://127.0.0.1:${closedPort}/push/x` },
    { payload: "{}", ttlSeconds: 60 },
    vapid,
  );
  assert(closed.kind === "retry" && closed.status === null, JSON.stringify(closed));
  assertMatch(closed.reason, /^network error: /);
});

Deno.test("a push signed with another VAPID key than the subscription's is refused (403), not retried", async () => {
  await using service = startPushService();
  const device = await service.subscribe({ applicationServerKey: generateVapidKeys().publicKey });
  const outcome = await sendLocal(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid);
  assert(outcome.kind === "refused" && outcome.status === 403, JSON.stringify(outcome));
  assertMatch(outcome.reason, /not the one this subscription was made with/);
  assertEquals(service.messages.length, 0);
});

Deno.test("other 4xx answers are refused, and a redirect is refused without being followed", async () => {
  await using service = startPushService();
  await using elsewhere = startPushService();
  const device = await service.subscribe();
  const target = await elsewhere.subscribe();
  service.script(
    { status: 400, body: "bad\nrequest" },
    { status: 413 },
    { status: 301, headers: { Location: target.subscription.endpoint } },
  );
  const send = () => sendLocal(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid);

  assertEquals(await send(), { kind: "refused", status: 400, reason: "400: bad request" });
  assertEquals(await send(), { kind: "refused", status: 413, reason: "413" });
  assertEquals(await send(), { kind: "refused", status: 301, reason: "301: redirects are not followed" });
  assertEquals(elsewhere.requests, [], "the redirect target was never requested");
});

Deno.test("a subscription whose keys cannot be used is the caller's error (TypeError), not an outcome", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  for (const keys of [{ ...device.subscription.keys, p256dh: "AAAA" }, { ...device.subscription.keys, auth: "AA" }]) {
    const error = await assertRejects(() =>
      sendLocal({ ...device.subscription, keys }, { payload: "{}", ttlSeconds: 60 }, vapid)
    );
    assert(error instanceof TypeError, String(error));
  }
  assertEquals(service.requests, []);
});

Deno.test("outcomeOf maps every status class", () => {
  const table: [number, PushOutcome["kind"]][] = [
    [200, "delivered"],
    [201, "delivered"],
    [202, "delivered"],
    [302, "refused"],
    [400, "refused"],
    [401, "refused"],
    [403, "refused"],
    [404, "gone"],
    [408, "retry"],
    [410, "gone"],
    [413, "refused"],
    [429, "retry"],
    [500, "retry"],
    [502, "retry"],
    [503, "retry"],
  ];
  for (const [status, kind] of table) assertEquals(outcomeOf(status, null, "").kind, kind, `status ${status}`);
});

Deno.test("parseRetryAfter reads seconds and HTTP dates and ignores anything else", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  assertEquals(parseRetryAfter("30", now), 30);
  assertEquals(parseRetryAfter(" 0 ", now), 0);
  assertEquals(parseRetryAfter("Sun, 01 Mar 2026 12:01:00 GMT", now), 60);
  assertEquals(parseRetryAfter("Sun, 01 Mar 2026 11:00:00 GMT", now), 0, "a date in the past: now");
  assertEquals(parseRetryAfter("2026", now), 2026, "digits are seconds, not a year");
  assertEquals(parseRetryAfter("99999999", now), 86_400, "capped at a day");
  for (const junk of [null, "", "-5", "1.5", "soon", "12345678901", "2026-03-02"]) {
    assertEquals(parseRetryAfter(junk, now), null, `${junk}`);
  }
});

Deno.test("an endpoint is checked at every send: a name that now resolves to a private address, or loopback on a real server, is refused and nothing is sent", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  // The subscription was saved with a public-looking name; its DNS answer changed since.
  const rebound = { ...device.subscription, endpoint: "https://push.example.com/push/x" };
  for (const address of ["10.0.0.5", "169.254.169.254", "127.0.0.1", "::1", "fd00::1"]) {
    const outcome = await sendPush(rebound, { payload: "{}", ttlSeconds: 60 }, vapid, {
      resolve: () => Promise.resolve([address]),
    });
    assert(outcome.kind === "refused" && outcome.status === 0, `${address}: ${JSON.stringify(outcome)}`);
    assertMatch(outcome.reason, /only public addresses/);
  }
  // Without the tests' loopback allowance the local service itself is out of reach.
  const loopback = await sendPush(device.subscription, { payload: "{}", ttlSeconds: 60 }, vapid);
  assert(loopback.kind === "refused", JSON.stringify(loopback));
  assertEquals(service.messages.length, 0);
  // A name that cannot be looked up is the network's failure: try again later.
  const lost = await sendPush(rebound, { payload: "{}", ttlSeconds: 60 }, vapid, {
    resolve: () => Promise.reject(new Error("SERVFAIL")),
  });
  assert(lost.kind === "retry" && lost.status === null, JSON.stringify(lost));
});
