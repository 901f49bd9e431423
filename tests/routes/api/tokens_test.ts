import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { sha256Hex } from "@/lib/auth/secret.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

Deno.test("API: personal tokens", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const bob = await createTestUser(services);
  const create = (name: unknown, headers: Record<string, string> = alice.session) =>
    app.request("/api/tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ name }),
    });
  const list = async (headers: Record<string, string>) =>
    (await (await app.request("/api/tokens", { headers })).json()).tokens as {
      id: string;
      name: string;
      createdAt: string;
      lastUsedAt: string | null;
    }[];

  let tokenId = "";
  let secret = "";

  await t.step("create → 201 {token: {id, name}, secret}; stored by its hash only", async () => {
    const res = await create("  laptop <b>script</b>  ");
    assertEquals(res.status, 201);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals(res.headers.get("cache-control"), "no-store");
    const body = await res.json();
    assertEquals(Object.keys(body).sort(), ["secret", "token"]);
    assertEquals(Object.keys(body.token).sort(), ["id", "name"]);
    assertEquals(body.token.name, "laptop <b>script</b>");
    assertMatch(body.secret, /^cgt_[A-Za-z0-9_-]{43}$/);
    tokenId = body.token.id;
    secret = body.secret;
    const [row] = await services.db.sql`select token_hash from api_tokens where id = ${tokenId}`;
    assertEquals(row.token_hash, await sha256Hex(secret));
    const raw = await services.db.sql`select 1 from api_tokens where token_hash = ${secret}`;
    assertEquals(raw.length, 0);
    const [{ n }] = await services.db.sql`
      select count(*)::int as n from activity
       where user_id = ${alice.id} and action = 'token.created' and object_id = ${tokenId}`;
    assertEquals(n, 1);
  });

  await t.step("the new secret works as a Bearer token, and list shows when it was last used", async () => {
    const me = await app.request("/api/me", { headers: { Authorization: `Bearer ${secret}` } });
    assertEquals(me.status, 200);
    assertEquals((await me.json()).user.id, alice.id);
    const tokens = await list(alice.session);
    const listed = tokens.find((token) => token.id === tokenId)!;
    assertEquals(listed.name, "laptop <b>script</b>");
    assertMatch(listed.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert(listed.lastUsedAt !== null);
    assertEquals(Object.keys(listed).sort(), ["createdAt", "id", "lastUsedAt", "name"]);
    assertEquals(tokens.length, 2, "the test user's own token and the new one");
    assertEquals(JSON.stringify(tokens).includes("cgt_"), false, "no secret in the list");
  });

  await t.step("names: 1–100 characters, one line", async () => {
    for (const name of ["", "   ", "x".repeat(101), "two\nlines", 42, null]) {
      const res = await create(name);
      assertEquals(res.status, 400, JSON.stringify(name));
      const { error } = await res.json();
      assertEquals(Object.keys(error.details.fields), ["name"]);
    }
  });

  await t.step("another user's token id, an unknown one or a malformed one → 404, nothing revoked", async () => {
    for (const id of [tokenId, crypto.randomUUID(), "not-a-uuid", "1' or '1'='1"]) {
      const res = await app.request(`/api/tokens/${encodeURIComponent(id)}`, {
        method: "DELETE",
        headers: bob.session,
      });
      assertEquals(res.status, 404, id);
      assertEquals((await res.json()).error.code, "not_found");
    }
    assertEquals((await list(alice.session)).some((token) => token.id === tokenId), true);
    assertEquals((await list(bob.session)).some((token) => token.id === tokenId), false, "lists are per user");
  });

  await t.step("revoke → 204; the token stops working at once; revoking again → 404", async () => {
    const res = await app.request(`/api/tokens/${tokenId}`, { method: "DELETE", headers: alice.bearer });
    assertEquals(res.status, 204);
    const me = await app.request("/api/me", { headers: { Authorization: `Bearer ${secret}` } });
    assertEquals(me.status, 401);
    const again = await app.request(`/api/tokens/${tokenId}`, { method: "DELETE", headers: alice.session });
    assertEquals(again.status, 404);
    const [{ n }] = await services.db.sql`
      select count(*)::int as n from activity where user_id = ${alice.id} and action = 'token.revoked'`;
    assertEquals(n, 1);
  });

  await t.step("a cookie request from another origin cannot create a token", async () => {
    const before = (await list(alice.session)).length;
    const res = await create("evil", { ...alice.session, Origin: "https://evil.example" });
    assertEquals(res.status, 403);
    assertEquals((await list(alice.session)).length, before);
  });

  await t.step("signed out → 401", async () => {
    assertEquals((await app.request("/api/tokens")).status, 401);
    assertEquals((await create("x", {})).status, 401);
    assertEquals((await app.request(`/api/tokens/${crypto.randomUUID()}`, { method: "DELETE" })).status, 401);
  });
});
