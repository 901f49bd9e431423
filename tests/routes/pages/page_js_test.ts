/**
 * What JavaScript pages ship: none on pages without islands (a day's check-in form,
 * reminders, settings…), and on a habit's page only the grid's arrow keys (the
 * `GridKeys` island), within 10 KB gzip.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { createTestUser } from "@/tests/support/users.ts";
import { gzipSize, html } from "@/tests/support/pages.ts";
import { createHabit } from "@/db/habits.ts";
import { localDay } from "@/domain/calendar.ts";

const ROOT = new URL("../../../", import.meta.url);

Deno.test("pages ship JavaScript only for their islands", async (t) => {
  await using test = await startTestApp();
  const { app, services } = test;
  const alice = await createTestUser(services);
  const habit = await createHabit(services.db, alice.id, { name: "Read" }, localDay("UTC"));

  await t.step("island-free pages ship none", async () => {
    for (
      const path of [
        `/habits/${habit.id}/checkin?date=${localDay("UTC")}`,
        `/habits/${habit.id}/edit`,
        "/habits/new",
        "/reminders",
        "/notifications",
        "/activity",
        "/export",
        "/settings",
      ]
    ) {
      const page = await html(await app.request(path, { headers: alice.session }), 200);
      assertEquals(/<script|modulepreload/.test(page), false, path);
    }
  });

  await t.step("a habit's page ships the grid's keys only, within 10 KB gzip", async () => {
    const page = await html(await app.request(`/habits/${habit.id}`, { headers: alice.session }), 200);
    const islands = JSON.parse(/<script type="application\/json" id="__FRSH_ISLANDS">([^]*?)<\/script>/.exec(page)![1]);
    assertEquals(islands.islands.map((i: { name: string }) => i.name), ["GridKeys (islands/GridKeys.tsx)"]);
    const urls = new Set(
      [...page.matchAll(/<(?:link rel="modulepreload" href|script type="module"[^>]* src)="([^"]+)"/g)].map((m) =>
        m[1]
      ),
    );
    let total = 0;
    for (const url of urls) {
      total += await gzipSize(await Deno.readFile(new URL(`_fresh/js/${url.slice("/_fresh/js/".length)}`, ROOT)));
    }
    assert(total > 1_000 && total <= 10 * 1024, `${total} bytes of gzipped JavaScript`);
  });
});
