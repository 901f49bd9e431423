/**
 * app/loop_import.ts: Loop's Habits.csv + Checkmarks.csv mapped to habits and check-ins
 * (the fixture under tests/fixtures/loop is a small Loop export), bad files refused with
 * the file and row named, caps refused after reading just past them, and ids derived
 * from names so the same export imports to the same habits.
 */
import { deflateSync, zipSync } from "fflate";
import { ImportError } from "@/domain/import_data.ts";
import { parseLoopZip } from "@/app/loop_import.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { craftZip } from "@/tests/support/crafted_zip.ts";

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

async function importError(fn: () => Promise<unknown>): Promise<ImportError> {
  try {
    await fn();
  } catch (error) {
    assert(error instanceof ImportError, `expected an ImportError, got ${error}`);
    return error;
  }
  throw new Error("expected an ImportError, nothing was thrown");
}

Deno.test("parseLoopZip maps the fixture: names, schedules, colors, done/skipped, notes, start dates", async () => {
  const data = await parseLoopZip(await loopFixtureZip(), "2026-01-01");
  assertEquals(data.source, "loop");
  assertEquals(data.settings, undefined);
  const sourceIds = data.habits.map((h) => h.sourceId);
  assertEquals(data.habits.map((h) => ({ ...h, sourceId: null })), [
    {
      sourceId: null,
      name: "Meditate",
      color: "#ff8f00",
      kind: "boolean",
      target: null,
      unit: null,
      schedule: { type: "daily" },
      archived: false,
      position: 0,
      // The oldest day in the file (a NO day: the habit was there), not the oldest check-in.
      startDate: "2024-12-30",
      checkins: [
        // Loop's NO (0): a failed day.
        { date: "2024-12-30", status: "failed", value: null, note: null },
        { date: "2025-01-01", status: "skipped", value: null, note: null },
        { date: "2025-01-03", status: "done", value: null, note: "Calm" },
      ],
    },
    {
      sourceId: null,
      name: "Read, then sleep",
      color: "#00897b",
      kind: "boolean",
      target: null,
      unit: null,
      schedule: { type: "weekly", times: 3 },
      archived: false,
      position: 1,
      startDate: "2025-01-01",
      checkins: [{ date: "2025-01-02", status: "done", value: null, note: null }],
    },
  ]);
  // Ids derived from the names: the same export gives the same ids, another name another.
  assertEquals((await parseLoopZip(await loopFixtureZip(), "2026-01-01")).habits.map((h) => h.sourceId), sourceIds);
  assert(sourceIds.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id!)));
  assert(sourceIds[0] !== sourceIds[1]);
});

Deno.test("parseLoopZip: other frequencies, newer column names, numeric habits, habits without entries", async () => {
  const habits = "Position,Name,Type,FrequencyNumerator,FrequencyDenominator,Color,Unit,Target Value,Archived?\n" +
    "1,Every other day,0,1,2,#123456,,,false\n1,Pages,1,1,1,red,pages,20,true\n";
  const zip = zipSync({
    "Habits.csv": encoder.encode(habits),
    "002 Pages/Checkmarks.csv": encoder.encode("Date,Value\n2025-05-02,12.5\n2025-05-01,0\n"),
  });
  const [other, pages] = (await parseLoopZip(zip, "2025-06-01")).habits;
  assertEquals(other.schedule, { type: "times_in_days", times: 1, days: 2 });
  assertEquals(other.startDate, "2025-06-01");
  assertEquals(other.checkins, []);
  assertEquals(
    { kind: pages.kind, target: pages.target, unit: pages.unit, archived: pages.archived, color: pages.color },
    { kind: "numeric", target: 20, unit: "pages", archived: true, color: "#16a34a" },
  );
  // A hand-made file (Type 1): amounts as written; 0 is an amount too (for an at-most habit, the best day).
  assertEquals(pages.checkins, [
    { date: "2025-05-01", status: "done", value: 0, note: null },
    { date: "2025-05-02", status: "done", value: 12.5, note: null },
  ]);

  const headerless = zipSync({
    "Habits.csv": encoder.encode("Name,Description,NumRepetitions,Interval,Color\nOld,,1,1,#ffffff\n"),
    "001 Old/Checkmarks.csv": encoder.encode("2016-03-05,2\n2016-03-04,0\n"),
  });
  assertEquals((await parseLoopZip(headerless, "2025-06-01")).habits[0].checkins, [
    { date: "2016-03-04", status: "failed", value: null, note: null },
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
      "001 Meditate/Checkmarks.csv row 2: Value must be YES_MANUAL or 2 (done), SKIP or 3 (skipped), " +
      "NO or 0 (not done), YES_AUTO or 1, UNKNOWN or -1",
    ],
    [
      { "001 Meditate/Checkmarks.csv": "Date,Value\n2027-01-01,2\n" },
      "001 Meditate/Checkmarks.csv row 2: Date 2027-01-01 is after today",
    ],
    [{ "009 Ghost/Checkmarks.csv": "Date,Value\n" }, "009 Ghost/Checkmarks.csv: Habits.csv has no habit number 9"],
  ];
  for (const [overrides, message] of cases) {
    const zip = await loopFixtureZip(overrides);
    assertEquals((await importError(() => parseLoopZip(zip, "2026-01-01"))).message, message);
  }
  assertEquals(
    (await importError(() => parseLoopZip(encoder.encode("Name\nRead\n"), "2026-01-01"))).message,
    "The file: It is not a zip archive: upload Loop's CSV export (.zip) as it is",
  );
  assertEquals(
    (await importError(() => parseLoopZip(zipSync({ "a.txt": encoder.encode("x") }), "2026-01-01"))).message,
    "The zip: Habits.csv is missing: upload Loop's CSV export as it is",
  );
});

