import { assert, assertEquals } from "@/tests/support/assert.ts";
import { BACKFILL_DAYS, checkinRangeSchema, checkinSchemaFor } from "@/domain/habit_input.ts";
import { addDays } from "@/domain/calendar.ts";

// The check-in schemas are built once per (kind, day) and kept: these pin that the memo
// never hands one habit kind's or one day's rules to another.

Deno.test("checkinSchemaFor: a yes/no habit refuses a value even after the numeric schema of that day was built", () => {
  const today = "2026-11-30";
  const body = { date: today, status: "done", value: 3 };
  assert(checkinSchemaFor({ kind: "numeric" }, today).safeParse(body).success);
  const result = checkinSchemaFor({ kind: "boolean" }, today).safeParse(body);
  assert(!result.success);
  assertEquals(result.error?.issues.map((issue) => issue.path.join(".")), ["value"]);
  assert(checkinSchemaFor({ kind: "numeric" }, today).safeParse(body).success);
});

Deno.test("checkinSchemaFor: each day keeps its own bounds", () => {
  const body = { date: "2026-12-01", status: "done" };
  assert(!checkinSchemaFor({ kind: "numeric" }, "2026-11-30").safeParse(body).success, "a day after today");
  assert(checkinSchemaFor({ kind: "numeric" }, "2026-12-01").safeParse(body).success);
  assert(!checkinSchemaFor({ kind: "numeric" }, "2026-11-30").safeParse(body).success, "still refused");
  const earliest = addDays("2026-11-30", -BACKFILL_DAYS);
  assert(checkinSchemaFor({ kind: "numeric" }, "2026-11-30").safeParse({ ...body, date: earliest }).success);
  assert(!checkinSchemaFor({ kind: "numeric" }, "2026-12-01").safeParse({ ...body, date: earliest }).success);
});

Deno.test("checkinSchemaFor: one schema per kind and day, and the memo stays bounded over many days", () => {
  assert(checkinSchemaFor({ kind: "boolean" }, "2026-01-05") === checkinSchemaFor({ kind: "boolean" }, "2026-01-05"));
  for (let i = 0; i < 200; i++) {
    const today = addDays("2026-01-01", i);
    const schema = checkinSchemaFor({ kind: "boolean" }, today);
    assert(schema.safeParse({ date: today, status: "done" }).success);
    assert(!schema.safeParse({ date: addDays(today, 1), status: "done" }).success);
  }
});

Deno.test("checkinRangeSchema: defaults follow the day it was asked for", () => {
  assertEquals(checkinRangeSchema("2026-11-30").parse({}), { from: "2026-11-01", to: "2026-11-30" });
  assertEquals(checkinRangeSchema("2026-12-31").parse({}), { from: "2026-12-02", to: "2026-12-31" });
  assertEquals(checkinRangeSchema("2026-11-30").parse({}), { from: "2026-11-01", to: "2026-11-30" });
});
