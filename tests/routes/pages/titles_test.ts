import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { createHabit } from "@/db/habits.ts";
import { localDay } from "@/domain/calendar.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";

Deno.test("pages set their <title>, and a typed name in it is escaped", async () => {
  await using t = await startTestApp();
  const user = await createTestUser(t.services);
  const habit = await createHabit(t.services.db, user.id, { name: "<script>alert(1)</script>" }, localDay("UTC"));
  const cases: [string, string][] = [
    ["/", "ConsistencyGrid"],
    ["/login", "Log in · ConsistencyGrid"],
    ["/app", "Dashboard · ConsistencyGrid"],
    ["/settings", "Settings · ConsistencyGrid"],
    [`/habits/${habit.id}`, "&lt;script>alert(1)&lt;/script> · ConsistencyGrid"],
    [`/habits/${habit.id}/edit`, "Edit &lt;script>alert(1)&lt;/script> · ConsistencyGrid"],
  ];
  for (const [path, title] of cases) {
    const res = await t.app.request(path, { headers: path === "/login" || path === "/" ? {} : user.session });
    assertEquals(res.status, 200, path);
    const html = await res.text();
    assertStringIncludes(html, `<title>${title}</title>`, path);
    assertEquals(html.includes("<script>alert(1)"), false, path);
  }
});
