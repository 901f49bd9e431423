/**
 * The per-e-mail log-in limit (5 a minute) holds whatever spelling of Content-Type a
 * client picks: the limiter reads the body with the handler's own parser, so every
 * variant the handler accepts is counted, and every variant the limiter counted is
 * refused once the budget is spent.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { closePasswordWorkers } from "@/lib/auth/password.ts";
import { startTestApp } from "@/tests/support/app.ts";

const PASSWORD = "correct horse battery staple";

/** Content types the handler accepts, as a client might spell them, with the body each needs. */
const VARIANTS: { name: string; type: string | null; body(email: string, password: string): BodyInit }[] = [
  ...[
    "application/json",
    "Application/JSON",
    "APPLICATION/JSON; charset=UTF-8",
    "application/json;charset=utf-8",
    'application/json ; charset="utf-8"',
    "application/vnd.x+json",
    "application/merge-patch+json",
    "Application/Merge-Patch+JSON; charset=utf-8",
  ].map((type) => ({
    name: type,
    type,
    body: (email: string, password: string) => JSON.stringify({ email, password }),
  })),
  ...[
    "application/x-www-form-urlencoded",
    "Application/X-WWW-Form-Urlencoded",
    "APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8",
  ].map((type) => ({
    name: type,
    type,
    body: (email: string, password: string) => new URLSearchParams({ email, password }).toString(),
  })),
  {
    name: "multipart/form-data (boundary set by the client)",
    type: null,
    body(email: string, password: string) {
      const form = new FormData();
      form.set("email", email);
      form.set("password", password);
      return form;
    },
  },
];

Deno.test("log-in: the per-e-mail limit cannot be bypassed by Content-Type spellings", async (t) => {
  // On a loaded 2-core machine KV can take longer than the 100 ms decision deadline,
  // and log-in fails closed (503): this test is about keys, not deadlines.
  await using test = await startTestApp({ config: { trustProxy: true } });
  const { app, services } = test;
  let ip = 0;
  /** Every request from its own IP, so only the per-e-mail budget can refuse it. */
  const login = (path: string, variant: (typeof VARIANTS)[number], email: string, password: string) => {
    const headers: Record<string, string> = {
      Origin: services.config.appOrigin,
      "X-Forwarded-For": `10.1.${ip >> 8}.${ip++ & 255}`,
    };
    if (variant.type) headers["Content-Type"] = variant.type;
    return app.request(path, { method: "POST", headers, body: variant.body(email, password) });
  };
  const signUp = async (email: string) => {
    const res = await login("/api/auth/signup", VARIANTS[0], email, PASSWORD);
    assertEquals(res.status, 201, await res.text());
  };

  try {
    for (const path of ["/api/auth/login", "/login"]) {
      await t.step(`${path}: every variant of wrong passwords spends the e-mail's budget`, async () => {
        for (const variant of VARIANTS) {
          const email = `counted-${ip}@example.test`;
          await signUp(email);
          for (let i = 0; i < 5; i++) {
            const res = await login(path, variant, `  ${email.toUpperCase()} `, "wrong horse battery staple");
            assertEquals(res.status, 401, `${variant.name}: attempt ${i + 1}`);
            await res.body?.cancel();
          }
          const res = await login("/api/auth/login", VARIANTS[0], email, PASSWORD);
          assertEquals(res.status, 429, `${variant.name}: the right password after 5 wrong ones`);
          assertEquals(res.headers.get("set-cookie"), null);
          await res.body?.cancel();
        }
      });

      await t.step(`${path}: once the budget is spent, no variant gets a session`, async () => {
        const email = `spent-${ip}@example.test`;
        await signUp(email);
        for (let i = 0; i < 5; i++) {
          const res = await login("/api/auth/login", VARIANTS[0], email, "wrong horse battery staple");
          assertEquals(res.status, 401);
          await res.body?.cancel();
        }
        for (const variant of VARIANTS) {
          const res = await login(path, variant, email, PASSWORD);
          assertEquals(res.status, 429, variant.name);
          assertEquals(res.headers.get("set-cookie"), null, variant.name);
          await res.body?.cancel();
        }
        const [{ n }] = await services.db.sql`
          select count(*)::int as n from sessions s join users u on u.id = s.user_id where u.email = ${email}`;
        assertEquals(n, 1, "only the sign-up's session");
      });
    }

    await t.step("types the handler refuses are refused before anyone is authenticated", async () => {
      const email = `refused-${ip}@example.test`;
      await signUp(email);
      for (const type of ["text/plain", "application/json; charset=latin1", "application/jsonx", "json", "*/*"]) {
        const res = await login("/api/auth/login", { ...VARIANTS[0], type }, email, PASSWORD);
        assertEquals(res.status, 415, type);
        assertEquals(res.headers.get("set-cookie"), null);
        assertEquals((await res.json()).error.code, "unsupported_media_type");
      }
    });

    await t.step("the limiter's read leaves the body to the handler (it is parsed once)", async () => {
      for (const variant of VARIANTS) {
        const email = `once-${ip}@example.test`;
        await signUp(email);
        const res = await login("/api/auth/login", variant, email, PASSWORD);
        assertEquals(res.status, 200, variant.name);
        assert(res.headers.get("set-cookie"));
        await res.body?.cancel();
      }
    });
  } finally {
    closePasswordWorkers();
  }
});
