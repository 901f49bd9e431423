import { settingsOf } from "@/db/accounts.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";

/** The user's settings: `{settings: {displayName, timezone, weekStart, theme, emailReminders}}`. */
export const handler = define.handlers({
  GET(ctx) {
    return Response.json({ settings: settingsOf(requireUser(ctx)) });
  },
});
