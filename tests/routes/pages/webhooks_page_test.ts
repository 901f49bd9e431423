/**
 * Settings → Webhooks without JavaScript: plain form posts create a webhook (its secret
 * shown once, on the 201 page), refuse a private address next to the URL field, list
 * each webhook's deliveries with their statuses, and delete with a 303 back.
 */
import { runSchedulerTick } from "@/app/scheduler.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { startReceiver } from "@/tests/support/http_receiver.ts";
import { fieldError, html } from "@/tests/support/pages.ts";
import { createTestUser } from "@/tests/support/users.ts";

Deno.test("Settings → Webhooks: create (secret once), refuse private addresses, deliveries with statuses, delete", async () => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services);
  let status = 500;
  await using receiver = startReceiver(() => new Response(null, { status }));
  const post = (fields: [string, string][], who = alice) =>
    app.request("/settings/webhooks", {
      method: "POST",
      headers: { ...who.session, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });

  const empty = await html(await app.request("/settings/webhooks", { headers: alice.session }), 200);
  assertStringIncludes(empty, "No webhooks yet.");
  assertStringIncludes(
    await html(await app.request("/settings", { headers: alice.session }), 200),
    'href="/settings/webhooks"',
  );

  // A private address: 400, the error next to the URL, the form keeps what was typed.
  const refused = await html(
    await post([["intent", "create-webhook"], ["url", "http://10.0.0.1/<x>"], ["events", "habit.*"]]),
    400,
  );
  assertMatch(fieldError(refused, "url") ?? "", /^This URL cannot receive webhooks: .*private/);
  assertStringIncludes(refused, 'value="http://10.0.0.1/&lt;x>"');
  // No event ticked.
  const noEvents = await html(await post([["intent", "create-webhook"], ["url", `${receiver.origin}/a`]]), 400);
  assertStringIncludes(noEvents, "Choose at least one event");

  const created = await html(
    await post([
      ["intent", "create-webhook"],
      ["url", `${receiver.origin}/hook`],
      ["events", "habit.*"],
      ["events", "checkin.created"],
    ]),
    201,
  );
  const secret = /id="new-webhook-secret"[^>]*value="([^"]+)"/.exec(created)?.[1] ?? "";
  assertMatch(secret, /^cgwhsec_/);
  const listed = await html(await app.request("/settings/webhooks", { headers: alice.session }), 200);
  assert(!listed.includes(secret), "the secret is shown again");
  assertStringIncludes(listed, `${receiver.origin}/hook`);
  assertStringIncludes(listed, "Nothing sent yet.");
  // Bob sees none of it.
  assert(
    !(await html(await app.request("/settings/webhooks", { headers: bob.session }), 200)).includes(receiver.origin),
  );

  // An event, a failed attempt (500), then a delivered one.
  const res = await app.request("/api/habits", {
    method: "POST",
    headers: { ...alice.bearer, "content-type": "application/json" },
    body: JSON.stringify({ name: "Stretch" }),
  });
  assertEquals(res.status, 201);
  await res.body?.cancel();
  await runSchedulerTick(services, new Date());
  let page = await html(await app.request("/settings/webhooks", { headers: alice.session }), 200);
  assertMatch(
    page,
    /<tr data-status="retrying"><td><code>habit.created<\/code><\/td><td>Will retry<\/td><td>1<\/td><td>HTTP 500<\/td>/,
  );
  status = 204;
  await runSchedulerTick(services, new Date(Date.now() + 31_000));
  page = await html(await app.request("/settings/webhooks", { headers: alice.session }), 200);
  assertMatch(
    page,
    /<tr data-status="delivered"><td><code>habit.created<\/code><\/td><td>Delivered<\/td><td>2<\/td><td>HTTP 204<\/td>/,
  );

  // Bob cannot delete Alice's webhook (404); Alice can (303 back, with a flash).
  const webhookId = /name="webhookId" value="([^"]+)"/.exec(page)![1];
  const bobs = await post([["intent", "delete-webhook"], ["webhookId", webhookId]], bob);
  assertEquals(bobs.status, 404);
  await bobs.body?.cancel();
  const deleted = await post([["intent", "delete-webhook"], ["webhookId", webhookId]]);
  assertEquals([deleted.status, deleted.headers.get("location")], [303, "/settings/webhooks"]);
  await deleted.body?.cancel();
  assertStringIncludes(
    await html(await app.request("/settings/webhooks", { headers: alice.session }), 200),
    "No webhooks yet.",
  );
});
