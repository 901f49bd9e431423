import { formProblems } from "@/components/form_problems.ts";
import { ReminderForm, reminderFormErrors } from "@/components/ReminderForm.tsx";
import { listHabits } from "@/db/habits.ts";
import { deleteReminder, getReminder, updateReminder } from "@/db/reminders.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { HttpError, page } from "fresh";
import {
  reminderFormToInput,
  type ReminderFormValues,
  reminderFormValues,
  reminderUpdateSchema,
} from "@/domain/reminder_input.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";
import { type FieldErrors, parseInput } from "@/lib/validate.ts";

/** Another user's reminder, an unknown id and a malformed one all read the same. */
const NOT_FOUND = "No reminder with that id";

interface EditReminderData {
  id: string;
  habits: { id: string; name: string }[];
  values: ReminderFormValues;
  errors?: FieldErrors;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Edit reminder";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const reminder = await getReminder(db, user.id, ctx.params.id);
    if (!reminder) throw new HttpError(404, NOT_FOUND);
    const values: ReminderFormValues = {
      title: reminder.title,
      time: reminder.time,
      days: reminder.days,
      habitId: reminder.habitId ?? "",
      enabled: reminder.enabled,
    };
    return page<EditReminderData>({ id: reminder.id, habits: await listHabits(db, user.id), values });
  },

  /** Saves the form, or deletes the reminder for `intent=delete` (the list's Delete button). */
  async POST(ctx) {
    ctx.state.title = "Edit reminder";
    const user = requireUser(ctx);
    const { db } = ctx.state.services;
    const { data: form } = await readBody(ctx.req);
    if (form.intent === "delete") {
      const reminder = await getReminder(db, user.id, ctx.params.id);
      if (!reminder || !(await deleteReminder(db, user.id, reminder.id))) throw new HttpError(404, NOT_FOUND);
      setFlash(ctx, `Reminder “${reminder.title}” deleted.`);
      return ctx.redirect("/reminders", 303);
    }
    try {
      const patch = parseInput(reminderUpdateSchema, reminderFormToInput(form));
      const reminder = await updateReminder(db, user.id, ctx.params.id, patch);
      if (!reminder) throw new HttpError(404, NOT_FOUND);
      setFlash(ctx, `Reminder “${reminder.title}” saved.`);
      return ctx.redirect("/reminders", 303);
    } catch (error) {
      const problems = formProblems(error);
      if (!problems) throw error;
      // Bad input for someone else's reminder is still a 404.
      if (!(await getReminder(db, user.id, ctx.params.id))) throw new HttpError(404, NOT_FOUND);
      return page<EditReminderData>({
        id: ctx.params.id,
        habits: await listHabits(db, user.id),
        values: reminderFormValues(form),
        errors: reminderFormErrors(problems.errors),
      }, { status: problems.status });
    }
  },
});

export default define.page<typeof handler, EditReminderData>(function EditReminder({ data }) {
  return (
    <section class="narrow">
      <p class="breadcrumb">
        <a href="/reminders">Reminders</a>
      </p>
      <h1>Edit reminder</h1>
      <ReminderForm
        action={`/reminders/${data.id}/edit`}
        values={data.values}
        errors={data.errors}
        habits={data.habits}
        submitLabel="Save reminder"
        cancelHref="/reminders"
      />
    </section>
  );
});
