import { SecurityPage, type SecurityPageData } from "@/components/AccountSecurity.tsx";
import { securityPageData } from "@/app/security_page.ts";
import { accountDeleteSchema, WRONG_PASSWORD } from "@/domain/account_input.ts";
import { formFailure } from "@/app/account_form.ts";
import { deleteOwnAccount } from "@/app/account_erasure.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { clearSessionCookie } from "@/lib/auth/session_cookie.ts";
import { readBody } from "@/lib/body.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";

export const handler = define.handlers({
  /** The form lives on the security page. */
  GET(ctx) {
    return ctx.redirect("/settings/security#delete", 303);
  },

  /** Deletes the account (confirmed with the password): 303 to the log-in page, signed out; or the form with its problem. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    try {
      const { password } = parseInput(accountDeleteSchema, data);
      if (!await deleteOwnAccount(ctx, password)) {
        const errors = { password: WRONG_PASSWORD };
        return page<SecurityPageData>(await securityPageData(ctx, user, { failed: { form: "delete", errors } }), {
          status: 400,
        });
      }
      const response = ctx.redirect("/login?done=deleted", 303);
      response.headers.append("Set-Cookie", clearSessionCookie(ctx.state.services.config));
      return response;
    } catch (error) {
      const failed = formFailure(error);
      if (!failed) throw error;
      const data = await securityPageData(ctx, user, { failed: { form: "delete", errors: failed.errors } });
      return page<SecurityPageData>(data, { status: failed.status });
    }
  },
});

export default define.page<unknown, SecurityPageData>(SecurityPage);
