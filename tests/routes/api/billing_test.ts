/**
 * Billing over HTTP: Stripe webhooks signed with Stripe's own test-header helper,
 * Checkout against a local fake Stripe API that records what was sent, the upgrade page
 * with billing on and off, and the 402 that points to it.
 */
import Stripe from "stripe";
import type { Db } from "@/db/client.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

const WEBHOOK_SECRET = "whsec_test_billing_secret";
const PRICE_PRO = "price_test_pro";
const CHECKOUT_URL = "https://checkout.stripe.test/c/pay/cs_test_123";

interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  form: URLSearchParams;
}

/** A stand-in for api.stripe.com on a local port: records requests, answers Checkout. */
function startFakeStripe() {
  const requests: RecordedRequest[] = [];
  const state = { refuse: false };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    requests.push({
      method: req.method,
      path: url.pathname,
      authorization: req.headers.get("authorization"),
      form: new URLSearchParams(await req.text()),
    });
    if (state.refuse) {
      return Response.json({ error: { type: "invalid_request_error", message: "No such price" } }, { status: 400 });
    }
    if (req.method === "POST" && url.pathname === "/v1/checkout/sessions") {
      return Response.json({ id: "cs_test_123", object: "checkout.session", mode: "subscription", url: CHECKOUT_URL });
    }
    return Response.json({ error: { type: "invalid_request_error", message: "unknown path" } }, { status: 404 });
  });
  return { requests, state, base: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

const stripe = new Stripe("sk_test_only_for_signing");

let eventSeq = 0;
function subscriptionEvent(
  type: string,
  customer: string,
  options: { status?: string; price?: string; userId?: string; created?: number } = {},
) {
  return {
    id: `evt_http_${++eventSeq}_${crypto.randomUUID().slice(0, 8)}`,
    object: "event",
    type,
    created: options.created ?? Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `sub_${customer}`,
        object: "subscription",
        customer,
        status: options.status ?? "active",
        items: { object: "list", data: [{ id: "si_1", price: { id: options.price ?? PRICE_PRO } }] },
        metadata: options.userId ? { user_id: options.userId } : {},
      },
    },
  };
}

async function signedHeaders(payload: string, secret = WEBHOOK_SECRET): Promise<Record<string, string>> {
  const signature = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret });
  return { "Content-Type": "application/json", "Stripe-Signature": signature };
}

async function planOf(db: Db, userId: string): Promise<string> {
  const [row] = await db.sql<{ plan_id: string }[]>`select plan_id from users where id = ${userId}::uuid`;
  return row.plan_id;
}

