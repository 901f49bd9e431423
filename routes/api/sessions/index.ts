import { listSessions } from "@/db/sessions.ts";
import { currentSessionHash, requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";

/** The user's live sessions: 200 `{sessions: [{id, createdAt, lastSeenAt, userAgent, current}]}`. */
export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    return Response.json({ sessions: await listSessions(ctx.state.services.db, user.id, currentSessionHash(ctx)) });
  },
});
