/**
 * Loop's own test export (its repository's `uhabits-core/assets/test/csv_export`, the
 * zip issue 11 item 9 names), written here with the same habits, days, values and notes
 * (our bytes, not their file), read by lib/loop_import.ts:
 *
 * - into the full habit model (`domain/loop_mapping.ts`): 2 habits, "2 times in 3 days"
 *   as `times_in_days` 2/3, the `NO` day as `failed` with its note "Sick", the notes on
 *   `YES_AUTO` days kept on skips, the `YES_AUTO` day without a note left out;
 * - and as it imports (`app/loop/todays_model.ts`): the same, the failed day and 2/3
 *   included.
 */
import { zipSync } from "fflate";
import { mapLoopHabit, type ModelCheckin } from "@/domain/loop_mapping.ts";
import { parseLoopZip, readLoopZip } from "@/app/loop_import.ts";
import { assertEquals } from "@/tests/support/assert.ts";

const encoder = new TextEncoder();

/** Loop's test export, file by file, as Loop's HabitsCSVExporter writes it. */
function loopTestExport(): Uint8Array {
  const files = {
    "Habits.csv": "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit," +
      "Target Type,Target Value,Archived?\n" +
      "001,Meditate,YES_NO,Did you meditate this morning?,,1,1,#FF8F00,,,,false\n" +
      "002,Wake up early,YES_NO,Did you wake up before 6am?,,2,3,#00897B,,,,false\n",
    "001 Meditate/Checkmarks.csv": "Date,Value,Notes\n",
    "001 Meditate/Scores.csv": "Date,Score\n",
    "002 Wake up early/Checkmarks.csv": "Date,Value,Notes\n" +
      "2015-01-25,YES_MANUAL,\n" +
      "2015-01-24,NO,Sick\n" +
      '2015-01-23,YES_AUTO,"Forgot to do it, really"\n' +
      "2015-01-22,YES_MANUAL,\n" +
      "2015-01-21,YES_MANUAL,\n" +
      "2015-01-20,YES_MANUAL,\n" +
      '2015-01-19,YES_AUTO,"""Vacation"""\n' +
      "2015-01-18,YES_AUTO,\n" +
      "2015-01-17,YES_MANUAL,\n" +
      "2015-01-16,YES_MANUAL,\n",
    "002 Wake up early/Scores.csv": "Date,Score\n2015-01-25,0.2557\n2015-01-16,0.0107\n",
    "Checkmarks.csv": "Date,Meditate,Wake up early,\n2015-01-25,UNKNOWN,YES_MANUAL,\n2015-01-24,UNKNOWN,NO,\n",
    "Scores.csv": "Date,Meditate,Wake up early,\n2015-01-25,0.0000,0.2557,\n",
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, encoder.encode(text)])));
}

const done = (date: string): ModelCheckin => ({ date, status: "done", value: null, note: null });

Deno.test("Loop's test export in the full habit model: failed with its note, notes on derived days, 2 in 3 days", async () => {
  const [meditate, wake] = (await readLoopZip(loopTestExport(), "2026-01-01")).map(mapLoopHabit);
  assertEquals(
    [meditate.name, meditate.color, meditate.schedule, meditate.checkins],
    ["Meditate", "#ff8f00", { type: "daily" }, []],
  );
  assertEquals(meditate.question, "Did you meditate this morning?");
  assertEquals([wake.name, wake.color, wake.kind], ["Wake up early", "#00897b", "boolean"]);
  assertEquals(wake.schedule, { type: "times_in_days", times: 2, days: 3 });
  assertEquals(wake.checkins, [
    done("2015-01-16"),
    done("2015-01-17"),
    // A note on a day Loop derived (YES_AUTO) is kept on a skip: neither done nor missed.
    { date: "2015-01-19", status: "skipped", value: null, note: '"Vacation"' },
    done("2015-01-20"),
    done("2015-01-21"),
    done("2015-01-22"),
    { date: "2015-01-23", status: "skipped", value: null, note: "Forgot to do it, really" },
    { date: "2015-01-24", status: "failed", value: null, note: "Sick" },
    done("2015-01-25"),
  ]);
  // 2015-01-18: YES_AUTO without a note, derived again by the schedule.
  assertEquals(wake.derivedDays, 1);
});

Deno.test("Loop's test export as it imports: 2 habits, the failed day with its note, 2 in 3 days", async () => {
  const { habits } = await parseLoopZip(loopTestExport(), "2026-01-01");
  assertEquals(habits.map((h) => h.name), ["Meditate", "Wake up early"]);
  const wake = habits[1];
  assertEquals(wake.schedule, { type: "times_in_days", times: 2, days: 3 });
  assertEquals(wake.startDate, "2015-01-16");
  assertEquals(wake.checkins.map((c) => [c.date, c.status, c.note]), [
    ["2015-01-16", "done", null],
    ["2015-01-17", "done", null],
    ["2015-01-19", "skipped", '"Vacation"'],
    ["2015-01-20", "done", null],
    ["2015-01-21", "done", null],
    ["2015-01-22", "done", null],
    ["2015-01-23", "skipped", "Forgot to do it, really"],
    ["2015-01-24", "failed", "Sick"],
    ["2015-01-25", "done", null],
  ]);
});

Deno.test("Loop's numeric CSV: values in thousandths, SKIP and UNKNOWN by name, at-most targets", async () => {
  const zip = zipSync({
    "Habits.csv": encoder.encode(
      "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,Unit," +
        "Target Type,Target Value,Archived?\n" +
        "001,Coffee,NUMERICAL,How many cups?,,1,1,#D81B60,cups,AT_MOST,2.0,false\n",
    ),
    "001 Coffee/Checkmarks.csv": encoder.encode(
      "Date,Value,Notes\n2024-03-04,UNKNOWN,\n2024-03-03,SKIP,\n2024-03-02,0,none\n2024-03-01,1500,\n",
    ),
  });
  const [coffee] = (await readLoopZip(zip, "2026-01-01")).map(mapLoopHabit);
  assertEquals([coffee.kind, coffee.target, coffee.unit, coffee.direction], ["numeric", 2, "cups", "at_most"]);
  assertEquals(coffee.checkins, [
    { date: "2024-03-01", status: "done", value: 1.5, note: null },
    { date: "2024-03-02", status: "done", value: 0, note: "none" },
    { date: "2024-03-03", status: "skipped", value: null, note: null },
  ]);
});
