import { assert, assertEquals } from "@/tests/support/assert.ts";
import type { AuthUser } from "@/db/users.ts";
import {
  AUTH_CACHE_CONFIRMED_TTL_MS,
  AUTH_CACHE_MAX,
  AUTH_CACHE_TTL_MS,
  rememberedUser,
  renewUserVersion,
} from "@/app/auth/auth_cache.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { NO_VERSION, versionKey } from "@/lib/cache/user_cache.ts";
import { loadConfig } from "@/lib/config.ts";
import type { Services } from "@/app/state.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { authUserFixture, createTestUser } from "@/tests/support/users.ts";

const user = authUserFixture("6f0c6b8e-0000-4000-8000-000000000001", "a@example.test");

/** Services with a real in-memory KV; the DB is never touched by the memory itself. */
async function services(): Promise<Services> {
  return { config: loadConfig(() => undefined), db: {} as never, kv: await Deno.openKv(":memory:"), startedAt: 0 };
}

function countingLookup(result: AuthUser | null = user) {
  const lookup = () => {
    lookup.calls++;
    return Promise.resolve(result);
  };
  lookup.calls = 0;
  return lookup;
}

Deno.test("auth memory: reused within its TTL, dropped at once when the user's version moves", async () => {
  const s = await services();
  try {
    let clock = 1_000;
    const now = () => clock;
    const lookup = countingLookup();
    await renewUserVersion(s, user.id);
    const first = await rememberedUser(s, "s:a", lookup, now);
    assertEquals(first?.user, user);
    assert(first?.version !== undefined && first.version !== NO_VERSION);
    assertEquals(await rememberedUser(s, "s:a", lookup, now), first);
    assertEquals(lookup.calls, 1);
    await invalidateUser(s.kv, user.id); // a log-out or revocation anywhere
    const bumped = await rememberedUser(s, "s:a", lookup, now);
    assertEquals(bumped?.user, user);
    assert(bumped?.version !== first.version && bumped?.version !== NO_VERSION, "the bump gave a new version");
    assertEquals(lookup.calls, 2);
    // Looked up again knowing the user, its version read first: trusted for the long TTL.
    clock += AUTH_CACHE_CONFIRMED_TTL_MS - 1;
    assertEquals(await rememberedUser(s, "s:a", lookup, now), bumped);
    assertEquals(lookup.calls, 2);
    clock += 1;
    await rememberedUser(s, "s:a", lookup, now);
    assertEquals(lookup.calls, 3, "an entry is not used at its TTL");
    // A credential's first lookup (the user unknown until it answers) is trusted for the short TTL only.
    await rememberedUser(s, "s:b", lookup, now);
    assertEquals(lookup.calls, 4);
    clock += AUTH_CACHE_TTL_MS - 1;
    await rememberedUser(s, "s:b", lookup, now);
    assertEquals(lookup.calls, 4);
    clock += 1;
    await rememberedUser(s, "s:b", lookup, now);
    assertEquals(lookup.calls, 5, "a first lookup's entry is not used at the short TTL");
    const none = countingLookup(null);
    assertEquals(await rememberedUser(s, "s:unknown", none, now), null);
    assertEquals(await rememberedUser(s, "s:unknown", none, now), null);
    assertEquals(none.calls, 2, "unknown credentials are not remembered");
  } finally {
    s.kv.close();
  }
});

Deno.test("auth memory: a revocation racing a lookup (after Postgres answered, before the version is read) is never trusted for long", async () => {
  const s = await services();
  try {
    let clock = 1_000;
    const now = () => clock;
    await renewUserVersion(s, user.id);
    // The revocation commits in Postgres just after this lookup answered, and bumps the version.
    const racing = () => invalidateUser(s.kv, user.id).then(() => user);
    const calls = { n: 0 };
    const lookup = () => (calls.n++, racing());
    // First lookup on this instance: the version can only be read after it, so the entry is
    // stale under the current version, and trusted for the short TTL only.
    await rememberedUser(s, "s:a", lookup, now);
    clock += AUTH_CACHE_TTL_MS;
    await rememberedUser(s, "s:a", lookup, now);
    assertEquals(calls.n, 2, "the tentative entry ended at its short TTL");
    // Known user: the version is read before the lookup, so the racing bump moves it away
    // from the entry, which the next request refuses.
    await rememberedUser(s, "s:a", lookup, now);
    assertEquals(calls.n, 3, "the entry stored before the racing bump was not trusted");
    const honest = countingLookup();
    await rememberedUser(s, "s:a", honest, now);
    assertEquals(honest.calls, 1);
    clock += AUTH_CACHE_TTL_MS * 10;
    await rememberedUser(s, "s:a", honest, now);
    assertEquals(honest.calls, 1, "a lookup nothing raced is trusted past the short TTL");
  } finally {
    s.kv.close();
  }
});

