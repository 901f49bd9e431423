import { settingsOf } from "../../../db/accounts.ts";
import { requireUser } from "../../../lib/auth/require_user.ts";
import { define } from "../../../lib/state.ts";

/** The user's settings: `{settings: {displayName, timezone, weekStart, theme, emailReminders}}`. */
export const handler = define.handlers({
  GET(ctx) {
    return Response.json({ settings: settingsOf(requireUser(ctx)) });
  },
});
