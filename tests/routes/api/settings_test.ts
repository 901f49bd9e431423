import { assertEquals } from "@/tests/support/assert.ts";
import { localDay } from "@/domain/calendar.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

Deno.test("API: settings", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services, { timezone: "UTC" });
  const save = (body: unknown, headers: Record<string, string> = alice.session) =>
    app.request("/api/settings/save", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const settings = async () => (await (await app.request("/api/settings", { headers: alice.session })).json()).settings;
  const saves = async () =>
    (await services.db.sql`select count(*)::int as n from activity where user_id = ${alice.id}
                            and action = 'settings.saved'`)[0].n;

  await t.step("GET → the defaults", async () => {
    const res = await app.request("/api/settings", { headers: alice.session });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals((await res.json()).settings, {
      displayName: null,
      timezone: "UTC",
      weekStart: 1,
      theme: "system",
      emailReminders: false,
    });
  });

  await t.step("save all → 200 {settings}; one activity row", async () => {
    const res = await save({
      displayName: "  <script>alert(1)</script> ",
      timezone: "America/New_York",
      weekStart: 7,
      theme: "dark",
      emailReminders: true,
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "application/json");
    const expected = {
      displayName: "<script>alert(1)</script>",
      timezone: "America/New_York",
      weekStart: 7,
      theme: "dark",
      emailReminders: true,
    };
    assertEquals((await res.json()).settings, expected);
    assertEquals(await settings(), expected);
    assertEquals(await saves(), 1);
    const [row] = await services.db.sql`select details from activity where user_id = ${alice.id}
                                         and action = 'settings.saved'`;
    assertEquals(row.details, { fields: ["displayName", "timezone", "weekStart", "theme", "emailReminders"] });
  });

  await t.step('save some: the others stay as they were; displayName null or "" clears it', async () => {
    const res = await save({ theme: "light" });
    assertEquals((await res.json()).settings.theme, "light");
    assertEquals((await settings()).timezone, "America/New_York");
    assertEquals((await settings()).displayName, "<script>alert(1)</script>");
    await save({ displayName: null });
    assertEquals((await settings()).displayName, null);
    await save({ displayName: "Ann" });
    await save({ displayName: "" });
    assertEquals((await settings()).displayName, null);
    assertEquals(await saves(), 5);
  });

  await t.step("every bad field at once → 400, nothing saved", async () => {
    const before = await settings();
    const res = await save({
      displayName: "x".repeat(81),
      timezone: "Mars/Olympus_Mons",
      weekStart: 8,
      theme: "neon",
      emailReminders: "yes",
    });
    assertEquals(res.status, 400);
    const { error } = await res.json();
    assertEquals(error.code, "validation_failed");
    assertEquals(Object.keys(error.details.fields).sort(), [
      "displayName",
      "emailReminders",
      "theme",
      "timezone",
      "weekStart",
    ]);
    assertEquals(await settings(), before);
    assertEquals(await saves(), 5);
  });

  await t.step("a timezone change moves today (see /api/me)", async () => {
    // Kiritimati is UTC+14 and Pago Pago UTC-11: 25 hours apart, so their days always differ.
    await save({ timezone: "Pacific/Kiritimati" });
    const east = (await (await app.request("/api/me", { headers: alice.session })).json()).user;
    await save({ timezone: "Pacific/Pago_Pago" });
    const west = (await (await app.request("/api/me", { headers: alice.session })).json()).user;
    assertEquals([east.timezone, west.timezone], ["Pacific/Kiritimati", "Pacific/Pago_Pago"]);
    const now = new Date();
    const expected = [localDay("Pacific/Kiritimati", now), localDay("Pacific/Pago_Pago", now)];
    assertEquals([east.today, west.today], expected);
    assertEquals(east.today > west.today, true);
  });

  await t.step("CSRF: a cookie POST from another origin → 403 and no write; JSON and form alike", async () => {
    const before = await settings();
    const foreign = { ...alice.session, Origin: "https://evil.example" };
    const json = await save({ theme: "dark" }, foreign);
    assertEquals(json.status, 403);
    assertEquals((await json.json()).error.code, "forbidden");
    const form = await app.request("/api/settings/save", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...foreign },
      body: new URLSearchParams({ theme: "dark", timezone: "UTC", weekStart: "1", displayName: "" }),
    });
    assertEquals(form.status, 403);
    const noOrigin = await save({ theme: "dark" }, { Cookie: alice.session.Cookie });
    assertEquals(noOrigin.status, 403, "a cookie without Origin or Sec-Fetch-Site is refused");
    assertEquals(await settings(), before);
    assertEquals(await saves(), 7);
  });

  await t.step("Bearer requests need no Origin", async () => {
    const res = await save({ weekStart: 3 }, alice.bearer);
    assertEquals(res.status, 200);
    assertEquals((await res.json()).settings.weekStart, 3);
  });

  await t.step("a form post saves every field: an unticked checkbox means off", async () => {
    await save({ emailReminders: true });
    const res = await app.request("/api/settings/save", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...alice.session },
      body: new URLSearchParams({ displayName: "Ann", timezone: "Europe/Paris", weekStart: "2", theme: "system" }),
    });
    assertEquals(res.status, 200);
    assertEquals((await res.json()).settings, {
      displayName: "Ann",
      timezone: "Europe/Paris",
      weekStart: 2,
      theme: "system",
      emailReminders: false,
    });
  });

  await t.step("signed out → 401", async () => {
    assertEquals((await app.request("/api/settings")).status, 401);
    assertEquals((await save({ theme: "dark" }, {})).status, 401);
  });
});
