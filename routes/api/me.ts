import { accountView } from "@/db/accounts.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";

/** The signed-in account: `{user: {id, email, displayName, timezone, weekStart, theme, plan, today}}`. */
export const handler = define.handlers({
  GET(ctx) {
    return Response.json({ user: accountView(requireUser(ctx)) });
  },
});
