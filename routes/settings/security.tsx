import { SecurityPage, type SecurityPageData } from "@/components/AccountSecurity.tsx";
import { securityPageData } from "@/app/security_page.ts";
import { logOutEverywhere, revokeSession } from "@/db/sessions.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { setFlash } from "@/app/flash.ts";
import { type FreshContext, HttpError, page } from "fresh";
import { define, type State } from "@/app/state.ts";

type Intent = (ctx: FreshContext<State>, form: Record<string, unknown>) => Promise<Response>;

/** The sessions forms, by `intent` (a Map: the client names it). Password and deletion post elsewhere. */
const INTENTS = new Map<string, Intent>([
  ["revoke-session", async (ctx, form) => {
    const user = requireUser(ctx);
    const { db, config } = ctx.state.services;
    const { sessions } = await securityPageData(ctx, user);
    const target = sessions.find((session) => session.id === form.sessionId);
    if (!target) throw new HttpError(404, "No session with that id: it may have ended already");
    await revokeSession(db, user.id, target.id);
    if (!target.current) {
      setFlash(ctx, "That device is signed out.");
      return ctx.redirect("/settings/security#sessions", 303);
    }
    const response = ctx.redirect("/login?done=logged-out", 303);
    response.headers.append("Set-Cookie", clearSessionCookie(config));
    return response;
  }],
  ["logout-all", async (ctx) => {
    const user = requireUser(ctx);
    await logOutEverywhere(ctx.state.services.db, user.id);
    const response = ctx.redirect("/login?done=logged-out-everywhere", 303);
    response.headers.append("Set-Cookie", clearSessionCookie(ctx.state.services.config));
    return response;
  }],
]);

export const handler = define.handlers({
  async GET(ctx) {
    const user = requireUser(ctx);
    return page<SecurityPageData>(await securityPageData(ctx, user));
  },

  /** Ends one session or all of them: 303 back here, or to the log-in page when this one ended. */
  async POST(ctx) {
    requireUser(ctx);
    const { data } = await readBody(ctx.req);
    const intent = INTENTS.get(typeof data.intent === "string" ? data.intent : "");
    if (!intent) throw new HttpError(400, `Unknown form: send intent as one of ${[...INTENTS.keys()].join(", ")}`);
    return await intent(ctx, data);
  },
});

/** Password, sessions, deletion: see components/AccountSecurity.tsx. */
export default define.page<unknown, SecurityPageData>(SecurityPage);
