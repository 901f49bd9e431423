import type { Metafile } from "esbuild";
import { assert, assertEquals, assertMatch, assertRejects, assertStringIncludes } from "@/tests/support/assert.ts";
import { bundleIslands, isBundleStale, loadIslandAssets } from "@/lib/fresh/islands/bundle.ts";
import { npmToBare } from "@/lib/fresh/islands/resolve_plugin.ts";
import type { IslandAssets } from "@/lib/fresh/islands/types.ts";

const ROOT = new URL("../../../..", import.meta.url).pathname.replace(/\/$/, "");
/** The demo counter island, a test fixture (the app itself ships no demo). */
const COUNTER = "tests/lib/fresh/islands/fixtures/Counter.tsx";
const ISLAND_FILES = [
  "tests/lib/fresh/islands/fixtures/Card.tsx",
  COUNTER,
  "tests/lib/fresh/islands/fixtures/Shared.tsx",
];
const HASHED = /^(boot|island-[\w-]+|chunk)-[A-Z0-9]{8}\.js$/;

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "islands-bundle-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listJs(outDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${outDir}/js`)) names.push(entry.name);
  return names.sort();
}

function fileOf(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}

async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

Deno.test("bundleIslands: one run writes content-hashed files; the same inputs give the same names", async () => {
  await withTempDir(async (first) => {
    await withTempDir(async (second) => {
      const assets = await bundleIslands({ root: ROOT, islandFiles: ISLAND_FILES, outDir: first });
      assertMatch(assets.boot, /^\/_fresh\/js\/boot-[A-Z0-9]{8}\.js$/);
      assertEquals(Object.keys(assets.islands), ISLAND_FILES);
      assertMatch(
        assets.islands[COUNTER],
        /^\/_fresh\/js\/island-tests-lib-fresh-islands-fixtures-Counter-[A-Z0-9]{8}\.js$/,
      );
      const names = await listJs(first);
      for (const name of names) assertMatch(name, HASHED);
      const referenced = new Set(
        [assets.boot, ...Object.values(assets.islands), ...Object.values(assets.preload).flat()].map(fileOf),
      );
      for (const name of referenced) assert(names.includes(name), `${name} is referenced but was not written`);

      const again = await bundleIslands({ root: ROOT, islandFiles: [...ISLAND_FILES].reverse(), outDir: second });
      assertEquals(again, assets);
      assertEquals(await listJs(second), names);

      const { inputsHash: _, ...expected } = assets;
      assertEquals(loadIslandAssets(first), expected as IslandAssets);
    });
  });
});

Deno.test("bundleIslands: exactly one copy of preact, its hooks and signals across all chunks", async () => {
  await withTempDir(async (outDir) => {
    await bundleIslands({ root: ROOT, islandFiles: ISLAND_FILES, outDir });
    const metafile: Metafile = JSON.parse(await Deno.readTextFile(`${outDir}/metafile.json`));
    const copies = (pattern: RegExp) =>
      Object.entries(metafile.outputs).flatMap(([output, { inputs }]) =>
        Object.keys(inputs).filter((input) => pattern.test(input)).map((input) => `${output} ← ${input}`)
      );
    for (
      const pattern of [
        /\/preact\/dist\/preact\.module\.js$/,
        /\/preact\/hooks\/dist\/hooks\.module\.js$/,
        /\/signals-core\/dist\/signals-core\.module\.js$/,
        /\/@preact\/signals\/dist\/signals\.module\.js$/,
      ]
    ) {
      assertEquals(copies(pattern).length, 1, `${pattern}: ${copies(pattern).join(", ")}`);
    }

    // The same, seen in the emitted code: markers only preact and signals-core contain.
    let code = "";
    for (const name of await listJs(outDir)) code += await Deno.readTextFile(`${outDir}/js/${name}`);
    assertEquals(code.split("Math.random().toString(8)").length - 1, 1, "preact's event-key marker");
    assertEquals(code.split('Symbol.for("preact-signals")').length - 1, 1, "signals-core's brand");
  });
});

Deno.test("bundleIslands: boot + Counter stay within the JavaScript budget (minified, gzip)", async () => {
  await withTempDir(async (outDir) => {
    const assets = await bundleIslands({ root: ROOT, islandFiles: [COUNTER], outDir });
    const urls = new Set([
      assets.boot,
      ...assets.preload[assets.boot],
      assets.islands[COUNTER],
      ...assets.preload[COUNTER],
    ]);
    let minified = 0;
    let gzip = 0;
    for (const url of urls) {
      const bytes = await Deno.readFile(`${outDir}/js/${fileOf(url)}`);
      minified += bytes.byteLength;
      gzip += await gzipSize(bytes);
    }
    assert(minified < 40_000, `boot + Counter: ${minified} bytes minified`);
    assert(gzip < 15 * 1024, `boot + Counter: ${gzip} bytes gzip, over the 15 KB budget`);
  });
});

