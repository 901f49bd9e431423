/**
 * The largest import the caps allow (`domain/import_limits.ts`), as Loop's CSV zip: 10
 * habits (what a free plan may have active) × 10,000 days = the 100,000 check-ins cap,
 * each with a note, ~16 MiB inflated (the cap is 20 MiB) in a zip well under the 1 MiB
 * body limit. Used by the isolation test and `bench/import_isolation.ts`.
 *
 * @example
 * ```ts
 * const zip = maxLoopZip("2026-03-04");
 * ```
 */
import { zipSync } from "fflate";
import { IMPORT_ROW_CAPS } from "@/domain/import_limits.ts";

/** Habits in the file. */
export const MAX_IMPORT_HABITS = 10;

/** A Loop export of {@linkcode MAX_IMPORT_HABITS} daily habits, every day done up to `today`, hitting the check-in cap. */
export function maxLoopZip(today: string): Uint8Array<ArrayBuffer> {
  const days = IMPORT_ROW_CAPS.checkins / MAX_IMPORT_HABITS;
  const end = Date.parse(`${today}T00:00:00Z`);
  const note = "Felt good; kept the streak going after a long day at work. ".repeat(3).trim();
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = {
    "Habits.csv": encoder.encode(
      "Position,Name,Question,Description,NumRepetitions,Interval,Color\n" +
        Array.from({ length: MAX_IMPORT_HABITS }, (_, i) => `${i + 1},Habit ${i + 1},,,1,1,#00897B`).join("\n"),
    ),
  };
  for (let h = 0; h < MAX_IMPORT_HABITS; h++) {
    const rows = ["Date,Value,Notes"];
    for (let d = 0; d < days; d++) {
      rows.push(`${new Date(end - d * 86_400_000).toISOString().slice(0, 10)},2,"${note} (${h}-${d})"`);
    }
    files[`${String(h + 1).padStart(3, "0")} Habit ${h + 1}/Checkmarks.csv`] = encoder.encode(rows.join("\n"));
  }
  return zipSync(files, { level: 9 }) as Uint8Array<ArrayBuffer>;
}
