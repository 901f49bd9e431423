/**
 * The instance's memory of credentials (app/auth/remembered.ts): bounded, oldest out
 * first, and a carry moves only the named user's entries that were under the old version.
 */
import { AUTH_CACHE_MAX, carryRemembered, RememberedCredentials, rememberedOf } from "@/app/auth/remembered.ts";
import type { Services } from "@/app/state.ts";
import type { AuthUser } from "@/db/users.ts";
import { assertEquals } from "@/tests/support/assert.ts";

const user = (id: string) => ({ id }) as AuthUser;

Deno.test("remembered credentials: bounded, oldest out first, and the user index follows", () => {
  const memory = new RememberedCredentials();
  for (let i = 0; i < AUTH_CACHE_MAX + 3; i++) {
    memory.set(`s:${i}`, { user: user(`u${i % 5}`), version: "v1", expiresAt: 0 });
  }
  assertEquals(memory.size, AUTH_CACHE_MAX);
  assertEquals([memory.get("s:0"), memory.get("s:2")], [undefined, undefined]);
  assertEquals(memory.get("s:3")?.user.id, "u3");
  const ofU0 = [...memory.ofUser("u0")];
  assertEquals(ofU0.length, AUTH_CACHE_MAX / 5 - 1 + 1); // s:0 went; s:10000 came
  memory.delete("s:5");
  assertEquals([...memory.ofUser("u0")].length, ofU0.length - 1);
});

Deno.test("carryRemembered moves one user's entries from the old version only", () => {
  const services = {} as Services;
  const memory = rememberedOf(services);
  memory.set("s:a", { user: user("alice"), version: "v1", expiresAt: 0 });
  memory.set("t:a", { user: user("alice"), version: "v0", expiresAt: 0 });
  memory.set("s:b", { user: user("bob"), version: "v1", expiresAt: 0 });
  carryRemembered(services, "alice", "v1", "v2");
  assertEquals(
    ["s:a", "t:a", "s:b"].map((key) => memory.get(key)?.version),
    ["v2", "v0", "v1"],
  );
});
