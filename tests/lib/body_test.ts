import { assertEquals, assertRejects } from "@/tests/support/assert.ts";
import { bodyKindOf, readBody } from "@/lib/body.ts";
import { HttpError } from "fresh";
import { MAX_BODY_DEPTH, unstorableText } from "@/lib/storable_text.ts";
import { validationFields } from "@/lib/validate.ts";

Deno.test("bodyKindOf: JSON and its +json suffixes in any case, UTF-8 only; forms in any case", () => {
  const cases: [string | null, string | undefined][] = [
    ["application/json", "json"],
    ["Application/JSON", "json"],
    ["application/json; charset=UTF-8", "json"],
    ['application/json;charset="utf-8"', "json"],
    ["application/vnd.x+json", "json"],
    ["application/merge-patch+json", "json"],
    ["APPLICATION/PROBLEM+JSON", "json"],
    ["application/json; charset=latin1", undefined],
    ["application/jsonx", undefined],
    ["text/json", undefined],
    ["application/+json", undefined],
    ["application/x-www-form-urlencoded", "form"],
    ["Application/X-WWW-Form-Urlencoded; charset=UTF-8", "form"],
    ["multipart/form-data; boundary=abc", "multipart"],
    ["Multipart/Form-Data; boundary=abc", "multipart"],
    ["text/plain", undefined],
    ["", undefined],
    [null, undefined],
    ["application/json/extra", undefined],
  ];
  for (const [type, kind] of cases) assertEquals(bodyKindOf(type), kind, String(type));
});

Deno.test("unstorableText: NUL and lone surrogates anywhere, by field path; deep nesting", () => {
  assertEquals(unstorableText({ a: "fine ✓ 👍", b: ["x", 1, null, { c: "line\nbreak\ttab" }] }), {});
  assertEquals(Object.keys(unstorableText({ title: "a\u0000b" })), ["title"]);
  assertEquals(Object.keys(unstorableText({ schedule: { days: ["ok", "\ud800"] } })), ["schedule.days.1"]);
  assertEquals(Object.keys(unstorableText({ x: "\udc00 low first" })), ["x"]);
  assertEquals(unstorableText({ ok: "\ud83d\udc4d" }), {}, "a surrogate pair is a character");
  assertEquals(Object.keys(unstorableText({ nested: { ["k\u0000"]: 1 } })), ["nested"]);
  assertEquals(Object.keys(unstorableText("\u0000")), ["_"]);
  let deep: unknown = "leaf";
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const problems = unstorableText({ deep });
  assertEquals(Object.keys(problems).length, 1);
  assertEquals(Object.keys(problems)[0].split(".").length, MAX_BODY_DEPTH);
});

function request(type: string, body: BodyInit): Request {
  return new Request("http://localhost/x", { method: "POST", headers: { "content-type": type }, body });
}

Deno.test("readBody: one parse per request; hostile bodies are 4xx naming the field", async () => {
  const req = request("application/json", JSON.stringify({ email: "a@b.c" }));
  const first = await readBody(req);
  assertEquals(await readBody(req), first, "the second read gets the same parse, though the stream is spent");

  const bad = async (type: string, body: BodyInit, status: number) => {
    const error = await assertRejects(() => readBody(request(type, body)));
    assertEquals(error instanceof HttpError && error.status, status, String(error));
    return error as HttpError;
  };
  assertEquals(validationFields(await bad("application/json", '{"title":"a\\u0000"}', 400)), {
    title: "Remove the NUL character (\\u0000) from this text",
  });
  assertEquals(Object.keys(validationFields(await bad("application/json", '{"t":"\\ud800"}', 400))!), ["t"]);
  await bad("application/x-www-form-urlencoded", "name=a%00b", 400);
  await bad("application/json", "[1]", 400);
  await bad("application/json", "{", 400);
  await bad("application/json", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 400);
  await bad("application/json", "[".repeat(200_000) + "]".repeat(200_000), 400);
  await bad("text/plain", "x", 415);

  const form = await readBody(request("application/x-www-form-urlencoded", "__proto__=x&constructor=y&a[]=1&a[]=2"));
  assertEquals(Object.getPrototypeOf(form.data), null);
  assertEquals(form.data.__proto__, "x");
  assertEquals(form.data["constructor"] as unknown, "y");
  assertEquals(form.data.a, ["1", "2"]);
  const json = await readBody(request("application/json", '{"__proto__":{"polluted":1},"intent":"x"}'));
  assertEquals(Object.getPrototypeOf(json.data), null);
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
  assertEquals(json.data.toString, undefined, "no inherited names answer a lookup");
});
