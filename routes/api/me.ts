import { accountView } from "../../db/accounts.ts";
import { requireUser } from "../../lib/auth/require_user.ts";
import { define } from "../../lib/state.ts";

/** The signed-in account: `{user: {id, email, displayName, timezone, weekStart, theme, plan, today}}`. */
export const handler = define.handlers({
  GET(ctx) {
    return Response.json({ user: accountView(requireUser(ctx)) });
  },
});
