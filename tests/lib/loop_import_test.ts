/**
 * lib/loop_import.ts: RFC 4180 parsing, Loop's Habits.csv + Checkmarks.csv mapped to
 * habits and check-ins (the fixture under tests/fixtures/loop is a small Loop export),
 * and bad files refused with the file and row named.
 */
import { zipSync } from "fflate";
import { ImportError } from "../../lib/export_format.ts";
import { parseCsv, parseLoopZip } from "../../lib/loop_import.ts";
import { assert, assertEquals } from "../support/assert.ts";

const FIXTURES = new URL("../fixtures/loop/", import.meta.url);
const encoder = new TextEncoder();

/** The fixture as Loop zips it, with `overrides` replacing or adding files. */
async function loopFixtureZip(overrides: Record<string, string> = {}): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const name of ["Habits.csv", "001 Meditate/Checkmarks.csv", "002 Read then sleep/Checkmarks.csv"]) {
    files[name] = await Deno.readFile(new URL(encodeURI(name), FIXTURES));
  }
  for (const [name, text] of Object.entries(overrides)) files[name] = encoder.encode(text);
  return zipSync(files);
}

function importError(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (error) {
    assert(error instanceof ImportError, `expected an ImportError, got ${error}`);
    return error;
  }
  throw new Error("expected an ImportError, nothing was thrown");
}

Deno.test("parseCsv reads RFC 4180: quotes, doubled quotes, commas and line breaks in cells, CRLF and LF", () => {
  const cases: [string, string[][]][] = [
    ["a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]],
    ["a,b\n1,2", [["a", "b"], ["1", "2"]]],
    ['"x, y","say ""hi""","two\r\nlines"\r\n', [["x, y", 'say "hi"', "two\r\nlines"]]],
    ["\ufeffName\r\n,\r\n", [["Name"], ["", ""]]],
    ["", []],
  ];
  for (const [text, rows] of cases) assertEquals(parseCsv(text, "t.csv"), rows, JSON.stringify(text));
  assertEquals(
    importError(() => parseCsv('a\r\n"open', "t.csv")).message,
    "t.csv row 2: A quoted cell is never closed",
  );
});

Deno.test("parseLoopZip maps the fixture: names, schedules, colors, done/skipped, notes, start dates", async () => {
  const data = parseLoopZip(await loopFixtureZip(), "2026-01-01");
  assertEquals(data.source, "loop");
  assertEquals(data.settings, undefined);
  assertEquals(data.habits, [
    {
      name: "Meditate",
      color: "#ff8f00",
      kind: "boolean",
      target: null,
      unit: null,
      schedule: { type: "daily" },
      archived: false,
      position: 0,
      startDate: "2025-01-01",
      checkins: [
        { date: "2025-01-01", status: "skipped", value: null, note: null },
        { date: "2025-01-03", status: "done", value: null, note: "Calm" },
      ],
    },
    {
      name: "Read, then sleep",
      color: "#00897b",
      kind: "boolean",
      target: null,
      unit: null,
      schedule: { type: "weekly", times: 3 },
      archived: false,
      position: 1,
      startDate: "2025-01-02",
      checkins: [{ date: "2025-01-02", status: "done", value: null, note: null }],
    },
  ]);
});

Deno.test("parseLoopZip: other frequencies, newer column names, numeric habits, habits without entries", () => {
  const habits = "Position,Name,Type,FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Value,Archived?\n" +
    "1,Every other day,0,1,2,#123456,,,false\n1,Pages,1,1,1,red,pages,20,true\n";
  const zip = zipSync({
    "Habits.csv": encoder.encode(habits),
    "002 Pages/Checkmarks.csv": encoder.encode("Date,Value\n2025-05-02,12.5\n2025-05-01,0\n"),
  });
  const [other, pages] = parseLoopZip(zip, "2025-06-01").habits;
  assertEquals(other.schedule, { type: "weekly", times: 4 });
  assertEquals(other.startDate, "2025-06-01");
  assertEquals(other.checkins, []);
  assertEquals(
    { kind: pages.kind, target: pages.target, unit: pages.unit, archived: pages.archived, color: pages.color },
    { kind: "numeric", target: 20, unit: "pages", archived: true, color: "#16a34a" },
  );
  assertEquals(pages.checkins, [{ date: "2025-05-02", status: "done", value: 12.5, note: null }]);

  const headerless = zipSync({
    "Habits.csv": encoder.encode("Name,Description,NumRepetitions,Interval,Color\nOld,,1,1,#ffffff\n"),
    "001 Old/Checkmarks.csv": encoder.encode("2016-03-05,2\n2016-03-04,0\n"),
  });
  assertEquals(parseLoopZip(headerless, "2025-06-01").habits[0].checkins, [
    { date: "2016-03-05", status: "done", value: null, note: null },
  ]);
});

Deno.test("parseLoopZip refuses bad files naming the file and row", async () => {
  const badHabits = await Deno.readTextFile(new URL("bad_Habits.csv", FIXTURES));
  const cases: [Record<string, string>, string][] = [
    [{ "Habits.csv": badHabits }, "Habits.csv row 4: NumRepetitions must be a whole number from 1"],
    [{ "Habits.csv": "Name,Interval\nRead,x\n" }, "Habits.csv row 2: Interval must be a whole number from 1"],
    [{ "Habits.csv": "Position,Colour\n1,#fff\n" }, "Habits.csv row 1: The column Name is missing"],
    [
      { "001 Meditate/Checkmarks.csv": "Date,Value\n2025-01-01,2\n2025-13-01,2\n" },
      "001 Meditate/Checkmarks.csv row 3: Date must be a day as YYYY-MM-DD",
    ],
    [
      { "001 Meditate/Checkmarks.csv": "Date,Value\n2025-01-01,7\n" },
      "001 Meditate/Checkmarks.csv row 2: Value must be 2 (done), 3 (skipped), or 1, 0, -1 (no check-in)",
    ],
    [
      { "001 Meditate/Checkmarks.csv": "Date,Value\n2027-01-01,2\n" },
      "001 Meditate/Checkmarks.csv row 2: Date 2027-01-01 is after today",
    ],
    [{ "009 Ghost/Checkmarks.csv": "Date,Value\n" }, "009 Ghost/Checkmarks.csv: Habits.csv has no habit number 9"],
  ];
  for (const [overrides, message] of cases) {
    const zip = await loopFixtureZip(overrides);
    assertEquals(importError(() => parseLoopZip(zip, "2026-01-01")).message, message);
  }
  assertEquals(
    importError(() => parseLoopZip(encoder.encode("Name\nRead\n"), "2026-01-01")).message,
    "The file: It is not a zip archive: upload Loop's CSV export (.zip) as it is",
  );
  assertEquals(
    importError(() => parseLoopZip(zipSync({ "a.txt": encoder.encode("x") }), "2026-01-01")).message,
    "The zip: Habits.csv is missing: upload Loop's CSV export as it is",
  );
});
