import { formProblems } from "@/components/form_problems.ts";
import { ReminderForm, reminderFormErrors } from "@/components/ReminderForm.tsx";
import { listHabits } from "@/db/habits.ts";
import { createReminder, listReminders, type Reminder } from "@/db/reminders.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { weekdayName } from "@/domain/calendar.ts";
import { formatClock, type HourCycle, hourCycleOf } from "@/lib/clock_format.ts";
import { page } from "fresh";
import {
  EMPTY_REMINDER_FORM,
  reminderCreateSchema,
  reminderFormToInput,
  type ReminderFormValues,
  reminderFormValues,
} from "@/domain/reminder_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";

interface RemindersData {
  reminders: Reminder[];
  habits: { id: string; name: string }[];
  values: ReminderFormValues;
  errors?: FieldErrors;
  /** The reader's clock, as their browser's time field shows it. */
  hourCycle: HourCycle;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Reminders";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const [reminders, habits] = await Promise.all([listReminders(db, user.id), listHabits(db, user.id)]);
    const hourCycle = hourCycleOf(ctx.req.headers.get("accept-language"));
    return page<RemindersData>({ reminders, habits, values: EMPTY_REMINDER_FORM, hourCycle });
  },

  /** Creates a reminder from the form; bad fields re-render it with the user's input. */
  async POST(ctx) {
    ctx.state.title = "Reminders";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const { data: form } = await readBody(ctx.req);
    try {
      const reminder = await createReminder(db, user.id, parseInput(reminderCreateSchema, reminderFormToInput(form)));
      setFlash(ctx, `Reminder “${reminder.title}” added for ${reminder.time}.`);
      return ctx.redirect("/reminders", 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      const [reminders, habits] = await Promise.all([listReminders(db, user.id), listHabits(db, user.id)]);
      const hourCycle = hourCycleOf(ctx.req.headers.get("accept-language"));
      const errors = reminderFormErrors(problems.errors);
      return page<RemindersData>(
        { reminders, habits, values: reminderFormValues(form), errors, hourCycle },
        { status: problems.status },
      );
    }
  },
});

function daysLabel(days: Reminder["days"]): string {
  if (days.length === 7) return "Every day";
  return days.map((day) => weekdayName(day, "short")).join(", ");
}

export default define.page<typeof handler, RemindersData>(function Reminders({ data }) {
  const habitName = new Map(data.habits.map((habit) => [habit.id, habit.name]));
  return (
    <section class="narrow reminders">
      <h1>Reminders</h1>
      <p>
        Reminders arrive in <a href="/notifications">your notifications</a> (and by e-mail if you turn that on in{" "}
        <a href="/settings">Settings</a>), at most once a day each.
      </p>
      {data.reminders.length === 0 ? <p class="empty">No reminders yet.</p> : (
        <ul class="reminder-list">
          {data.reminders.map((reminder) => (
            <li class={reminder.enabled ? "reminder" : "reminder reminder-disabled"}>
              <strong>
                <time>{formatClock(reminder.time, data.hourCycle)}</time>
              </strong>{" "}
              {reminder.title}
              <span class="reminder-meta">
                {" · "}
                {daysLabel(reminder.days)}
                {reminder.habitId && habitName.has(reminder.habitId) && <>· {habitName.get(reminder.habitId)}</>}
                {!reminder.enabled && " · off"}
              </span>
              <a href={`/reminders/${reminder.id}/edit`}>Edit</a>
              <form method="post" action={`/reminders/${reminder.id}/edit`} class="inline-form">
                <input type="hidden" name="intent" value="delete" />
                <button type="submit" class="link-button">Delete</button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <h2>New reminder</h2>
      <ReminderForm
        action="/reminders"
        values={data.values}
        errors={data.errors}
        habits={data.habits}
        submitLabel="Add reminder"
      />
    </section>
  );
});
