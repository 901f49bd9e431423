/**
 * Outgoing webhooks end to end: registration (secret shown once, SSRF refusals naming
 * the reason), events enqueued in the transaction of the write (none for a rolled-back
 * one), delivery by the scheduler to a local receiver that verifies the signature,
 * retries with backoff after a 500, the deliveries list with statuses, a refusal at
 * delivery time when DNS changed, one sender per attempt across concurrent senders, and
 * another user's webhook unreachable (404).
 */
import { sendDueWebhooks } from "@/app/webhook_sender.ts";
import { registerWebhook } from "@/app/webhook_registration.ts";
import { webhookRetryDelayMs } from "@/domain/webhook_input.ts";
import { localDay } from "@/domain/calendar.ts";
import { runSchedulerTick } from "@/app/scheduler.ts";
import { verifySignature } from "@/lib/webhooks/signature.ts";
import { call, json } from "@/tests/support/api.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { type ReceivedRequest, startReceiver } from "@/tests/support/http_receiver.ts";
import { createTestUser } from "@/tests/support/users.ts";

/** A resolver that knows only the names it is given. */
function fakeDns(answers: Record<string, string[]>) {
  return (hostname: string) => {
    const found = answers[hostname];
    return found ? Promise.resolve(found) : Promise.reject(new Error(`NXDOMAIN ${hostname}`));
  };
}

