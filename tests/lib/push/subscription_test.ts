/**
 * lib/push/subscription.ts: what the server accepts as a push subscription. Real
 * browser-shaped subscriptions pass; hostile endpoints (private addresses, plain http,
 * credentials, huge) and keys that could never decrypt are refused, each by field.
 */
import { encodeBase64Url } from "@/lib/base64url.ts";
import { PUSH_ENDPOINT_MAX_LENGTH, pushEndpointProblem, pushSubscriptionProblems } from "@/lib/push/subscription.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startPushService } from "@/tests/support/push_endpoint.ts";

const strict = { allowInsecureLoopback: false };
const local = { allowInsecureLoopback: true };

Deno.test("subscriptions shaped like the browsers' pass", async () => {
  await using service = startPushService();
  const device = await service.subscribe();
  const endpoints = [
    "https://fcm.googleapis.com/fcm/send/dK1Wq:APA91bH-abc_123",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm",
    "https://web.push.apple.com/QGuQyavXutnMWQ8bz8h5a1Z",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAB",
  ];
  for (const endpoint of endpoints) {
    assertEquals(pushSubscriptionProblems({ ...device.subscription, endpoint }, strict), {}, endpoint);
  }
  assertEquals(pushSubscriptionProblems(device.subscription, local), {}, "the local test service, when allowed");
});

Deno.test("endpoints the server must not POST to are refused", () => {
  const refused = [
    "http://updates.push.services.mozilla.com/wpush/v2/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/push",
    "https://[::1]/push",
    "https://[fd00::1]/push",
    "https://0x7f000001/push",
    "https://2130706433/push",
    "https://localhost/push",
    "https://intranet/push",
    "https://user:pass@fcm.googleapis.com/fcm/send/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "not a url",
    "",
    `https://fcm.googleapis.com/${"a".repeat(PUSH_ENDPOINT_MAX_LENGTH)}`,
  ];
  for (const endpoint of refused) assert(pushEndpointProblem(endpoint, strict) !== undefined, endpoint);
  // Loopback over plain http only when allowed (tests, development), and never another private host.
  assertEquals(pushEndpointProblem("http://127.0.0.1:9999/push/x", local), undefined);
  assert(pushEndpointProblem("http://127.0.0.1:9999/push/x", strict) !== undefined);
  assert(pushEndpointProblem("http://10.0.0.1/push/x", local) !== undefined);
  assert(pushEndpointProblem("http://169.254.169.254/", local) !== undefined);
});

Deno.test("keys that could never decrypt are refused, each by its field", async () => {
  await using service = startPushService();
  const { subscription } = await service.subscribe();
  const notOnCurve = new Uint8Array(65);
  notOnCurve[0] = 4;
  notOnCurve[64] = 1;
  const compressed = new Uint8Array(33).fill(2);
  const cases: [{ p256dh?: string; auth?: string }, string[]][] = [
    [{ p256dh: encodeBase64Url(notOnCurve) }, ["keys.p256dh"]],
    [{ p256dh: encodeBase64Url(compressed) }, ["keys.p256dh"]],
    [{ p256dh: subscription.keys.p256dh + "=" }, ["keys.p256dh"]],
    [{ p256dh: subscription.keys.p256dh.replace(/-/g, "+") + "+" }, ["keys.p256dh"]],
    [{ auth: encodeBase64Url(new Uint8Array(15)) }, ["keys.auth"]],
    [{ auth: encodeBase64Url(new Uint8Array(32)) }, ["keys.auth"]],
    [{ auth: "\u0000\ud800" }, ["keys.auth"]],
    [{ p256dh: "", auth: "" }, ["keys.auth", "keys.p256dh"]],
  ];
  for (const [keys, fields] of cases) {
    const problems = pushSubscriptionProblems(
      { endpoint: "https://10.0.0.1/x", keys: { ...subscription.keys, ...keys } },
      strict,
    );
    assertEquals(Object.keys(problems).sort(), ["endpoint", ...fields].sort(), JSON.stringify(keys));
  }
});
