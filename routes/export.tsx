import { ErrorSummary } from "@/components/form.tsx";
import { type ExportQuota, exportQuota } from "@/db/export.ts";
import { importUserData } from "@/db/import.ts";
import { asRuleViolation, RULE_STATUS } from "@/domain/rules.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { localDay } from "@/domain/calendar.ts";
import { HttpError, page } from "fresh";
import { IMPORT_ROW_CAPS, IMPORT_SIZE_CAPS } from "@/domain/import_limits.ts";
import { readImportRequest } from "@/app/import_request.ts";
import { setFlash } from "@/app/flash.ts";
import { define } from "@/app/state.ts";

interface ExportPage {
  quota: ExportQuota;
  errors?: Record<string, string>;
}

/** "2 habits and 3 check-ins". */
function habitsAndCheckins(habits: number, checkins: number): string {
  return `${habits} ${habits === 1 ? "habit" : "habits"} and ${checkins} ${checkins === 1 ? "check-in" : "check-ins"}`;
}

export const handler = define.handlers({
  async GET(ctx) {
    ctx.state.title = "Export and import";
    const user = requireUser(ctx);
    return page<ExportPage>({ quota: await exportQuota(ctx.state.services.db, user.id) });
  },

  /** The import form (multipart, a `file`): all or nothing, then back here with a count. */
  async POST(ctx) {
    ctx.state.title = "Export and import";
    const user = requireUser(ctx);
    const { db, kv } = ctx.state.services;
    try {
      const data = await readImportRequest(ctx.req, localDay(user.timezone));
      const { habits, checkins, existing } = await importUserData(db, user.id, data, {
        afterRollback: () => invalidateUser(kv, user.id).catch(() => {}),
      });
      const already = existing.habits + existing.checkins > 0
        ? ` ${
          habitsAndCheckins(existing.habits, existing.checkins)
        } were already in your account and were left as they are.`
        : "";
      setFlash(ctx, `Imported ${habitsAndCheckins(habits, checkins)}.${already}`);
      return ctx.redirect("/export", 303);
    } catch (error) {
      const rule = asRuleViolation(error);
      const status = error instanceof HttpError && error.status < 500 ? error.status : rule && RULE_STATUS[rule.kind];
      if (!status) throw error;
      const message = (error as Error).message;
      return page<ExportPage>({ quota: await exportQuota(db, user.id), errors: { file: message } }, { status });
    }
  },
});

/** Export (downloads that count against the monthly quota) and import (a JSON export or Loop's CSV zip). */
export default define.page<typeof handler>(function ExportPage({ data }) {
  const { quota } = data;
  return (
    <section class="narrow export-page">
      <h1>Export and import</h1>
      <section aria-labelledby="export-heading">
        <h2 id="export-heading">Export your data</h2>
        <p>
          Everything in your account: habits, check-ins with notes, goals, reminders and settings. JSON is one document
          you can import back; CSV is a zip of one file per table for spreadsheets (a text cell a spreadsheet could run
          as a formula, one starting with = + - @ or a tab or line break, gets a leading <code>'</code>).
        </p>
        <p class="export-quota">
          {quota.remaining} of {quota.quota} exports left this month (UTC); each download uses one.
        </p>
        {quota.remaining > 0
          ? (
            <p class="export-buttons">
              <a class="button" href="/api/export?format=json" download>Download JSON</a>{" "}
              <a class="button" href="/api/export?format=csv" download>Download CSV (zip)</a>
            </p>
          )
          : (
            <p class="muted">
              They reset on the 1st. <a href="/upgrade">Upgrade</a> for more.
            </p>
          )}
      </section>
      <section aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <p>
          A ConsistencyGrid JSON export, or Loop Habit Tracker's full backup (.db) or CSV export (.zip), as Loop saves
          them. What import does:
        </p>
        <ul class="import-rules">
          <li>
            It adds the habits with their check-ins, the goals with their milestones, subgoals and pins, and the
            reminders in the file to your account. New habits and goals count toward your plan.
          </li>
          <li>
            It never adds anything twice. What is already in your account (found by the ids in the file: your own
            export, or an earlier import of the same file) stays as it is, and only what is missing is added. A habit
            you renamed since the export keeps its new name and gets only the check-ins it lacks; a day you already have
            keeps its own status and note. Importing the same file again changes nothing.
          </li>
          <li>Settings in the file are used only when it comes from another account; yours are never overwritten.</li>
          <li>
            All or nothing: if the file has a problem, nothing is imported and the message names the file and row.
          </li>
          <li>
            Limits: files up to {IMPORT_SIZE_CAPS.inflatedBytes / 1024 / 1024} MiB (a zip may unpack to{" "}
            {IMPORT_SIZE_CAPS.inflatedBytes / 1024 / 1024} MiB), at most {IMPORT_ROW_CAPS.habits} habits and{" "}
            {IMPORT_ROW_CAPS.checkins} check-ins per import, 5 imports a minute.
          </li>
        </ul>
        <h3 id="loop-heading">Coming from Loop Habit Tracker</h3>
        <p>
          In Loop, open <strong>Settings → Export full backup</strong> and upload the <code>.db</code>{" "}
          file it saves (a name like{" "}
          <code>Loop Habits Backup 2026-03-03.db</code>). Backups from every Loop version since 2017 (database versions
          12 to 25) are read. Loop's <strong>Export as CSV</strong>{" "}
          zip works too, but the backup holds more: reminders, and which days you marked yourself.
        </p>
        <ul class="import-rules">
          <li>
            Comes across: every habit in Loop's order, archived ones too, with its colour; yes/no and numeric habits
            with unit and target; days you marked done or skipped, amounts, and every note; each habit's reminder (time
            and weekdays).
          </li>
          <li>
            Frequencies come across as they are: every day, n times per week, n times per month, and others (such as 2
            times in 3 days) as "n times in any d days".
          </li>
          <li>
            Days marked as not done (✗) come across as failed, with their notes; a numeric target keeps whether it is a
            most or a least. Loop's question and description are not imported.
          </li>
          <li>
            Days Loop filled in from the frequency are not imported: the habit's schedule decides them here. A note on
            such a day, or on a day without a mark, comes across on a skipped day, so it is kept without counting as
            done or missed.
          </li>
        </ul>
        <ErrorSummary errors={data.errors} title="Nothing was imported" />
        <form method="post" action="/export" enctype="multipart/form-data">
          <div class={data.errors?.file ? "field field-error" : "field"} id="field-file">
            <label for="import-file">File</label>
            <input
              id="import-file"
              type="file"
              name="file"
              accept=".json,.zip,.db,application/json,application/zip,application/vnd.sqlite3,application/x-sqlite3"
              required
            />
            {data.errors?.file && <p class="field-message">{data.errors.file}</p>}
          </div>
          <div class="form-actions">
            <button type="submit" class="button">Import</button>
          </div>
        </form>
      </section>
    </section>
  );
});
