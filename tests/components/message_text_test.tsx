import { assertEquals } from "@/tests/support/assert.ts";
import { renderToString } from "preact-render-to-string";
import { MessageText } from "@/components/message_text.tsx";
import { groupZones } from "@/components/TimezoneField.tsx";

const render = (text: string) => renderToString(<MessageText text={text} />);

Deno.test("server messages: the app's pages they name become links, nothing else does", () => {
  assertEquals(
    render("Your free plan allows 10 active habits. Archive or delete one, or upgrade to pro at /upgrade."),
    'Your free plan allows 10 active habits. Archive or delete one, or upgrade to pro at <a href="/upgrade">/upgrade</a>.',
  );
  assertEquals(
    render("See /habits/archived or /upgrade"),
    'See <a href="/habits/archived">/habits/archived</a> or <a href="/upgrade">/upgrade</a>',
  );
  // Not a listed page, part of a longer path or word, or a URL: plain text.
  for (const text of ["/upgrades", "/upgrade/x", "a/upgrade", "https://evil.example/upgrade", "/admin"]) {
    assertEquals(render(text), text);
  }
  // Escaped like any text.
  assertEquals(render("<b>/upgrade</b>"), "&lt;b>/upgrade&lt;/b>");
});

Deno.test("time zones group by region, named by place", () => {
  assertEquals(groupZones(["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Europe/Lisbon"]), [
    ["Other", [{ value: "UTC", label: "UTC" }]],
    ["Europe", [{ value: "Europe/Berlin", label: "Berlin" }, { value: "Europe/Lisbon", label: "Lisbon" }]],
    ["America", [{ value: "America/Argentina/Buenos_Aires", label: "Argentina/Buenos Aires" }]],
  ]);
});