Deno.test("the issue's reproduction: a 1,000,000-row Habits.csv in a few KiB is refused at the cap, quickly", async () => {
  const zip = zipSync({ "Habits.csv": encoder.encode("Name\n" + "Read\n".repeat(1_000_000)) }, { level: 9 });
  assert(zip.length < 8 * 1024, `${zip.length} bytes`);
  const started = performance.now();
  const error = await importError(() => parseLoopZip(zip, "2026-01-01"));
  assertEquals([error.status, error.message], [
    400,
    "Habits.csv: An import takes at most 2000 habits: split it, or remove some",
  ]);
  // Not a timing assertion on the app: a sanity check that the cap stopped the reading
  // (reading the whole file takes seconds here; stopping at row 2001 takes milliseconds).
  assert(performance.now() - started < 5_000, `${performance.now() - started} ms`);
});

Deno.test("caps across files: check-ins in all Checkmarks.csv together, rows of one file", async () => {
  const days = (n: number, value = "2") =>
    "Date,Value\n" +
    Array.from({ length: n }, (_, i) =>
      `${new Date(Date.UTC(1950, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${value}`)
      .join("\n");
  const zip = zipSync({
    "Habits.csv": encoder.encode("Name\nA\nB\nC\n"),
    "001 A/Checkmarks.csv": encoder.encode(days(36_000)),
    "002 B/Checkmarks.csv": encoder.encode(days(36_000)),
    "003 C/Checkmarks.csv": encoder.encode(days(36_000)),
  });
  const error = await importError(() => parseLoopZip(zip, "2049-01-01"));
  assertEquals(error.status, 400);
  assertMatch(error.message, /^003 C\/Checkmarks\.csv row \d+: An import takes at most 100000 check-ins/);
  // Rows that are no check-in still count as rows of their file.
  const rows = zipSync({
    "Habits.csv": encoder.encode("Name\nA\n"),
    "001 A/Checkmarks.csv": encoder.encode(days(40_000, "0")),
  });
  assertEquals(
    (await importError(() => parseLoopZip(rows, "2100-01-01"))).message,
    "001 A/Checkmarks.csv: An import takes at most 40000 rows: split it, or remove some",
  );
});

Deno.test("size caps through the Loop reader: 413 naming the entry; a bomb listing one entry 10 times", async () => {
  const big = zipSync({
    "Habits.csv": encoder.encode("Name\nRead\n"),
    "001 Read/Checkmarks.csv": new Uint8Array(11 << 20),
  });
  const error = await importError(() => parseLoopZip(big, "2026-01-01"));
  assertEquals(error.status, 413);
  assertMatch(
    error.message,
    /^001 Read\/Checkmarks\.csv: It inflates to 11\.0 MiB; an import takes files up to 10 MiB/,
  );

  const data = deflateSync(new Uint8Array(100_000_000));
  const bomb = craftZip(
    [{ name: "Habits.csv", data, size: 100_000_000 }],
    ([local]) => Array.from({ length: 10 }, (_, i) => ({ name: `00${i} x/Checkmarks.csv`, local })),
  );
  assertEquals((await importError(() => parseLoopZip(bomb, "2026-01-01"))).status, 413);
});

Deno.test("text: leading whitespace and control characters dropped from names and notes; NUL inside refused", async () => {
  const zip = await loopFixtureZip({
    "Habits.csv": 'Name,Interval\n"\t\u200b  Meditate",1\n"\r\n=Read",1\n',
    "001 Meditate/Checkmarks.csv": 'Date,Value,Notes\n2025-01-03,2,"\t=1+1"\n2025-01-02,2,"\u0001\u0007@cmd"\n',
  });
  const { habits } = await parseLoopZip(zip, "2026-01-01");
  assertEquals(habits.map((h) => h.name), ["Meditate", "=Read"]);
  assertEquals(habits[0].checkins.map((c) => c.note), ["@cmd", "=1+1"]);
  const nul = await loopFixtureZip({ "001 Meditate/Checkmarks.csv": "Date,Value,Notes\n2025-01-03,2,ok\u0000no\n" });
  assertEquals(
    (await importError(() => parseLoopZip(nul, "2026-01-01"))).message,
    "001 Meditate/Checkmarks.csv row 2: Notes has control characters",
  );
});