Deno.test("auth memory: a missing version is created at the first lookup; an erased one forgets the user", async () => {
  const s = await services();
  try {
    const lookup = countingLookup();
    const first = await rememberedUser(s, "s:a", lookup);
    assert(first?.version !== undefined && first.version !== NO_VERSION, "the lookup created a version");
    assertEquals((await s.kv.get(versionKey(user.id))).versionstamp, first.version);
    await rememberedUser(s, "s:a", lookup);
    assertEquals(lookup.calls, 1, "remembered from then on");
    // Account deletion (or a quiet hour) erases the version: the memory must not match.
    await s.kv.delete(versionKey(user.id));
    await rememberedUser(s, "s:a", lookup);
    assertEquals(lookup.calls, 2, "an erased version forgets the user");
    await s.kv.set(versionKey(user.id), 0); // any new write of the key: a new versionstamp
    await rememberedUser(s, "s:a", lookup);
    assertEquals(lookup.calls, 3, "matched by versionstamp");
  } finally {
    s.kv.close();
  }
});

Deno.test("auth memory: a KV that fails means asking Postgres every time, never trusting memory", async () => {
  const s = await services();
  const lookup = countingLookup();
  await renewUserVersion(s, user.id);
  await rememberedUser(s, "t:x", lookup);
  s.kv.close(); // every KV call now throws
  assertEquals(await rememberedUser(s, "t:x", lookup), { user, version: undefined });
  assertEquals(await rememberedUser(s, "t:x", lookup), { user, version: undefined });
  assertEquals(lookup.calls, 3);
});

Deno.test("auth memory is bounded: the oldest entries are evicted", async () => {
  const s = await services();
  try {
    const lookup = countingLookup();
    await renewUserVersion(s, user.id);
    for (let i = 0; i <= AUTH_CACHE_MAX; i++) await rememberedUser(s, `s:${i}`, lookup);
    assertEquals(lookup.calls, AUTH_CACHE_MAX + 1);
    await rememberedUser(s, `s:${AUTH_CACHE_MAX}`, lookup);
    assertEquals(lookup.calls, AUTH_CACHE_MAX + 1, "the newest is still remembered");
    await rememberedUser(s, "s:0", lookup);
    assertEquals(lookup.calls, AUTH_CACHE_MAX + 2, "the oldest was evicted");
  } finally {
    s.kv.close();
  }
});

Deno.test("log-out on one instance ends the session on another at once (shared KV and DB)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using a = await startTestApp({ kvPath: `${dir}/kv.sqlite3` });
    await using b = await startTestApp({ kvPath: `${dir}/kv.sqlite3`, db: a.services.db });
    const alice = await createTestUser(a.services);
    // Both instances remember the session…
    assertEquals((await a.app.request("/api/me", { headers: alice.session })).status, 200);
    assertEquals((await b.app.request("/api/me", { headers: alice.session })).status, 200);
    // …then it ends on A, and B refuses it on the very next request.
    const out = await a.app.request("/api/auth/logout", { method: "POST", headers: alice.session });
    assertEquals(out.status, 204);
    const after = await b.app.request("/api/me", { headers: alice.session });
    assertEquals(after.status, 401);
    await after.body?.cancel();
    // Token revocation likewise.
    const tokens = await (await b.app.request("/api/tokens", { headers: alice.bearer })).json();
    const id = tokens.tokens[0].id;
    assertEquals((await b.app.request("/api/me", { headers: alice.bearer })).status, 200);
    const revoked = await a.app.request(`/api/tokens/${id}`, { method: "DELETE", headers: alice.bearer });
    assertEquals(revoked.status, 204);
    assert((await b.app.request("/api/me", { headers: alice.bearer })).status === 401);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
