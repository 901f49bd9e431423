/**
 * The client runtime's default error reporter in headless Chromium: an island that
 * fails, and errors thrown later, are POSTed to /api/monitoring — each message once, at
 * most five per page load, without the page's query string.
 */
import { assert, assertEquals } from "@/tests/support/assert.ts";
import { launchBrowser, skipBrowserTests } from "@/tests/support/browser.ts";
import { h } from "preact";
import { bundleIslands } from "@/lib/fresh/islands/bundle.ts";
import { islandEntries, renderToHtml } from "@/lib/fresh/islands/server.ts";
import * as counterModule from "@/tests/lib/fresh/islands/fixtures/Counter.tsx";
import * as boomModule from "@/tests/lib/fresh/islands/fixtures/Boom.tsx";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const MODULES = {
  "tests/lib/fresh/islands/fixtures/Counter.tsx": counterModule,
  "tests/lib/fresh/islands/fixtures/Boom.tsx": boomModule,
};
const NONCE = "dGVzdC1ub25jZQ==";

Deno.test({
  name: "client errors are reported to POST /api/monitoring, de-duplicated and capped",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  async fn() {
    const outDir = await Deno.makeTempDir({ prefix: "monitoring-browser-" });
    const reports: { contentType: string | null; body: Record<string, unknown> }[] = [];
    const assets = await bundleIslands({ root: ROOT, islandFiles: Object.keys(MODULES), outDir });
    const islands = islandEntries(MODULES);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const { pathname } = new URL(req.url);
      if (pathname === "/api/monitoring" && req.method === "POST") {
        reports.push({ contentType: req.headers.get("content-type"), body: await req.json() });
        return Response.json({ accepted: true }, { status: 202 });
      }
      if (pathname.startsWith("/_fresh/js/")) {
        const file = await Deno.readFile(`${outDir}/js/${pathname.slice("/_fresh/js/".length)}`);
        return new Response(file, { headers: { "content-type": "text/javascript" } });
      }
      if (pathname !== "/broken") return new Response(null, { status: 404 });
      const page = h(
        "html",
        null,
        h(
          "body",
          null,
          h(boomModule.default, null),
          h(counterModule.default, { start: 1, since: new Date("2026-01-01T00:00:00Z") }),
        ),
      );
      const warn = console.warn;
      console.warn = () => {};
      try {
        const { html } = renderToHtml(page, { islands, assets, nonce: NONCE });
        return new Response("<!DOCTYPE html>" + html, { headers: { "content-type": "text/html; charset=utf-8" } });
      } finally {
        console.warn = warn;
      }
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.addr.port}/broken?token=SECRET`);
      await page.locator(".counter button:not([disabled])").waitFor();
      // A repeat and five more distinct errors: only four more may go out.
      await page.evaluate(() => {
        for (const message of ["one", "one", "two", "three", "four", "five", "six"]) {
          setTimeout(() => {
            throw new Error(message);
          });
        }
      });
      await page.waitForTimeout(500);

      assertEquals(reports.length, 5, JSON.stringify(reports));
      const [first] = reports;
      assertEquals(first.contentType, "application/json");
      assert(String(first.body.message).includes("boom"), String(first.body.message));
      assertEquals(first.body.url, `http://127.0.0.1:${server.addr.port}/broken`);
      assertEquals(typeof first.body.stack, "string");
      assertEquals(typeof first.body.userAgent, "string");
      assertEquals(reports.map((r) => r.body.message).slice(1), ["one", "two", "three", "four"]);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