Deno.test("webhooks: register, events from the same transaction, signed deliveries, retries, statuses, isolation", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const { db } = services;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services, { timezone: "UTC" });
  // The receiver verifies each signature as a real one would, then answers as told.
  let answer = (_request: ReceivedRequest): number => 204;
  const verdicts: { ok: boolean; reason?: string }[] = [];
  let secret = "";
  await using receiver = startReceiver(async (request) => {
    verdicts.push(await verifySignature(secret, request.body, request.headers.get("x-cg-signature")));
    return new Response(null, { status: answer(request) });
  });
  const url = `${receiver.origin}/hooks/cg?src=test`;
  let webhookId = "";
  const deliveriesOf = async (id: string, auth = alice.bearer) =>
    (await json(await call(app, auth, "GET", `/api/webhooks/${id}/deliveries`), 200)).deliveries;
  const tick = (at: Date) => runSchedulerTick(services, at);

  await t.step("POST → 201 {webhook, secret}; the secret is never listed again", async () => {
    const body = await json(
      await call(app, alice.bearer, "POST", "/api/webhooks", { url, events: ["checkin.created", "habit.*"] }),
      201,
    );
    assertEquals(Object.keys(body).sort(), ["secret", "webhook"]);
    assertEquals(Object.keys(body.webhook).sort(), ["createdAt", "events", "id", "url"]);
    assertEquals(body.webhook.url, url);
    assertEquals(body.webhook.events, ["checkin.created", "habit.*"]);
    assertMatch(body.secret, /^cgwhsec_/);
    secret = body.secret;
    webhookId = body.webhook.id;
    const listed = await json(await call(app, alice.bearer, "GET", "/api/webhooks"), 200);
    assertEquals(listed.webhooks.map((w: { id: string }) => w.id), [webhookId]);
    assert(!JSON.stringify(listed).includes(secret), "the secret was listed");
    const [{ n }] = await db.sql`select count(*)::int as n from activity where user_id = ${alice.id}
                                   and action = 'webhook.created' and not details::text like '%cgwhsec_%'`;
    assertEquals(n, 1, "one activity row, without the secret");
    assertEquals((await json(await call(app, bob.bearer, "GET", "/api/webhooks"), 200)).webhooks, []);
  });

  await t.step("bad input → 400 naming the field; nothing written", async () => {
    const cases: [unknown, string][] = [
      [{ url: "ftp://example.com/x", events: ["habit.*"] }, "url"],
      [{ url: "not a url", events: ["habit.*"] }, "url"],
      [{ url: `https://example.com/${"a".repeat(2100)}`, events: ["habit.*"] }, "url"],
      [{ url: "https://example.com/\u0000", events: ["habit.*"] }, "url"],
      [{ url: "https://example.com/x", events: [] }, "events"],
      [{ url: "https://example.com/x", events: ["user.deleted"] }, "events.0"],
      [{ url: "https://example.com/x", events: "habit.*;drop" }, "events.0"],
      [{ url: "https://example.com/x" }, "events"],
      [{ url: 42, events: ["habit.*"] }, "url"],
    ];
    for (const [body, field] of cases) {
      const { error } = await json(await call(app, alice.bearer, "POST", "/api/webhooks", body), 400);
      assertEquals(error.code, "validation_failed");
      assert(field in error.details.fields, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(error)}`);
    }
    const [{ n }] = await db.sql`select count(*)::int as n from webhooks`;
    assertEquals(n, 1);
  });

  await t.step(
    "SSRF: loopback, private, link-local, metadata and mapped addresses refused at registration, with the reason",
    async () => {
      // An app with APP_ORIGIN set is a server: loopback is refused too.
      await using strict = await startTestApp({ db, config: { appOrigin: "https://cg.example" } });
      const refused: [string, string][] = [
        [receiver.origin, "loopback"],
        ["http://10.0.0.7/hook", "private"],
        ["http://192.168.1.1/hook", "private"],
        ["http://169.254.169.254/latest/meta-data/", "metadata"],
        ["http://[fd00:ec2::254]/", "metadata"],
        ["http://[::ffff:127.0.0.1]/", "loopback"],
        ["http://100.64.0.1/", "shared"],
        ["http://metadata.google.internal/computeMetadata/v1/", "local_name"],
        ["http://localhost/hook", "loopback"],
        ["http://example.com:22/", "port"],
        ["http://user:pw@example.com/", "credentials"],
      ];
      const reasons: [string, string][] = [];
      for (const [target] of refused) {
        const res = await call(strict.app, alice.bearer, "POST", "/api/webhooks", { url: target, events: ["habit.*"] });
        const { error } = await json(res, 400);
        assertStringIncludes(error.details.fields.url, "This URL cannot receive webhooks: ");
        reasons.push([target, error.details.reason]);
      }
      assertEquals(reasons, refused);
      // A name whose DNS answer is private is refused after the lookup.
      let threw = "";
      try {
        await registerWebhook(strict.services, alice.id, { url: "https://hooks.example.net/x", events: ["habit.*"] }, {
          resolve: fakeDns({ "hooks.example.net": ["93.184.215.14", "10.1.2.3"] }),
        });
      } catch (error) {
        threw = JSON.stringify((error as { details?: unknown }).details);
      }
      assertStringIncludes(threw, "hooks.example.net resolves to a private network address");
      const [{ n }] = await db.sql`select count(*)::int as n from webhooks`;
      assertEquals(n, 1, "no refused webhook was stored");
    },
  );

  let habitId = "";
  await t.step(
    "events are enqueued in the write's transaction: subscribed ones only, none for a rolled-back write",
    async () => {
      const { habit } = await json(await call(app, alice.bearer, "POST", "/api/habits", { name: "Read <b>" }), 201);
      habitId = habit.id;
      const today = localDay("UTC");
      await json(
        await call(app, alice.bearer, "POST", `/api/habits/${habitId}/checkins`, { date: today, status: "done" }),
        200,
      );
      // Not subscribed: checkin.deleted.
      await json(
        await call(app, alice.bearer, "POST", `/api/habits/${habitId}/checkins`, { date: today, status: "none" }),
        200,
      );
      // A refused write (a day after today) rolls back: no event.
      const res = await call(app, alice.bearer, "POST", `/api/habits/${habitId}/checkins`, {
        date: "2999-01-01",
        status: "done",
      });
      assertEquals(res.status, 400);
      await res.body?.cancel();
      // A transaction that wrote an activity row and then failed: no delivery either.
      try {
        await db.tx(async (sql) => {
          await sql`select log_activity(${alice.id}::uuid, 'habit.updated', 'habit', ${habitId}, '{}'::jsonb)`;
          throw new Error("roll back");
        });
      } catch { /* expected */ }
      // Bob's events never reach Alice's webhook.
      await json(await call(app, bob.bearer, "POST", "/api/habits", { name: "Bob's" }), 201);
      const rows = await db.sql<{ event: string; payload: string }[]>`
      select event, payload from webhook_deliveries where webhook_id = ${webhookId}::uuid order by created_at, event`;
      assertEquals(rows.map((r) => r.event), ["habit.created", "checkin.created"]);
      const deliveries = await deliveriesOf(webhookId);
      assertEquals(deliveries.map((d: { status: string }) => d.status), ["pending", "pending"]);
    },
  );

  await t.step("the scheduler delivers them signed; the receiver verifies each signature", async () => {
    const result = await tick(new Date());
    assertEquals([result.webhooksDelivered, result.webhooksFailed], [2, 0]);
    assertEquals(receiver.requests.length, 2);
    assertEquals(verdicts.map((v) => v.ok), [true, true], JSON.stringify(verdicts));
    // Sent side by side: find each by its event.
    const byEvent = (event: string) => receiver.requests.find((r) => r.headers.get("x-cg-event") === event)!;
    const first = byEvent("habit.created");
    assertEquals(first.method, "POST");
    assertEquals(first.path, "/hooks/cg?src=test");
    assertEquals(first.headers.get("content-type"), "application/json");
    assertEquals(first.headers.get("user-agent"), "ConsistencyGrid-Webhooks/1");
    assertEquals(first.headers.get("x-cg-event"), "habit.created");
    assertEquals(first.headers.get("x-cg-attempt"), "1");
    const event = JSON.parse(first.text);
    assertEquals(event.id, first.headers.get("x-cg-delivery"));
    assertEquals(event.type, "habit.created");
    assertMatch(event.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assertEquals(event.data.objectType, "habit");
    assertEquals(event.data.objectId, habitId);
    assertEquals(event.data.name, "Read <b>");
    const checkin = JSON.parse(byEvent("checkin.created").text);
    assertEquals([checkin.type, checkin.data.status, checkin.data.date], ["checkin.created", "done", localDay("UTC")]);
    // A body changed in transit fails verification: the signature covers the bytes.
    const tampered = await verifySignature(
      secret,
      first.text.replace("Read", "Rest"),
      first.headers.get("x-cg-signature"),
    );
    assertEquals(tampered.ok, false);
    const deliveries = await deliveriesOf(webhookId);
    assertEquals(deliveries.map((d: { status: string; responseStatus: number }) => [d.status, d.responseStatus]), [
      ["delivered", 204],
      ["delivered", 204],
    ]);
    // Nothing is sent twice.
    assertEquals((await tick(new Date())).webhooksDelivered, 0);
    assertEquals(receiver.requests.length, 2);
  });

  await t.step("a 500 is retried with backoff; the list shows retrying, then delivered", async () => {
    receiver.requests.length = 0;
    verdicts.length = 0;
    let calls = 0;
    answer = () => ++calls === 1 ? 500 : 200;
    await json(await call(app, alice.bearer, "PUT", `/api/habits/${habitId}`, { name: "Read more" }), 200);
    const start = new Date(Date.now() + 1000);
    assertEquals((await tick(start)).webhooksFailed, 1);
    let [latest] = await deliveriesOf(webhookId);
    assertEquals([latest.event, latest.status, latest.attempts, latest.responseStatus], [
      "habit.updated",
      "retrying",
      1,
      500,
    ]);
    assertEquals(latest.error, "The receiver answered HTTP 500");
    assertEquals(new Date(latest.nextAttemptAt).getTime(), start.getTime() + webhookRetryDelayMs(1));
    // Not before the backoff is over.
    assertEquals((await tick(new Date(start.getTime() + webhookRetryDelayMs(1) - 1000))).webhooksDelivered, 0);
    assertEquals(receiver.requests.length, 1);
    assertEquals((await tick(new Date(start.getTime() + webhookRetryDelayMs(1)))).webhooksDelivered, 1);
    [latest] = await deliveriesOf(webhookId);
    assertEquals([latest.status, latest.attempts, latest.responseStatus, latest.error], ["delivered", 2, 200, null]);
    assertEquals(receiver.requests.map((r) => r.headers.get("x-cg-attempt")), ["1", "2"]);
    // The retry is the same event: same id, same bytes, signed again.
    assertEquals(receiver.requests[0].text, receiver.requests[1].text);
    assertEquals(verdicts.map((v) => v.ok), [true, true]);
  });

  await t.step("a receiver that keeps failing gives up after the last attempt: failed", async () => {
    answer = () => 503;
    await json(await call(app, alice.bearer, "PUT", `/api/habits/${habitId}`, { name: "Read less" }), 200);
    let at = Date.now() + 2000;
    for (let attempt = 1; attempt <= 10; attempt++) {
      assertEquals((await tick(new Date(at))).webhooksFailed, 1, `attempt ${attempt}`);
      at += webhookRetryDelayMs(attempt);
    }
    assertEquals((await tick(new Date(at + 86_400_000))).webhooksFailed, 0);
    const [latest] = await deliveriesOf(webhookId);
    assertEquals([latest.status, latest.attempts, latest.nextAttemptAt], ["failed", 10, null]);
    answer = () => 204;
  });

  await t.step(
    "SSRF at delivery: a name that resolved to a public address at registration and a private one now is refused, nothing connects",
    async () => {
      const dnsAtRegistration = fakeDns({ "hooks.example.net": ["93.184.215.14"] });
      const { webhook } = await registerWebhook(
        { ...services, config: { ...services.config, acceptLoopbackOrigins: false } },
        alice.id,
        { url: "http://hooks.example.net/cg", events: ["goal.*"] },
        { resolve: dnsAtRegistration },
      );
      await json(await call(app, alice.bearer, "POST", "/api/goals", { title: "Run a marathon" }), 201);
      const result = await sendDueWebhooks(db, new Date(Date.now() + 3000), {
        allowLoopback: false,
        resolve: fakeDns({ "hooks.example.net": ["127.0.0.1"] }),
      });
      assertEquals(result.failed, 1);
      const [latest] = await deliveriesOf(webhook.id);
      assertEquals([latest.event, latest.status, latest.responseStatus], ["goal.created", "retrying", null]);
      assertStringIncludes(latest.error, "Refused: ");
      assertStringIncludes(latest.error, "resolves to a loopback address");
    },
  );

  await t.step("another user's webhook: 404 on its deliveries and on delete; malformed ids 404", async () => {
    for (const id of [webhookId, "not-a-uuid", "00000000-0000-0000-0000-000000000000"]) {
      assertEquals(
        (await json(await call(app, bob.bearer, "GET", `/api/webhooks/${id}/deliveries`), 404)).error.code,
        "not_found",
      );
      assertEquals(
        (await json(await call(app, bob.bearer, "DELETE", `/api/webhooks/${id}`), 404)).error.code,
        "not_found",
      );
    }
    assertEquals((await deliveriesOf(webhookId)).length > 0, true);
  });

  await t.step("the list holds the last 20, newest first", async () => {
    for (let i = 0; i < 22; i++) {
      await json(await call(app, alice.bearer, "PUT", `/api/habits/${habitId}`, { name: `Read ${i}` }), 200);
    }
    const deliveries = await deliveriesOf(webhookId);
    assertEquals(deliveries.length, 20);
    const times = deliveries.map((d: { createdAt: string }) => d.createdAt);
    assertEquals([...times].sort().reverse(), times);
  });

  await t.step("DELETE → 204, with its deliveries; no more events go to it", async () => {
    const res = await call(app, alice.bearer, "DELETE", `/api/webhooks/${webhookId}`);
    assertEquals(res.status, 204);
    const [{ n }] = await db
      .sql`select count(*)::int as n from webhook_deliveries where webhook_id = ${webhookId}::uuid`;
    assertEquals(n, 0);
    await json(await call(app, alice.bearer, "PUT", `/api/habits/${habitId}`, { name: "Read again" }), 200);
    const [{ m }] = await db
      .sql`select count(*)::int as m from webhook_deliveries where webhook_id = ${webhookId}::uuid`;
    assertEquals(m, 0);
    await json(await call(app, alice.bearer, "GET", `/api/webhooks/${webhookId}/deliveries`), 404);
  });
});

Deno.test("webhooks: concurrent senders take each delivery attempt once", async () => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const seen = new Map<string, number>();
  await using receiver = startReceiver(async (request) => {
    const id = request.headers.get("x-cg-delivery")!;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    // A little latency so the senders overlap.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return new Response(null, { status: 200 });
  });
  await json(
    await call(app, alice.bearer, "POST", "/api/webhooks", { url: receiver.origin, events: ["habit.*"] }),
    201,
  );
  const habits = [];
  for (let i = 0; i < 60; i++) {
    habits.push((await json(await call(app, alice.bearer, "POST", "/api/habits", { name: `H${i}` }), 201)).habit.id);
  }
  const now = new Date(Date.now() + 1000);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => sendDueWebhooks(services.db, now, { allowLoopback: true })),
  );
  assertEquals(results.reduce((sum, r) => sum + r.delivered, 0), 60);
  assertEquals(seen.size, 60);
  assertEquals([...seen.values()].every((n) => n === 1), true, JSON.stringify([...seen.values()]));
});
