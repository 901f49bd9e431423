/**
 * Loop Habit Tracker's full backup (`.db`) → {@linkcode ImportData}: read by
 * `app/loop/backup_reader.ts` within the import's caps (`lib/import_limits.ts`: the file
 * up to the inflated-size cap, habits and entries up to the row caps), mapped by
 * `domain/loop_mapping.ts`, fitted to the model by `app/loop/todays_model.ts`,
 * and checked against the rules every import follows (names 1–100 characters without
 * control characters, notes up to 500, no day after the user's today). Any problem is an
 * {@linkcode ImportError} naming the habit (and day), and nothing is written.
 *
 * What comes across: every habit in Loop's order (active and archived), its colour,
 * yes/no or numeric with unit and target, its frequency, its reminder (a reminder of the
 * habit, at the same time on the same days: one that fires on no day comes across turned
 * off, on every day), and its days as the mapping says. Loop's question and description
 * have no place in the model yet, and are not imported.
 *
 * Ids: a backup from version 24 on gives each habit Loop's own id, so importing a later
 * backup of the same phone finds the habits imported before even when renamed; older
 * backups match by name and place among habits of that name, as the CSV import does (so
 * a CSV import and a backup import of the same habits find each other).
 *
 * @example
 * ```ts
 * const data = await parseLoopBackup(bytes, localDay(user.timezone));
 * await importUserData(db, user.id, data); // db/import.ts
 * ```
 */
import { mapLoopHabit } from "@/domain/loop_mapping.ts";
import { isValidDate } from "@/domain/calendar.ts";
import { cleanImportedText, derivedSourceId, type ImportData, ImportError } from "@/domain/import_data.ts";
import { IMPORT_ROW_CAPS, IMPORT_SIZE_CAPS, RowCaps } from "@/domain/import_limits.ts";
import { type LoopBackupCaps, readLoopBackup } from "./backup_reader.ts";
import { importHabitOf } from "./todays_model.ts";
import { CHECKIN_NOTE_MAX, HABIT_NAME_MAX } from "@/domain/limits.ts";
import { characters, NOTE_CONTROL, ONE_LINE_CONTROL } from "@/domain/text_rules.ts";

/** The caps a backup is read within: a `.db` is not compressed, so it may be as big as a zip may inflate to. */
export const LOOP_BACKUP_CAPS: LoopBackupCaps = {
  fileBytes: IMPORT_SIZE_CAPS.inflatedBytes,
  habits: IMPORT_ROW_CAPS.habits,
  entries: IMPORT_ROW_CAPS.checkins,
};

const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

/**
 * A Loop backup's bytes → what to import; throws an {@linkcode ImportError} (400, or 413
 * over the size cap) naming what is wrong.
 *
 * @example
 * ```ts
 * const { habits, reminders } = await parseLoopBackup(bytes, "2026-03-03");
 * ```
 */
export async function parseLoopBackup(
  bytes: Uint8Array,
  today: string,
  caps: LoopBackupCaps = LOOP_BACKUP_CAPS,
): Promise<ImportData> {
  const backup = await readLoopBackup(bytes, caps);
  const rows = new RowCaps();
  const sameName = new Map<string, number>();
  const data: ImportData = { source: "loop", goals: [], reminders: [], habits: [] };
  for (const [i, loopHabit] of backup.habits.entries()) {
    const where = `Habit ${i + 1} of the backup`;
    const name = cleanImportedText(loopHabit.name);
    if (!name) throw new ImportError(where, "Its name is empty");
    const named = `${where} ("${[...name].slice(0, 40).join("")}")`;
    if (characters(name) > HABIT_NAME_MAX) {
      throw new ImportError(
        named,
        `Its name is over ${HABIT_NAME_MAX} characters: shorten it in Loop, then back up again`,
      );
    }
    if (ONE_LINE_CONTROL.test(name)) throw new ImportError(named, "Its name has line breaks or control characters");
    rows.add("habits", named);

    const key = name.toLowerCase();
    const occurrence = (sameName.get(key) ?? 0) + 1;
    sameName.set(key, occurrence);
    const sourceId = await derivedSourceId(
      loopHabit.uuid ? `loop:uuid:${loopHabit.uuid.toLowerCase()}` : `loop:habit:${key}#${occurrence}`,
    );
    const model = mapLoopHabit({ ...loopHabit, name });
    const habit = importHabitOf(model, {
      sourceId,
      // Loop's order, as the list shows it (positions may repeat or skip).
      position: i,
      // The oldest day Loop has anything on (a derived or noted day too), else today.
      startDate: loopHabit.entries[0] && loopHabit.entries[0].date < today ? loopHabit.entries[0].date : today,
    });
    for (const checkin of habit.checkins) {
      const day = `${named}, ${checkin.date}`;
      if (!isValidDate(checkin.date) || checkin.date > today) {
        throw new ImportError(day, `The day ${checkin.date} is after your today (${today})`);
      }
      if (checkin.note !== null && [...checkin.note].length > CHECKIN_NOTE_MAX) {
        throw new ImportError(day, `Its note is over ${CHECKIN_NOTE_MAX} characters`);
      }
      if (checkin.note !== null && NOTE_CONTROL.test(checkin.note)) {
        throw new ImportError(day, "Its note has control characters");
      }
    }
    rows.add("checkins", named, habit.checkins.length);
    data.habits.push(habit);

    if (model.reminder) {
      rows.add("reminders", named);
      const fires = model.reminder.days.length > 0;
      data.reminders.push({
        sourceId: await derivedSourceId(`${sourceId}:reminder`),
        habitIndex: data.habits.length - 1,
        title: name,
        time: model.reminder.time,
        days: fires ? model.reminder.days : EVERY_DAY,
        enabled: fires,
      });
    }
  }
  return data;
}
