/**
 * A habit's most recent check-ins, newest first, with their notes.
 *
 * @example
 * ```tsx
 * <CheckinHistory habit={habit} checkins={recent} />
 * ```
 */
import type { CheckinStatus } from "@/domain/completion.ts";
import { formatDay } from "@/domain/calendar.ts";
import type { Schedule } from "@/domain/stats.ts";
import { checkinLabel } from "@/domain/grid_days.ts";
import { NoteText } from "./NoteText.tsx";

export interface HistoryCheckin {
  date: string;
  status: CheckinStatus;
  value: number | null;
  note: string | null;
}

export interface CheckinHistoryProps {
  habit: { kind: "boolean" | "numeric"; target: number | null; unit: string | null; schedule: Schedule };
  /** Newest first. */
  checkins: readonly HistoryCheckin[];
}

export function CheckinHistory({ habit, checkins }: CheckinHistoryProps) {
  if (checkins.length === 0) return <p class="muted">No check-ins yet.</p>;
  return (
    <ol class="history">
      {checkins.map((checkin) => (
        <li class={`history-item history-${checkin.status}`}>
          <time dateTime={checkin.date}>{formatDay(checkin.date)}</time>
          <span class="history-status">{checkinLabel(habit, checkin, checkin.date)}</span>
          {checkin.note && <NoteText note={checkin.note} date={checkin.date} />}
        </li>
      ))}
    </ol>
  );
}
