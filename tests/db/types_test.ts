import { equal, throws } from "node:assert/strict";
import { parseInt8, parseTimestamp, PG_TYPES } from "@/db/types.ts";

Deno.test("int8 parses to a number while it is exact", () => {
  equal(parseInt8("0"), 0);
  equal(parseInt8("-42"), -42);
  equal(parseInt8(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  equal(parseInt8(String(Number.MIN_SAFE_INTEGER)), Number.MIN_SAFE_INTEGER);
});

Deno.test("int8 beyond 2^53 throws instead of rounding", () => {
  throws(() => parseInt8("9007199254740993"), /does not fit.*cast it to text/);
  throws(() => parseInt8("-9223372036854775808"), RangeError);
});

Deno.test("timestamp without time zone is read as UTC, whatever TZ the process has", () => {
  equal(
    parseTimestamp("2024-03-31 01:30:00.25").toISOString(),
    "2024-03-31T01:30:00.250Z",
  );
});

Deno.test("dates stay calendar-day strings; a Date as a date parameter is refused", () => {
  equal(PG_TYPES.date.parse("2024-02-29"), "2024-02-29");
  equal(PG_TYPES.date.serialize("2024-02-29"), "2024-02-29");
  throws(() => PG_TYPES.date.serialize(new Date()), /YYYY-MM-DD/);
});
