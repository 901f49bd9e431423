/**
 * The push API (API.md "Integrations"): GET /api/push/key, POST /api/push/subscriptions,
 * DELETE /api/push/subscriptions/[id]. Subscriptions the server could be made to POST
 * somewhere it should not (http:, IP literals, private hosts, credentials) and hostile
 * bodies are a 400 with nothing written; another user's device is a 404; the same
 * device subscribing again keeps one row (now the new user's); the device cap is a 409;
 * the subscribe budget is 20 a minute; with push off, both are a 404 that says so.
 */
import { startTestApp } from "@/tests/support/app.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { call, json } from "@/tests/support/api.ts";
import { startPushService } from "@/tests/support/push_endpoint.ts";
import { testPushServices } from "@/tests/support/push_services.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { PUSH_DEVICES_MAX } from "@/db/push.ts";

const ANDROID_CHROME =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

Deno.test("push API", async (t) => {
  const { push } = await testPushServices();
  await using test = await startTestApp({ push });
  await using service = startPushService();
  const { app, services } = test;
  const ann = await createTestUser(services);
  const bob = await createTestUser(services);
  const rows = async (userId: string) =>
    (await services.db.sql<{ n: number }[]>`
      select count(*)::int as n from push_subscriptions where user_id = ${userId}::uuid`)[0].n;

  await t.step("GET /api/push/key gives the VAPID public key", async () => {
    const body = await json(await call(app, {}, "GET", "/api/push/key"), 200);
    assertEquals(body, { publicKey: push.vapid!.publicKey });
  });

  await t.step("a device subscribes (201), again keeps one row, and is labelled from its browser", async () => {
    const device = await service.subscribe();
    const headers = { ...ann.bearer, "user-agent": ANDROID_CHROME };
    const first = await json(await call(app, headers, "POST", "/api/push/subscriptions", device.subscription), 201);
    assertEquals(first.subscription.label, "Chrome on Android");
    const again = await json(
      await call(app, headers, "POST", "/api/push/subscriptions", { ...device.subscription, expirationTime: null }),
      201,
    );
    assertEquals(again.subscription.id, first.subscription.id);
    assertEquals(await rows(ann.id), 1);
    // The same browser, now signed in as Bob (Ann logged out): the device is his.
    const moved = await json(await call(app, bob.bearer, "POST", "/api/push/subscriptions", device.subscription), 201);
    assertEquals(moved.subscription.id, first.subscription.id);
    assertEquals([await rows(ann.id), await rows(bob.id)], [0, 1]);
  });

  await t.step("DELETE: another user's device, an unknown and a malformed id are 404; one's own is 204", async () => {
    const device = await service.subscribe();
    const { subscription } = await json(
      await call(app, ann.bearer, "POST", "/api/push/subscriptions", device.subscription),
      201,
    );
    for (const id of [subscription.id, crypto.randomUUID(), "nope", "%00"]) {
      const res = await call(app, bob.bearer, "DELETE", `/api/push/subscriptions/${id}`);
      assertEquals(res.status, 404, id);
      await res.body?.cancel();
    }
    assertEquals(await rows(ann.id), 1);
    const res = await call(app, ann.bearer, "DELETE", `/api/push/subscriptions/${subscription.id}`);
    assertEquals(res.status, 204);
    assertEquals(await rows(ann.id), 0);
    const unauthenticated = await call(app, {}, "DELETE", `/api/push/subscriptions/${subscription.id}`);
    assertEquals(unauthenticated.status, 401);
    await unauthenticated.body?.cancel();
  });

  await t.step("subscriptions the server must not send to, and hostile bodies: 400, nothing written", async () => {
    const carol = await createTestUser(services);
    const { keys } = (await service.subscribe()).subscription;
    const bad: [string, unknown][] = [
      ["http", { endpoint: "http://push.example.com/x", keys }],
      ["metadata IP", { endpoint: "https://169.254.169.254/latest/meta-data", keys }],
      ["private IP", { endpoint: "https://10.0.0.1/push", keys }],
      ["IPv6 literal", { endpoint: "https://[2001:db8::1]/push", keys }],
      ["credentials", { endpoint: "https://user:pw@push.example.com/x", keys }],
      ["single label host", { endpoint: "https://intranet/push", keys }],
      ["not a URL", { endpoint: "push me", keys }],
      ["huge endpoint", { endpoint: `https://push.example.com/${"a".repeat(5000)}`, keys }],
      ["key off the curve", {
        endpoint: "https://push.example.com/x",
        keys: { ...keys, p256dh: `B${"A".repeat(86)}` },
      }],
      ["short auth", { endpoint: "https://push.example.com/x", keys: { ...keys, auth: "AAAA" } }],
      ["NUL", { endpoint: "https://push.example.com/\u0000", keys }],
      ["lone surrogate", { endpoint: "https://push.example.com/\ud800", keys }],
      ["no keys", { endpoint: "https://push.example.com/x" }],
      ["keys not an object", { endpoint: "https://push.example.com/x", keys: "p256dh" }],
      ["__proto__ keys", JSON.parse(`{"endpoint":"https://push.example.com/x","keys":{"__proto__":{"p256dh":"x"}}}`)],
      ["array", [keys]],
    ];
    for (const [name, body] of bad) {
      const res = await call(app, carol.bearer, "POST", "/api/push/subscriptions", body);
      const text = await res.text();
      assertEquals(res.status, 400, `${name}: ${text}`);
      assert(JSON.parse(text).error.message, name);
    }
    const notJson = await app.request("/api/push/subscriptions", {
      method: "POST",
      headers: { ...carol.bearer, "content-type": "application/json" },
      body: "{",
    });
    assertEquals(notJson.status, 400);
    await notJson.body?.cancel();
    assertEquals(await rows(carol.id), 0);
  });

  await t.step(`at most ${PUSH_DEVICES_MAX} devices per user: the next is a 409 that says what to do`, async () => {
    const dan = await createTestUser(services);
    for (let i = 0; i < PUSH_DEVICES_MAX; i++) {
      await json(
        await call(app, dan.bearer, "POST", "/api/push/subscriptions", (await service.subscribe()).subscription),
        201,
      );
    }
    const over = await json(
      await call(app, dan.bearer, "POST", "/api/push/subscriptions", (await service.subscribe()).subscription),
      409,
    );
    assert(over.error.message.includes("Settings"), over.error.message);
    assertEquals(await rows(dan.id), PUSH_DEVICES_MAX);
  });

  await t.step("subscribing is limited to 20 a minute per user", async () => {
    const eve = await createTestUser(services);
    const device = await service.subscribe();
    const statuses = [];
    for (let i = 0; i < 21; i++) {
      const res = await call(app, eve.bearer, "POST", "/api/push/subscriptions", device.subscription);
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses.filter((s) => s === 201).length, 20);
    assertEquals(statuses.at(-1), 429);
  });
});

Deno.test("push API with push off: 404 saying reminders come by e-mail", async () => {
  await using test = await startTestApp();
  const user = await createTestUser(test.services);
  const key = await json(await call(test.app, {}, "GET", "/api/push/key"), 404);
  assert(key.error.message.includes("e-mail"));
  const device = { endpoint: "https://push.example.com/x", keys: { p256dh: "x", auth: "y" } };
  await json(await call(test.app, user.bearer, "POST", "/api/push/subscriptions", device), 404);
});

Deno.test("without PUSH_ALLOW_LOOPBACK_ENDPOINTS, a loopback endpoint is a 400", async () => {
  const { push } = await testPushServices();
  await using test = await startTestApp({ push: { ...push, allowLoopbackEndpoints: false } });
  await using service = startPushService();
  const user = await createTestUser(test.services);
  const { keys } = (await service.subscribe()).subscription;
  for (
    const endpoint of [
      `${service.origin}/push/x`,
      "https://127.0.0.1/push",
      "https://[::1]/push",
      "https://localhost/x",
    ]
  ) {
    const body = await json(
      await call(test.app, user.bearer, "POST", "/api/push/subscriptions", { endpoint, keys }),
      400,
    );
    assert(body.error.details.fields.endpoint, endpoint);
  }
});
