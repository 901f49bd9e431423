/**
 * Shared grids: `POST /api/habits/[id]/share` makes a secret link; `/s/<token>.svg` serves
 * the habit's year grid as SVG and `/s/<token>` a page around it, cacheable for a minute,
 * the name only when the owner shows it, nothing else of the user (no id, no notes, no
 * other habit); a new link kills the old one; revoked → 404; the habit page's controls
 * work without JS; 60 views a minute per IP.
 */
import { XMLValidator } from "fast-xml-parser";
import { localDay } from "@/domain/calendar.ts";
import { call, json } from "@/tests/support/api.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { html } from "@/tests/support/pages.ts";
import { resetRateLimits } from "@/tests/support/rate_limits.ts";
import { createTestUser } from "@/tests/support/users.ts";

Deno.test("share links: create, view as SVG and page, nothing else leaks, rotate, revoke, per-IP limit, habit page controls", async (t) => {
  await using test = await startTestApp({ config: { appOrigin: "https://cg.example", trustProxy: true } });
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC", plan: "pro" });
  const bob = await createTestUser(services);
  const secretName = "Therapy <script>alert(1)</script>";
  const { habit } = await json(
    await call(app, alice.bearer, "POST", "/api/habits", { name: secretName, color: "#e91e63" }),
    201,
  );
  const { habit: other } = await json(
    await call(app, alice.bearer, "POST", "/api/habits", { name: "Other habit" }),
    201,
  );
  const today = localDay("UTC");
  await json(
    await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/checkins`, {
      date: today,
      status: "done",
      note: "private note xyzzy",
    }),
    200,
  );
  const anonymous = (path: string) => app.request(path, { headers: { "x-forwarded-for": "203.0.113.50" } });
  let url = "";

  await t.step("POST → 201 {url, svgUrl, showName}; another user's habit 404; bad body 400", async () => {
    const body = await json(await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`, {}), 201);
    assertMatch(body.url, /^https:\/\/cg\.example\/s\/[A-Za-z0-9_-]{43}$/);
    assertEquals(body.svgUrl, `${body.url}.svg`);
    assertEquals(body.showName, false);
    url = body.url;
    // Posting again keeps the link.
    assertEquals((await json(await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`), 201)).url, url);
    await json(await call(app, bob.bearer, "POST", `/api/habits/${habit.id}/share`, {}), 404);
    await json(await call(app, bob.bearer, "DELETE", `/api/habits/${habit.id}/share`), 404);
    await json(await call(app, alice.bearer, "POST", `/api/habits/not-a-uuid/share`, {}), 404);
    const bad = await json(
      await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`, { showName: "yes" }),
      400,
    );
    assertEquals(Object.keys(bad.error.details.fields), ["showName"]);
  });

  await t.step(
    "the SVG: the year grid, cacheable a minute, no name unless shown, nothing else of the user",
    async () => {
      const path = new URL(url).pathname;
      const res = await anonymous(`${path}.svg`);
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "image/svg+xml; charset=utf-8");
      assertEquals(res.headers.get("cache-control"), "public, max-age=60");
      assertEquals(res.headers.get("content-security-policy"), "default-src 'none'; style-src 'unsafe-inline'");
      // Other sites may embed it with <img>: not held to same-origin.
      assertEquals(res.headers.get("cross-origin-resource-policy"), "cross-origin");
      const svg = await res.text();
      assertEquals(XMLValidator.validate(svg), true);
      assertStringIncludes(svg, '<title id="shared-grid-title">Consistency grid</title>');
      assertMatch(svg, /<g data-look="done"><title>[A-Z][a-z]{2} \d+ [A-Z][a-z]{2} \d{4}: done<\/title>/);
      for (const leak of ["Therapy", "xyzzy", "Other habit", alice.id, habit.id, other.id, alice.email]) {
        assert(!svg.includes(leak), `the SVG holds ${leak}`);
      }
      const pageRes = await anonymous(path);
      const page = await html(pageRes, 200);
      // The page itself keeps the app's headers.
      assertEquals(pageRes.headers.get("cross-origin-resource-policy"), "same-origin");
      assertEquals(pageRes.headers.get("cache-control"), "public, max-age=60");
      assertStringIncludes(page, `<img src="${path}.svg"`);
      for (const leak of ["Therapy", "xyzzy", "Other habit", alice.id, habit.id, other.id, alice.email]) {
        assert(!page.includes(leak), `the page holds ${leak}`);
      }
    },
  );

  await t.step("showName: the name appears, escaped, in both", async () => {
    await json(await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`, { showName: true }), 201);
    const path = new URL(url).pathname;
    const svg = await (await anonymous(`${path}.svg`)).text();
    assertEquals(XMLValidator.validate(svg), true);
    assertStringIncludes(svg, "Therapy &lt;script>alert(1)&lt;/script>");
    assert(!svg.includes("<script>"));
    const page = await html(await anonymous(path), 200);
    assertStringIncludes(page, "Therapy &lt;script>alert(1)&lt;/script>");
    assert(!page.includes("<script>alert(1)"));
  });

  await t.step("unknown, malformed and other tokens: 404", async () => {
    for (const path of ["/s/" + "A".repeat(43) + ".svg", "/s/short", "/s/%00.svg", `/s/${"x".repeat(500)}`]) {
      const res = await anonymous(path);
      assertEquals(res.status, 404, path);
      await res.body?.cancel();
    }
  });

  await t.step("rotate: a new link, the old one 404; DELETE: 204, then 404", async () => {
    const rotated = await json(
      await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`, { rotate: true }),
      201,
    );
    assert(rotated.url !== url);
    const old = await anonymous(`${new URL(url).pathname}.svg`);
    assertEquals(old.status, 404);
    await old.body?.cancel();
    url = rotated.url;
    const res = await call(app, alice.bearer, "DELETE", `/api/habits/${habit.id}/share`);
    assertEquals(res.status, 204);
    for (const path of [new URL(url).pathname, `${new URL(url).pathname}.svg`]) {
      const gone = await anonymous(path);
      assertEquals(gone.status, 404);
      await gone.body?.cancel();
    }
    await json(await call(app, alice.bearer, "DELETE", `/api/habits/${habit.id}/share`), 404);
  });

  await t.step("60 views a minute per IP: the 61st is 429, another IP still gets through", async () => {
    await resetRateLimits(services.kv);
    const { url: fresh } = await json(await call(app, alice.bearer, "POST", `/api/habits/${habit.id}/share`, {}), 201);
    const path = `${new URL(fresh).pathname}.svg`;
    const statuses = [];
    for (let i = 0; i < 61; i++) {
      const res = await app.request(path, { headers: { "x-forwarded-for": "198.51.100.7" } });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses.filter((s) => s === 200).length, 60);
    assertEquals(statuses.at(-1), 429);
    const elsewhere = await app.request(path, { headers: { "x-forwarded-for": "198.51.100.8" } });
    assertEquals(elsewhere.status, 200);
    await elsewhere.body?.cancel();
  });

  await t.step("the habit page: share, show the name, stop sharing, with plain forms", async () => {
    await (await call(app, alice.bearer, "DELETE", `/api/habits/${habit.id}/share`)).body?.cancel();
    const form = (fields: Record<string, string>, who = alice) =>
      app.request(`/habits/${habit.id}/share`, {
        method: "POST",
        headers: { ...who.session, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    let page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);
    assertStringIncludes(page, "Create a share link");
    const created = await form({ intent: "share" });
    assertEquals([created.status, created.headers.get("location")], [303, `/habits/${habit.id}#share`]);
    page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);
    const link = /id="share-url"[^>]*value="([^"]+)"/.exec(page)![1];
    assertMatch(link, /^https:\/\/cg\.example\/s\/[A-Za-z0-9_-]{43}$/);
    assertStringIncludes(page, "without its name");
    assertEquals((await form({ intent: "show-name" })).status, 303);
    assertStringIncludes(
      await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200),
      "with its name",
    );
    // Bob cannot touch Alice's link.
    const bobs = await form({ intent: "unshare" }, bob);
    assertEquals(bobs.status, 404);
    await bobs.body?.cancel();
    assertEquals((await form({ intent: "unshare" })).status, 303);
    const gone = await anonymous(new URL(link).pathname);
    assertEquals(gone.status, 404);
    await gone.body?.cancel();
  });
});
