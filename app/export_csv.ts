/**
 * The CSV export: a zip of CSV files, one per table of the export document
 * (`domain/export_format.ts`), written by `lib/csv.ts`.
 *
 * @module
 */
import { zipSync } from "fflate";
import { csvTable } from "@/lib/csv.ts";
import type { ExportDocument } from "@/domain/export_format.ts";

/** The CSV files of an export by name, as text (what {@linkcode exportCsvZip} zips). */
export function exportCsvFiles(doc: ExportDocument): Record<string, string> {
  const s = doc.settings;
  return {
    "settings.csv": csvTable(
      ["display_name", "timezone", "week_start", "theme", "email_reminders"],
      [[s.displayName, s.timezone, s.weekStart, s.theme, s.emailReminders]],
    ),
    "habits.csv": csvTable(
      [
        "id",
        "name",
        "color",
        "kind",
        "target",
        "unit",
        "schedule",
        "archived",
        "position",
        "start_date",
        "created_at",
        "tags",
        "direction",
      ],
      doc.habits.map((h) => [
        h.id,
        h.name,
        h.color,
        h.kind,
        h.target,
        h.unit,
        JSON.stringify(h.schedule),
        h.archived,
        h.position,
        h.startDate,
        h.createdAt,
        // A JSON list, like the schedule: a tag may hold any character but a comma or a line break.
        JSON.stringify(h.tags ?? []),
        h.direction,
      ]),
    ),
    "checkins.csv": csvTable(
      ["habit_id", "habit_name", "date", "status", "value", "note"],
      doc.habits.flatMap((h) => h.checkins.map((c) => [h.id, h.name, c.date, c.status, c.value, c.note])),
    ),
    "goals.csv": csvTable(
      ["id", "title", "description", "target_date", "status", "pin_position", "created_at"],
      doc.goals.map((g) => [g.id, g.title, g.description, g.targetDate, g.status, g.pinPosition, g.createdAt]),
    ),
    "milestones.csv": csvTable(
      ["id", "goal_id", "position", "title", "due_date", "done"],
      doc.goals.flatMap((g) => g.milestones.map((m, i) => [m.id, g.id, i, m.title, m.dueDate, m.done])),
    ),
    "subgoals.csv": csvTable(
      ["id", "goal_id", "position", "title", "progress", "done"],
      doc.goals.flatMap((g) => g.subgoals.map((sg, i) => [sg.id, g.id, i, sg.title, sg.progress, sg.done])),
    ),
    "reminders.csv": csvTable(
      ["id", "habit_id", "title", "time", "days", "enabled"],
      doc.reminders.map((r) => [r.id, r.habitId, r.title, r.time, r.days.join(" "), r.enabled]),
    ),
    // An empty habit_id: every habit.
    "pauses.csv": csvTable(
      ["id", "habit_id", "from", "to", "note", "created_at"],
      doc.pauses.map((p) => [p.id, p.habitId, p.from, p.to, p.note, p.createdAt]),
    ),
  };
}

/**
 * The CSV export: a zip (deflated) of `settings.csv`, `habits.csv`, `checkins.csv`,
 * `goals.csv`, `milestones.csv`, `subgoals.csv`, `reminders.csv` and `pauses.csv`. Rows
 * refer to each other by the exported ids (`habit_id`, `goal_id`); reminder `days` are
 * ISO weekdays separated by spaces; a pause without `habit_id` covers every habit.
 *
 * @example
 * ```ts
 * return new Response(exportCsvZip(doc), { headers: { "content-type": "application/zip" } });
 * ```
 */
export function exportCsvZip(doc: ExportDocument): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const files = Object.fromEntries(
    Object.entries(exportCsvFiles(doc)).map(([name, text]) => [name, encoder.encode(text)]),
  );
  return zipSync(files, { level: 6 }) as Uint8Array<ArrayBuffer>;
}
