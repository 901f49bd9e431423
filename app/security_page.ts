/**
 * The security page's data (`components/AccountSecurity.tsx` draws it): the signed-in
 * user's sessions, this one marked, read for every route its forms post to.
 *
 * @module
 */
import type { FreshContext } from "fresh";
import { listSessions } from "@/db/sessions.ts";
import type { AuthUser } from "@/domain/account_input.ts";
import type { SecurityPageData } from "@/components/AccountSecurity.tsx";
import { currentSessionHash } from "./auth/require_user.ts";
import type { State } from "./state.ts";

/** The page's data for the signed-in user: their sessions (this one marked), and `extra`. */
export async function securityPageData(
  ctx: FreshContext<State>,
  user: AuthUser,
  extra: Partial<SecurityPageData> = {},
): Promise<SecurityPageData> {
  ctx.state.title = "Security";
  const sessions = await listSessions(ctx.state.services.db, user.id, currentSessionHash(ctx));
  return { user, sessions, ...extra };
}
