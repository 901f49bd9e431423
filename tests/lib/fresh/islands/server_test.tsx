import { type Signal, signal } from "@preact/signals";
import { Component, type ComponentChildren, options, type VNode } from "preact";
import { throws } from "node:assert/strict";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "@/tests/support/assert.ts";
import { createDecoder } from "@/lib/fresh/islands/client/deserialize.ts";
import type { IslandsPayload } from "@/lib/fresh/islands/protocol.ts";
import { type IslandAssets, islandEntries, IslandPropsError, renderToHtml } from "@/lib/fresh/islands/server.ts";
import Counter from "@/tests/lib/fresh/islands/fixtures/Counter.tsx";
import Card from "@/tests/lib/fresh/islands/fixtures/Card.tsx";
import { SharedButton, SharedView } from "@/tests/lib/fresh/islands/fixtures/Shared.tsx";

function Outer({ label }: { label: string }) {
  return (
    <div class="outer">
      {label}
      <Counter start={7} since={new Date(0)} />
    </div>
  );
}

function Clicker(_props: { onClick?: () => void; data?: unknown }) {
  return <button type="button">click</button>;
}

function Thrower(): VNode {
  throw new Error("render failed");
}

class Boundary extends Component<{ children: ComponentChildren }, { failed: boolean }> {
  static override getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? <p class="fallback">failed</p> : this.props.children;
  }
}

const ISLANDS = islandEntries({
  "islands/Counter.tsx": { default: Counter },
  "islands/Outer.tsx": { default: Outer },
  "islands/Clicker.tsx": { Clicker, notAComponent: 42 },
  "islands/Thrower.tsx": { default: Thrower },
  "islands/Card.tsx": { default: Card },
  "islands/Shared.tsx": { SharedButton, SharedView },
});

const ASSETS: IslandAssets = {
  boot: "/_fresh/js/boot-BOOT1234.js",
  islands: Object.fromEntries(
    ["Counter", "Outer", "Clicker", "Thrower", "Card", "Shared"].map((name) => [
      `islands/${name}.tsx`,
      `/_fresh/js/island-${name}-HASH1234.js`,
    ]),
  ),
  preload: {
    "/_fresh/js/boot-BOOT1234.js": ["/_fresh/js/chunk-PREACT12.js"],
    "islands/Counter.tsx": ["/_fresh/js/chunk-PREACT12.js", "/_fresh/js/chunk-SIGNALS1.js"],
  },
};

const OPTIONS = { islands: ISLANDS, assets: ASSETS, nonce: "n0nce+/=" };

function page(body: ComponentChildren): VNode {
  return (
    <html>
      <head>
        <title>t</title>
      </head>
      <body>{body}</body>
    </html>
  );
}

