/**
 * lib/push/notification.ts: a reminder's payload always fits one push, whatever the
 * user wrote; what is cut is the body, then the title, never a link.
 */
import { type ReminderNotification, reminderPayload } from "@/lib/push/notification.ts";
import { MAX_PUSH_PAYLOAD_BYTES } from "@/lib/push/send.ts";
import { assert, assertEquals, assertRejects } from "@/tests/support/assert.ts";

const base: ReminderNotification = {
  title: "Stretch",
  body: "Your habit “Stretch” is not done yet today.",
  tag: "reminder:5f0c",
  url: "https://grid.example.com/habits/1",
  actions: [
    { action: "done", title: "Done", url: "https://grid.example.com/one-tap/AAAA" },
    { action: "skip", title: "Skip", url: "https://grid.example.com/one-tap/BBBB" },
  ],
  timestamp: 1_767_225_600_000,
};
const bytes = (text: string) => new TextEncoder().encode(text).length;

Deno.test("a short reminder goes as it is", () => {
  assertEquals(JSON.parse(reminderPayload(base)), base);
});

Deno.test("a huge body is cut to fit, at a character boundary, with an ellipsis; links stay whole", () => {
  for (const unit of ["a", "é", "😀", '"', "\u0000", "\ud800"]) {
    const payload = reminderPayload({ ...base, body: unit.repeat(10_000) });
    assert(bytes(payload) <= MAX_PUSH_PAYLOAD_BYTES, `${bytes(payload)} bytes for ${JSON.stringify(unit)}`);
    const parsed = JSON.parse(payload);
    assert(parsed.body.endsWith("…") && parsed.body.length > 100, `a useful part of the body is kept`);
    assertEquals(parsed.body.slice(0, -1), unit.repeat(Array.from(parsed.body).length - 1));
    assertEquals([parsed.title, parsed.url, parsed.actions], [base.title, base.url, base.actions]);
  }
});

Deno.test("a title over 120 characters is cut; one that alone would not fit leaves no body", () => {
  const long = JSON.parse(reminderPayload({ ...base, title: "t".repeat(500) }));
  assertEquals(Array.from(long.title).length, 120);
  assert(long.title.endsWith("…"));

  // Links that leave room for about 50 emoji of title and nothing more.
  const overhead = bytes(
    reminderPayload({ ...base, title: "", body: "", actions: [{ action: "done", title: "Done", url: "" }] }),
  );
  const actions = [{ action: "done", title: "Done", url: "x".repeat(MAX_PUSH_PAYLOAD_BYTES - overhead - 200) }];
  const tight = reminderPayload({ ...base, actions, title: "😀".repeat(100), body: "b".repeat(100) });
  assert(bytes(tight) <= MAX_PUSH_PAYLOAD_BYTES);
  const parsed = JSON.parse(tight);
  assertEquals(parsed.body, "");
  assert(Array.from(parsed.title).length >= 40 && parsed.title.endsWith("…"), parsed.title);
  assertEquals(parsed.actions, actions);
});

Deno.test("links that alone exceed a push are a bug: RangeError", async () => {
  const url = `https://grid.example.com/${"x".repeat(MAX_PUSH_PAYLOAD_BYTES)}`;
  const error = await assertRejects(() => Promise.resolve().then(() => reminderPayload({ ...base, url })));
  assert(error instanceof RangeError);
});