async function eventCount(db: Db): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from stripe_events`;
  return row.n;
}

Deno.test("billing over HTTP", async (t) => {
  const fake = startFakeStripe();
  await using on = await startTestApp({
    config: {
      stripeSecretKey: "sk_test_fake_key",
      stripeWebhookSecret: WEBHOOK_SECRET,
      stripePricePro: PRICE_PRO,
      stripeApiBase: fake.base,
    },
  });
  await using off = await startTestApp({ db: on.services.db });
  const { db } = on.services;

  try {
    await t.step("a signed subscription event makes the user pro, without cookie or Origin", async () => {
      const user = await createTestUser(on.services);
      const payload = JSON.stringify(
        subscriptionEvent("customer.subscription.created", "cus_http_1", { userId: user.id }),
      );
      const res = await on.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(payload),
        body: payload,
      });
      assertEquals(res.status, 200);
      assertMatch(res.headers.get("content-type")!, /application\/json/);
      assertEquals(await res.json(), { received: true, result: "applied" });
      assertEquals(await planOf(db, user.id), "pro");

      const replay = await on.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(payload),
        body: payload,
      });
      assertEquals(replay.status, 200);
      assertEquals(await replay.json(), { received: true, result: "duplicate" });
    });

    await t.step("checkout.session.completed links the customer; a later deletion makes the user free", async () => {
      const user = await createTestUser(on.services, { plan: "pro" });
      const completed = JSON.stringify({
        id: `evt_cs_${crypto.randomUUID().slice(0, 8)}`,
        object: "event",
        type: "checkout.session.completed",
        created: Math.floor(Date.now() / 1000) - 10,
        data: {
          object: { id: "cs_1", object: "checkout.session", client_reference_id: user.id, customer: "cus_http_2" },
        },
      });
      const linked = await on.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(completed),
        body: completed,
      });
      assertEquals(await linked.json(), { received: true, result: "applied" });
      const deleted = JSON.stringify(
        subscriptionEvent("customer.subscription.deleted", "cus_http_2", { status: "canceled" }),
      );
      const res = await on.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(deleted),
        body: deleted,
      });
      assertEquals(await res.json(), { received: true, result: "applied" });
      assertEquals(await planOf(db, user.id), "free");
    });

    await t.step("a tampered body, a wrong secret or no signature → 400, nothing written", async () => {
      const user = await createTestUser(on.services);
      const before = await eventCount(db);
      const payload = JSON.stringify(
        subscriptionEvent("customer.subscription.created", "cus_http_3", { userId: user.id }),
      );
      const tampered = payload.replace('"status":"active"', '"status":"trialing"');
      assert(tampered !== payload);
      const attempts = [
        { headers: await signedHeaders(payload), body: tampered },
        { headers: await signedHeaders(payload, "whsec_someone_else"), body: payload },
        { headers: { "Content-Type": "application/json" }, body: payload },
        { headers: { "Content-Type": "application/json", "Stripe-Signature": "garbage" }, body: payload },
      ];
      for (const attempt of attempts) {
        const res = await on.app.request("/api/stripe/webhook", { method: "POST", ...attempt });
        assertEquals(res.status, 400);
        assertMatch(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assertEquals(body.error.code, "validation_failed");
      }
      assertEquals(await eventCount(db), before);
      assertEquals(await planOf(db, user.id), "free");
    });

    await t.step("other event types → 200 ignored", async () => {
      const payload = JSON.stringify({
        id: "evt_invoice_1",
        object: "event",
        type: "invoice.paid",
        created: 1,
        data: { object: { id: "in_1", object: "invoice" } },
      });
      const res = await on.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(payload),
        body: payload,
      });
      assertEquals(res.status, 200);
      assertEquals(await res.json(), { received: true, result: "ignored" });
    });

    await t.step("checkout (JSON) → 200 {url}, having sent Stripe the user, price and return URLs", async () => {
      const user = await createTestUser(on.services);
      fake.requests.length = 0;
      // APP_ORIGIN unset: Stripe sends the user back to the loopback origin they are on.
      const origin = "http://127.0.0.1:8000";
      const res = await on.app.request(`${origin}/api/billing/checkout`, {
        method: "POST",
        headers: { ...user.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "pro" }),
      });
      assertEquals(res.status, 200);
      assertMatch(res.headers.get("content-type")!, /application\/json/);
      assertEquals(await res.json(), { url: CHECKOUT_URL });
      assertEquals(fake.requests.length, 1);
      const [sent] = fake.requests;
      assertEquals([sent.method, sent.path, sent.authorization], [
        "POST",
        "/v1/checkout/sessions",
        "Bearer sk_test_fake_key",
      ]);
      assertEquals(Object.fromEntries(sent.form), {
        mode: "subscription",
        "line_items[0][price]": PRICE_PRO,
        "line_items[0][quantity]": "1",
        client_reference_id: user.id,
        customer_email: user.email,
        "subscription_data[metadata][user_id]": user.id,
        success_url: `${origin}/upgrade?done=success`,
        cancel_url: `${origin}/upgrade?done=canceled`,
      });
    });

    await t.step("checkout (form post from the upgrade page) → 303 to Stripe", async () => {
      const user = await createTestUser(on.services);
      const res = await on.app.request("/api/billing/checkout", {
        method: "POST",
        headers: { ...user.session, "Content-Type": "application/x-www-form-urlencoded" },
        body: "plan=pro",
      });
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), CHECKOUT_URL);
    });

    await t.step("Stripe refusing the checkout → 503 unavailable, not a 500", async () => {
      const user = await createTestUser(on.services);
      fake.state.refuse = true;
      try {
        const res = await on.app.request("/api/billing/checkout", {
          method: "POST",
          headers: { ...user.bearer, "Content-Type": "application/json" },
          body: JSON.stringify({ plan: "pro" }),
        });
        assertEquals(res.status, 503);
        const body = await res.json();
        assertEquals(body.error.code, "unavailable");
        assertMatch(body.error.message, /Stripe could not start the checkout/);
      } finally {
        fake.state.refuse = false;
      }
    });

    await t.step("checkout refuses: a bad plan (400), already pro (409), signed out (401)", async () => {
      const user = await createTestUser(on.services);
      const bad = await on.app.request("/api/billing/checkout", {
        method: "POST",
        headers: { ...user.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "platinum" }),
      });
      assertEquals(bad.status, 400);
      const badBody = await bad.json();
      assertEquals(badBody.error.code, "validation_failed");
      assert(typeof badBody.error.details.fields.plan === "string", JSON.stringify(badBody));

      const pro = await createTestUser(on.services, { plan: "pro" });
      const already = await on.app.request("/api/billing/checkout", {
        method: "POST",
        headers: { ...pro.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "pro" }),
      });
      assertEquals(already.status, 409);
      assertEquals((await already.json()).error.code, "conflict");

      const anonymous = await on.app.request("/api/billing/checkout", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "pro" }),
      });
      assertEquals(anonymous.status, 401);
    });

    await t.step("billing off: checkout and webhook → 503 unavailable with a message", async () => {
      const user = await createTestUser(off.services);
      const checkout = await off.app.request("/api/billing/checkout", {
        method: "POST",
        headers: { ...user.bearer, "Content-Type": "application/json" },
        body: JSON.stringify({ plan: "pro" }),
      });
      assertEquals(checkout.status, 503);
      assertMatch(checkout.headers.get("content-type")!, /application\/json/);
      const body = await checkout.json();
      assertEquals(body.error.code, "unavailable");
      assertMatch(body.error.message, /Billing is off/);

      const payload = "{}";
      const webhook = await off.app.request("/api/stripe/webhook", {
        method: "POST",
        headers: await signedHeaders(payload),
        body: payload,
      });
      assertEquals(webhook.status, 503);
    });

    await t.step("upgrade page, billing on: plan limits from the plans table and the upgrade form", async () => {
      const user = await createTestUser(on.services);
      const res = await on.app.request("/upgrade", { headers: user.session });
      assertEquals(res.status, 200);
      assertMatch(res.headers.get("content-type")!, /text\/html/);
      const html = await res.text();
      assertStringIncludes(html, "You are on the <strong>Free</strong> plan");
      // Plans are columns (Free, Pro); each limit is a row.
      assertMatch(html, /Active habits<\/th><td>10<\/td><td>1000<\/td>/);
      assertMatch(html, /Archived habits<\/th><td>50<\/td><td>1000<\/td>/);
      assertMatch(html, /Goals<\/th><td>20<\/td><td>1000<\/td>/);
      assertMatch(html, /Exports per month<\/th><td>3<\/td><td>100<\/td>/);
      assertStringIncludes(html, 'action="/api/billing/checkout"');
      assertStringIncludes(html, 'name="plan" value="pro"');
      assertStringIncludes(html, "Upgrade to Pro");
      assert(!html.includes("Billing is off"));
    });

    await t.step("upgrade page, billing off: says so, and offers no form", async () => {
      const user = await createTestUser(off.services);
      const res = await off.app.request("/upgrade", { headers: user.session });
      assertEquals(res.status, 200);
      const html = await res.text();
      assertStringIncludes(html, "Billing is off on this server");
      assert(!html.includes('action="/api/billing/checkout"'));
      assertMatch(html, /Active habits<\/th><td>10<\/td><td>1000<\/td>/);
    });

    await t.step("upgrade page needs sign-in", async () => {
      const res = await on.app.request("/upgrade");
      assertEquals(res.status, 303);
      assertEquals(res.headers.get("location"), "/login?next=%2Fupgrade");
    });

    await t.step("a 402 from habit creation names the limit and points to /upgrade", async () => {
      const user = await createTestUser(on.services);
      const create = () =>
        on.app.request("/api/habits", {
          method: "POST",
          headers: { ...user.bearer, "Content-Type": "application/json" },
          body: JSON.stringify({ name: "Walk" }),
        });
      for (let i = 0; i < 10; i++) assertEquals((await create()).status, 201);
      const res = await create();
      assertEquals(res.status, 402);
      assertMatch(res.headers.get("content-type")!, /application\/json/);
      const body = await res.json();
      assertEquals(body.error.code, "plan_limit");
      assertMatch(body.error.message, /10 active habits/);
      assertStringIncludes(body.error.message, "/upgrade");
      assertEquals(body.error.details.upgradeUrl, "/upgrade");
    });
  } finally {
    await fake.close();
  }
});