function payloadOf(html: string): IslandsPayload {
  const match = /<script type="application\/json" id="__FRSH_ISLANDS">(.*?)<\/script>/s.exec(html);
  assert(match, "no payload in the page");
  return JSON.parse(match[1]);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

Deno.test("islandEntries: every exported function is an island, registered once", () => {
  const entries = islandEntries({
    "islands/B.tsx": { default: Counter, Counter, helper: 1 },
    "islands/A.tsx": { Outer },
  });
  assertEquals(entries.map(({ file, exportName }) => `${file}#${exportName}`), [
    "islands/A.tsx#Outer",
    "islands/B.tsx#default",
  ]);
});

Deno.test("renderToHtml: a page without islands has no script, no preload, no JSON", () => {
  const { html, islandCount } = renderToHtml(page(<p>hello</p>), { ...OPTIONS, assets: null });
  assertEquals(islandCount, 0);
  assertEquals(html, "<html><head><title>t</title></head><body><p>hello</p></body></html>");
  for (const absent of ["<script", "modulepreload", "__FRSH_ISLANDS", "frsh:"]) assert(!html.includes(absent));
});

Deno.test("renderToHtml: islands get markers, nonce'd preloads in <head> and one nonce'd boot before </body>", () => {
  const since = new Date("2026-01-01T00:00:00Z");
  const { html, islandCount } = renderToHtml(
    page(
      <main>
        <Counter start={3} since={since} />
        <Counter start={4} since={since} />
      </main>,
    ),
    OPTIONS,
  );
  assertEquals(islandCount, 2);
  assertStringIncludes(html, '<!--frsh:island:0--><div class="counter">');
  assertStringIncludes(html, "</div><!--/frsh:island:0--><!--frsh:island:1-->");

  const head = html.slice(0, html.indexOf("</head>"));
  assertEquals(
    [...head.matchAll(/<link rel="modulepreload" href="([^"]+)" nonce="n0nce\+\/=">/g)].map((m) => m[1]),
    [
      "/_fresh/js/boot-BOOT1234.js",
      "/_fresh/js/chunk-PREACT12.js",
      "/_fresh/js/island-Counter-HASH1234.js",
      "/_fresh/js/chunk-SIGNALS1.js",
    ],
  );
  assertEquals(count(html, '<script type="module"'), 1);
  assertMatch(
    html,
    /<script type="module" nonce="n0nce\+\/=" src="\/_fresh\/js\/boot-BOOT1234\.js"><\/script><\/body><\/html>$/,
  );

  const payload = payloadOf(html);
  assertEquals(payload.chunks, ["/_fresh/js/island-Counter-HASH1234.js"]);
  assertEquals(payload.islands.map((island) => island?.props.start), [3, 4]);
});

Deno.test("renderToHtml: a document without <head> gets the preloads next to the boot script", () => {
  const { html } = renderToHtml(
    <html>
      <body>
        <Counter start={1} since={new Date(0)} />
      </body>
    </html>,
    OPTIONS,
  );
  assertMatch(
    html,
    /<!--\/frsh:island:0--><link rel="modulepreload"[^]*<script type="module"[^]*><\/script><\/body><\/html>$/,
  );
});

Deno.test("renderToHtml: props survive the page, decoded with the client's decoder", () => {
  const shared = signal(10);
  const { html } = renderToHtml(
    page(
      <>
        <SharedButton count={shared} />
        <SharedView count={shared} />
        <Clicker data={{ at: new Date(5), link: new URL("https://x.test/"), none: undefined, list: [[1], { a: 2 }] }} />
      </>,
    ),
    OPTIONS,
  );
  const payload = payloadOf(html);
  const decode = createDecoder(payload.signals, signal);
  const [button, view, clicker] = payload.islands.map((island) => decode(island!.props) as Record<string, unknown>);
  assert(button.count === view.count, "a shared signal must stay one signal");
  assertEquals((button.count as Signal<number>).value, 10);
  const data = clicker.data as Record<string, unknown>;
  assertEquals((data.at as Date).getTime(), 5);
  assertEquals((data.link as URL).href, "https://x.test/");
  assert(Object.hasOwn(data, "none") && data.none === undefined);
  assertEquals(data.list, [[1], { a: 2 }]);
  assertEquals(payload.islands.map((island) => island?.export), ["SharedButton", "SharedView", "Clicker"]);
});

Deno.test("renderToHtml: </script> and <!-- in a prop cannot break out of the payload", () => {
  const evil = "</script><script>alert(1)</script><!--";
  const { html } = renderToHtml(page(<Clicker data={evil} />), OPTIONS);
  assertEquals(count(html, "<script"), 2, "only the payload and the boot script");
  assertEquals(count(html, "<!--"), 2, "only the island's two markers");
  const payload = payloadOf(html);
  assertEquals(createDecoder(payload.signals)(payload.islands[0]!.props), { data: evil });
});

Deno.test("renderToHtml: a function prop fails the render, naming the island and the prop", () => {
  const error = throwsError(() => renderToHtml(page(<Clicker onClick={() => {}} />), OPTIONS));
  assert(error instanceof IslandPropsError);
  assertStringIncludes(error.message, 'Island Clicker (islands/Clicker.tsx): prop "onClick" is a function');
});

Deno.test("renderToHtml: an island inside an island is a plain component (no inner markers)", () => {
  const { html, islandCount } = renderToHtml(page(<Outer label="x" />), OPTIONS);
  assertEquals(islandCount, 1);
  assertEquals(count(html, "<!--frsh:island:"), 1);
  assertStringIncludes(html, '<!--frsh:island:0--><div class="outer">x<div class="counter">');
  assertEquals(payloadOf(html).chunks, ["/_fresh/js/island-Outer-HASH1234.js"]);
});

Deno.test("renderToHtml: JSX children render inside the island as a slot; string children are props", () => {
  const { html } = renderToHtml(
    page(
      <>
        <Card title="a">
          <p>
            static <b>child</b>
          </p>
        </Card>
        <Card title="b">just text</Card>
      </>,
    ),
    OPTIONS,
  );
  assertStringIncludes(
    html,
    '<div class="card-body"><!--frsh:slot:0--><p>static <b>child</b></p><!--/frsh:slot:0--></div>',
  );
  const [slotted, text] = payloadOf(html).islands;
  assertEquals([slotted?.slot, slotted?.props], [1, { title: "a" }]);
  assertEquals([text?.slot, text?.props], [undefined, { title: "b", children: "just text" }]);
});

Deno.test("renderToHtml: island vnodes reused within and across renders keep getting markers", () => {
  const reused = <Counter start={1} since={new Date(0)} />;
  const first = renderToHtml(page(<>{reused}{reused}</>), OPTIONS);
  assertEquals(first.islandCount, 2);
  assertStringIncludes(first.html, "<!--frsh:island:1-->");
  const second = renderToHtml(page(reused), OPTIONS);
  assertEquals(second.islandCount, 1);
  assertEquals(reused.type, Counter, "the vnode is handed back unchanged");
});

Deno.test("renderToHtml: state is per render: a nested render and the next render start clean", () => {
  function Nested() {
    const inner = renderToHtml(
      <html>
        <body>
          <p>inner</p>
        </body>
      </html>,
      OPTIONS,
    );
    return <p>{inner.islandCount}</p>;
  }
  const outer = renderToHtml(
    page(
      <>
        <Counter start={1} since={new Date(0)} />
        <Nested />
      </>,
    ),
    OPTIONS,
  );
  assertEquals(outer.islandCount, 1);
  assertStringIncludes(outer.html, "<p>0</p>");
  const next = renderToHtml(page(<p>plain</p>), OPTIONS);
  assertEquals(next.islandCount, 0);
  assert(!next.html.includes("<script"));
});

Deno.test("renderToHtml: an island that throws inside an error boundary is left out", () => {
  // render-to-string honours error boundaries only when asked to.
  const flags = options as { errorBoundaries?: boolean };
  const previous = flags.errorBoundaries;
  flags.errorBoundaries = true;
  let rendered;
  try {
    rendered = renderToHtml(
      page(
        <Boundary>
          <Thrower />
        </Boundary>,
      ),
      OPTIONS,
    );
  } finally {
    flags.errorBoundaries = previous;
  }
  const { html, islandCount } = rendered;
  assertEquals(islandCount, 0);
  assertStringIncludes(html, '<p class="fallback">failed</p>');
  assert(!html.includes("<script"));
});

Deno.test("renderToHtml: an island but no bundle is a clear error", () => {
  const error = throwsError(() =>
    renderToHtml(page(<Counter start={1} since={new Date(0)} />), { ...OPTIONS, assets: null })
  );
  assertStringIncludes(error.message, "Counter (islands/Counter.tsx)");
  assertStringIncludes(error.message, "run `deno task build`");
  throws(
    () =>
      renderToHtml(page(<Counter start={1} since={new Date(0)} />), {
        ...OPTIONS,
        assets: { ...ASSETS, islands: {} },
      }),
    /not in the island bundle .* run `deno task build`/,
  );
});

Deno.test("renderToHtml: an island inside a <p> that renders a <div> warns with the island's name", () => {
  const warnings = capturingWarnings(() => {
    renderToHtml(
      page(
        <p>
          <Counter start={1} since={new Date(0)} />
        </p>,
      ),
      OPTIONS,
    );
    renderToHtml(
      page(
        <p>
          <span>
            <Clicker />
          </span>
        </p>,
      ),
      OPTIONS,
    );
    renderToHtml(
      page(
        <table>
          <Card title="t" />
        </table>,
      ),
      OPTIONS,
    );
  });
  assertEquals(warnings.length, 2, warnings.join("\n"));
  assertStringIncludes(warnings[0], "Island Counter (islands/Counter.tsx) is rendered with <div> inside <p>");
  assertStringIncludes(
    warnings[1],
    "Island Card (islands/Card.tsx) is rendered with <section> directly inside <table>",
  );
});

function capturingWarnings(fn: () => void): string[] {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    fn();
  } finally {
    console.warn = warn;
  }
  return warnings;
}

function throwsError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
