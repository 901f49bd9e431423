/**
 * The first run (issue 9, item 1): with APP_ORIGIN unset the server answers on
 * localhost, 127.0.0.1 and [::1], and a sign-up from whichever of them the browser
 * opened must work; other origins stay refused. With APP_ORIGIN set, only it passes.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { html } from "@/tests/support/pages.ts";

/** A sign-up form post to `target` (a full URL: its host is the request's Host) from `origin`. */
function signUp(target: string, origin: string, email: string): Request {
  return new Request(`${target}/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin },
    body: new URLSearchParams({ email, password: "correct horse battery", timezone: "Europe/Berlin" }),
  });
}

async function userCount(test: Awaited<ReturnType<typeof startTestApp>>, email: string): Promise<number> {
  const rows = await test.services.db.sql<{ n: number }[]>`select count(*)::int as n from users where email = ${email}`;
  return Number(rows[0].n);
}

Deno.test("first run, APP_ORIGIN unset: sign-up works from every loopback origin of this server", async (t) => {
  await using test = await startTestApp();
  assertEquals(test.services.config.acceptLoopbackOrigins, true);
  try {
    for (
      const origin of ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]:8000", "http://127.0.0.1:43117"]
    ) {
      await t.step(`${origin} → 303 to the dashboard with a session cookie`, async () => {
        const email = `first-${crypto.randomUUID().slice(0, 8)}@example.test`;
        const res = await test.app.request(signUp(origin, origin, email));
        assertEquals(res.status, 303, await res.text());
        assertEquals(res.headers.get("location"), "/app");
        assertEquals(res.headers.get("set-cookie")?.startsWith("cg_session="), true);
        assertEquals(await userCount(test, email), 1);
      });
    }

    const refused: [string, string, string][] = [
      ["another local server (other port)", "http://127.0.0.1:8000", "http://localhost:3000"],
      ["another loopback name than the one addressed", "http://127.0.0.1:8000", "http://[::1]:8000"],
      ["a foreign site", "http://127.0.0.1:8000", "https://evil.example"],
      ["a DNS-rebinding name on our port", "http://rebind.example:8000", "http://rebind.example:8000"],
      ["https on a loopback name (we serve http)", "https://localhost:8000", "https://localhost:8000"],
    ];
    for (const [what, target, origin] of refused) {
      await t.step(`${what} → 403, nothing written`, async () => {
        const email = `refused-${crypto.randomUUID().slice(0, 8)}@example.test`;
        const page = await html(await test.app.request(signUp(target, origin, email)), 403);
        assertEquals(page.includes("Cross-origin request refused"), true);
        assertEquals(await userCount(test, email), 0);
      });
    }
  } finally {
    closePasswordWorkers();
  }
});

Deno.test("APP_ORIGIN set: only that origin passes, loopback ones are refused", async () => {
  await using test = await startTestApp({ config: { appOrigin: "http://localhost:8000" } });
  assertEquals(test.services.config.acceptLoopbackOrigins, false);
  try {
    const email = `strict-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await html(await test.app.request(signUp("http://127.0.0.1:8000", "http://127.0.0.1:8000", email)), 403);
    assertEquals(await userCount(test, email), 0);
    const ok = await test.app.request(signUp("http://127.0.0.1:8000", "http://localhost:8000", email));
    assertEquals(ok.status, 303);
    assertEquals(await userCount(test, email), 1);
  } finally {
    closePasswordWorkers();
  }
});