Deno.test("bundleIslands: dev builds are unminified with source maps, also hashed", async () => {
  await withTempDir(async (outDir) => {
    const assets = await bundleIslands({ root: ROOT, islandFiles: [COUNTER], outDir, dev: true });
    const names = await listJs(outDir);
    assert(names.some((name) => name.endsWith(".js.map")));
    const boot = await Deno.readTextFile(`${outDir}/js/${fileOf(assets.boot)}`);
    assertStringIncludes(boot, "sourceMappingURL=");
    assertStringIncludes(boot, "hydrateIslands");
  });
});

/** A small project of its own, sharing this repo's node_modules. */
async function writeProject(root: string): Promise<void> {
  await Deno.copyFile(`${ROOT}/deno.json`, `${root}/deno.json`);
  await Deno.symlink(`${ROOT}/node_modules`, `${root}/node_modules`);
  await Deno.mkdir(`${root}/islands`);
  await Deno.mkdir(`${root}/components`);
  await Deno.writeTextFile(
    `${root}/components/Label.tsx`,
    `export function Label(props: { text: string }) { return <b>{props.text}</b>; }\n`,
  );
  await Deno.writeTextFile(
    `${root}/islands/Hello.tsx`,
    [
      `import { useState } from "npm:preact@10.29.8/hooks";`,
      `import { Label } from "../components/Label.tsx";`,
      `export default function Hello() { const [n] = useState(1); return <Label text={"hello " + n} />; }`,
      "",
    ].join("\n"),
  );
}

Deno.test("isBundleStale: flips when an island, a file it imports, the lock file or the options change", async () => {
  await withTempDir(async (root) => {
    await writeProject(root);
    const islandFiles = ["islands/Hello.tsx"];
    assertEquals(loadIslandAssets(`${root}/_fresh`), null);
    assert(await isBundleStale({ root, islandFiles }), "no build yet");

    const first = await bundleIslands({ root, islandFiles });
    assertEquals(await isBundleStale({ root, islandFiles }), false);
    assert(await isBundleStale({ root, islandFiles, dev: true }), "a prod build is stale for dev");
    assert(await isBundleStale({ root, islandFiles: [...islandFiles, "islands/New.tsx"] }), "an island was added");

    const source = await Deno.readTextFile(`${root}/islands/Hello.tsx`);
    await Deno.writeTextFile(`${root}/islands/Hello.tsx`, source.replace('"hello "', '"hi "'));
    assert(await isBundleStale({ root, islandFiles }), "the island changed");
    const second = await bundleIslands({ root, islandFiles });
    assertEquals(await isBundleStale({ root, islandFiles }), false);
    const names = await listJs(`${root}/_fresh`);
    assert(!names.includes(fileOf(first.islands["islands/Hello.tsx"])), "the old island chunk is removed");
    assert(names.includes(fileOf(second.islands["islands/Hello.tsx"])));

    // Even a change that minifies away counts: staleness is about sources, names about output.
    await Deno.writeTextFile(`${root}/components/Label.tsx`, "\n// changed\n", { append: true });
    assert(await isBundleStale({ root, islandFiles }), "a component the island imports changed");
    await bundleIslands({ root, islandFiles });

    await Deno.writeTextFile(`${root}/deno.lock`, "{}\n");
    assert(await isBundleStale({ root, islandFiles }), "deno.lock changed");
    await bundleIslands({ root, islandFiles });

    await Deno.remove(`${root}/_fresh/js/${fileOf((await bundleIslands({ root, islandFiles })).boot)}`);
    assert(await isBundleStale({ root, islandFiles }), "a built file is gone");
  });
});

Deno.test("bundleIslands: a server-only import in an island is a clear build error", async () => {
  await withTempDir(async (root) => {
    await writeProject(root);
    await Deno.writeTextFile(
      `${root}/islands/Bad.tsx`,
      `import { assert } from "jsr:@std/assert";\nexport default function Bad() { assert(true); return null; }\n`,
    );
    const error = await assertRejects(() => bundleIslands({ root, islandFiles: ["islands/Bad.tsx"] }));
    assertStringIncludes(String(error), '"jsr:@std/assert" cannot be bundled for the browser');
    assertEquals(loadIslandAssets(`${root}/_fresh`), null, "a failed build writes no manifest");
  });
});

Deno.test("npmToBare: npm: specifiers become package paths for node_modules", () => {
  const cases: [string, string][] = [
    ["npm:preact@10.29.8", "preact"],
    ["npm:/preact@10.29.8/hooks", "preact/hooks"],
    ["npm:preact@^10/jsx-runtime", "preact/jsx-runtime"],
    ["npm:preact", "preact"],
    ["npm:@preact/signals@2.11.4", "@preact/signals"],
    ["npm:/@preact/signals@2.11.4/utils", "@preact/signals/utils"],
    ["npm:@preact/signals", "@preact/signals"],
  ];
  for (const [specifier, bare] of cases) assertEquals(npmToBare(specifier), bare, specifier);
});
