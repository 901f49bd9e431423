import { computed, type Signal, signal } from "@preact/signals";
import { h } from "preact";
import { throws } from "node:assert/strict";
import { assert, assertEquals, assertStringIncludes } from "@/tests/support/assert.ts";
import { createDecoder } from "@/lib/fresh/islands/client/deserialize.ts";
import { IslandPropsError, PropsEncoder, scriptSafeJson } from "@/lib/fresh/islands/serialize.ts";

const ISLAND = "Counter (islands/Counter.tsx)";

/** Server encode → JSON text as in the page → client decode, for several islands at once. */
function roundTrip(...propsList: Record<string, unknown>[]): Record<string, unknown>[] {
  const encoder = new PropsEncoder();
  const encoded = propsList.map((props) => encoder.encodeProps(props, ISLAND));
  const wire = JSON.parse(scriptSafeJson({ encoded, signals: encoder.signals }));
  const decode = createDecoder(wire.signals, signal);
  return wire.encoded.map((props: unknown) => decode(props) as Record<string, unknown>);
}

Deno.test("props round-trip: JSON values, nested arrays and objects", () => {
  const props = {
    n: 1.5,
    s: "text",
    b: false,
    nil: null,
    list: [1, [2, [3, { deep: ["x"] }]]],
    obj: { a: { b: { c: true } } },
    empty: {},
  };
  assertEquals(roundTrip(props)[0], props);
});

Deno.test("props round-trip: undefined keeps its key, in objects and arrays", () => {
  const [out] = roundTrip({ gone: undefined, list: [undefined, 1], nested: { x: undefined } });
  assert(Object.hasOwn(out, "gone") && out.gone === undefined);
  assertEquals(out.list, [undefined, 1]);
  assert(Object.hasOwn(out.nested as object, "x"));
});

Deno.test("props round-trip: Date (valid and invalid), URL, NaN, ±Infinity, -0", () => {
  const since = new Date("2026-03-29T01:30:00.000Z");
  const [out] = roundTrip({
    since,
    bad: new Date("nope"),
    link: new URL("https://example.com/a?b=c#d"),
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    nzero: -0,
  });
  assert(out.since instanceof Date);
  assertEquals((out.since as Date).toISOString(), since.toISOString());
  assert(out.bad instanceof Date && Number.isNaN(out.bad.getTime()));
  assert(out.link instanceof URL);
  assertEquals((out.link as URL).href, "https://example.com/a?b=c#d");
  assert(Number.isNaN(out.nan));
  assertEquals([out.inf, out.ninf], [Infinity, -Infinity]);
  assert(Object.is(out.nzero, -0));
});

Deno.test("props round-trip: signals and computeds arrive as signals with the same value", () => {
  const count = signal(3);
  const doubled = computed(() => count.value * 2);
  const [out] = roundTrip({ count, doubled, inside: { list: [count] } });
  assertEquals((out.count as Signal<number>).value, 3);
  assertEquals((out.doubled as Signal<number>).value, 6);
  assert((out.inside as { list: unknown[] }).list[0] === out.count, "one signal, referenced twice");
});

Deno.test("props round-trip: the same signal passed to two islands stays one shared signal", () => {
  const shared = signal({ at: new Date(0) });
  const other = signal("x");
  const [a, b] = roundTrip({ value: shared }, { value: shared, other });
  assert(a.value === b.value, "two islands must get the same client signal");
  assert(a.value !== b.other);
  assertEquals(((a.value as Signal<{ at: Date }>).value.at as Date).getTime(), 0);
  (a.value as Signal<unknown>).value = 1;
  assertEquals((b.value as Signal<unknown>).value, 1);
});

Deno.test("props round-trip: a signal whose value holds a signal, and a signal holding itself", () => {
  const inner = signal(1);
  const outer = signal({ inner });
  const self: Signal<unknown> = signal(null);
  self.value = [self];
  const [out] = roundTrip({ outer, self });
  const decodedOuter = out.outer as Signal<{ inner: Signal<number> }>;
  assertEquals(decodedOuter.value.inner.value, 1);
  const decodedSelf = out.self as Signal<unknown[]>;
  assert(decodedSelf.value[0] === decodedSelf);
});

Deno.test("props round-trip: keys that look like the format or the prototype stay plain keys", () => {
  const tricky = JSON.parse('{"__proto__": {"polluted": true}, "$frsh": ["u"], "constructor": 1}');
  const [out] = roundTrip({ tricky });
  const decoded = out.tricky as Record<string, unknown>;
  assertEquals(Object.getPrototypeOf(decoded), Object.prototype);
  assertEquals(Object.keys(decoded).sort(), ["$frsh", "__proto__", "constructor"]);
  assertEquals(decoded.$frsh, ["u"]);
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("encodeProps: a function prop is an error naming the island and the prop path", () => {
  const encoder = new PropsEncoder();
  const error = catching(() => encoder.encodeProps({ items: [{ id: 1 }, { onSelect: () => {} }] }, ISLAND));
  assert(error instanceof IslandPropsError);
  assertStringIncludes(error.message, ISLAND);
  assertStringIncludes(error.message, 'prop "items[1].onSelect" is a function');
  throws(() => encoder.encodeProps({ onClick() {} }, ISLAND), /prop "onClick" is a function/);
});

Deno.test("encodeProps: values that cannot travel are errors that say what is supported", () => {
  const encoder = new PropsEncoder();
  throws(() => encoder.encodeProps({ m: new Map() }, ISLAND), /prop "m" is a Map; island props may only hold/);
  throws(() => encoder.encodeProps({ big: 1n }, ISLAND), /prop "big" is a bigint/);
  throws(() => encoder.encodeProps({ el: h("b", null) }, ISLAND), /prop "el" is JSX; only `children`/);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  throws(() => encoder.encodeProps({ loop }, ISLAND), /prop "loop.self" contains a circular reference/);
  throws(
    () => encoder.encodeProps({ s: signal(() => 1) }, ISLAND),
    /prop "s.value" is a function/,
  );
});

Deno.test("encodeProps: the same object twice (not a cycle) is fine", () => {
  const shared = { a: 1 };
  assertEquals(roundTrip({ x: shared, y: [shared, shared] })[0], { x: shared, y: [shared, shared] });
});

Deno.test("scriptSafeJson: no </script>, <!-- or line separators survive, and it parses back", () => {
  const nasty = "</script><script>alert(1)</script><!-- & \u2028\u2029 -->";
  const json = scriptSafeJson({ nasty });
  for (const forbidden of ["<", ">", "&", "\u2028", "\u2029"]) {
    assert(!json.includes(forbidden), `${JSON.stringify(forbidden)} left in ${json}`);
  }
  assertEquals(JSON.parse(json), { nasty });
});

function catching(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
