import { assertEquals } from "@/tests/support/assert.ts";
import { Hono } from "hono";
import { loadStaticFiles, serveStatic } from "@/lib/fresh/static_files.ts";

Deno.test("static files: ETag + revalidation, 304 on a match, immutable for hashed build output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/static/img`, { recursive: true });
    await Deno.mkdir(`${dir}/js`);
    await Deno.writeTextFile(`${dir}/static/styles.css`, "body{}");
    await Deno.writeTextFile(`${dir}/static/img/a.svg`, "<svg/>");
    await Deno.writeTextFile(`${dir}/js/Counter-ABC123.js`, "export{}");
    const files = await loadStaticFiles([
      { dir: `${dir}/static`, prefix: "/" },
      { dir: `${dir}/js`, prefix: "/_fresh/js/", immutable: true },
      { dir: `${dir}/missing`, prefix: "/nothing/" },
    ]);
    const app = new Hono();
    app.use(serveStatic(files));
    app.all("*", (c) => c.text("fallthrough", 404));

    const css = await app.request("/styles.css");
    assertEquals(css.status, 200);
    assertEquals(css.headers.get("content-type"), "text/css; charset=utf-8");
    assertEquals(css.headers.get("cache-control"), "public, max-age=0, must-revalidate");
    assertEquals(await css.text(), "body{}");
    const etag = css.headers.get("etag")!;
    const again = await app.request("/styles.css", { headers: { "If-None-Match": `W/${etag}` } });
    assertEquals(again.status, 304);
    assertEquals(await again.text(), "");

    assertEquals((await app.request("/img/a.svg")).headers.get("content-type"), "image/svg+xml");
    const js = await app.request("/_fresh/js/Counter-ABC123.js");
    assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals(await js.text(), "export{}");
    assertEquals((await app.request("/_fresh/js/nope.js")).status, 404);
    assertEquals((await app.request("/styles.css", { method: "POST" })).status, 404);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
