import { importUserData } from "../../db/import.ts";
import { requireUser } from "../../lib/auth/require_user.ts";
import { localDay } from "../../lib/calendar.ts";
import { readImportRequest } from "../../lib/import_request.ts";
import { define } from "../../lib/state.ts";

export const handler = define.handlers({
  /**
   * Imports a JSON export (body, or a `file` upload) or Loop's CSV zip (`file`) into the
   * signed-in account: all or nothing. 201 `{imported: {habits, checkins, settings}}`;
   * 400 naming the bad file and row; 402 when the plan's habits would be exceeded.
   */
  async POST(ctx) {
    const user = requireUser(ctx);
    const data = await readImportRequest(ctx.req, localDay(user.timezone));
    const imported = await importUserData(ctx.state.services.db, user.id, data);
    return Response.json({ imported }, { status: 201 });
  },
});
