import { importUserData } from "@/db/import.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { invalidateUser } from "@/app/cache/invalidate.ts";
import { localDay } from "@/domain/calendar.ts";
import { readImportRequest } from "@/app/import_request.ts";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /**
   * Imports a JSON export (body, or a `file` upload) or Loop's CSV zip (`file`) into the
   * signed-in account: all or nothing, adding only what the account does not already
   * have (db/import.ts). 201 `{imported: {habits, checkins, goals, milestones, subgoals,
   * reminders, settings, existing: {...}}}`; 400 naming the bad file and row, or the row
   * cap; 413 naming the file and the size cap; 402 over the plan's habits or goals; 409
   * while another import of the user runs. 5 per minute per user.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { db, kv } = ctx.state.services;
    const data = await readImportRequest(ctx.req, localDay(user.timezone));
    const imported = await importUserData(db, user.id, data, {
      afterRollback: () => invalidateUser(kv, user.id).catch(() => {}),
    });
    return Response.json({ imported }, { status: 201 });
  },
});
