import { assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { generateManifest, listModules } from "@/lib/fresh/manifest.ts";

const ROOT = new URL("../../..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("fresh.gen.ts is up to date with routes/ and islands/ (run `deno task build` if this fails)", async () => {
  const expected = await generateManifest(ROOT);
  const actual = await Deno.readTextFile(`${ROOT}/fresh.gen.ts`);
  assertEquals(actual, expected);
});

Deno.test("the manifest lists route and island modules, skipping tests and other files", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (
      const file of ["routes/index.tsx", "routes/api/x.ts", "routes/api/x_test.ts", "routes/notes.md", "islands/A.tsx"]
    ) {
      await Deno.mkdir(`${root}/${file.replace(/\/[^/]+$/, "")}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${file}`, "");
    }
    assertEquals(await listModules(root, "routes"), ["routes/api/x.ts", "routes/index.tsx"]);
    const source = await generateManifest(root);
    assertStringIncludes(source, 'import * as $0 from "./routes/api/x.ts";');
    assertStringIncludes(source, 'import * as $$0 from "./islands/A.tsx";');
    assertStringIncludes(source, '"routes/index.tsx": $1,');
    assertEquals(source.includes("x_test"), false);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
