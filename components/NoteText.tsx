/**
 * A check-in's note in a list: short notes whole; a long one cut to
 * {@linkcode NOTE_HISTORY_CHARS} characters with a "Read the whole note" disclosure that
 * works without JavaScript (`<details>`). Text only: Preact escapes it.
 *
 * @example
 * ```tsx
 * <NoteText note={checkin.note} date={checkin.date} />
 * ```
 */
import { NOTE_HISTORY_CHARS, notePreview } from "@/domain/note_text.ts";
import { formatDay } from "@/domain/calendar.ts";

export function NoteText({ note, date }: { note: string; date: string }) {
  const preview = notePreview(note, NOTE_HISTORY_CHARS);
  if (!preview.cut) return <p class="history-note">{note}</p>;
  return (
    <div class="history-note">
      <p>{preview.text}</p>
      <details>
        <summary>
          Read the whole note<span class="visually-hidden">of {formatDay(date)}</span>
        </summary>
        <p>{note}</p>
      </details>
    </div>
  );
}
