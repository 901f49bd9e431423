import { SecurityPage, type SecurityPageData } from "@/components/AccountSecurity.tsx";
import { securityPageData } from "@/app/security_page.ts";
import { changePassword } from "@/db/passwords.ts";
import { passwordChangeSchema, WRONG_CURRENT_PASSWORD } from "@/domain/account_input.ts";
import { formFailure, parseWithNewPassword } from "@/app/account_form.ts";
import { currentSessionHash, requireUser } from "@/app/auth/require_user.ts";
import { readBody } from "@/lib/body.ts";
import { setFlash } from "@/app/flash.ts";
import { page } from "fresh";
import { define } from "@/app/state.ts";

export const handler = define.handlers({
  /** The form lives on the security page. */
  GET(ctx) {
    return ctx.redirect("/settings/security#password", 303);
  },

  /** Changes the password (this session stays, every other one ends): 303 back, or the form with its problems. */
  async POST(ctx) {
    const user = requireUser(ctx);
    const { data } = await readBody(ctx.req);
    try {
      const input = await parseWithNewPassword(passwordChangeSchema, data, {
        field: "newPassword",
        userInputs: [user.email, user.displayName],
      });
      const ended = await changePassword(ctx.state.services.db, user.id, input, currentSessionHash(ctx));
      if (ended === null) {
        const errors = { currentPassword: WRONG_CURRENT_PASSWORD };
        return page<SecurityPageData>(await securityPageData(ctx, user, { failed: { form: "password", errors } }), {
          status: 400,
        });
      }
      setFlash(ctx, "Password changed. Every other device is signed out.");
      return ctx.redirect("/settings/security", 303);
    } catch (error) {
      const failed = formFailure(error);
      if (!failed) throw error;
      const data = await securityPageData(ctx, user, { failed: { form: "password", errors: failed.errors } });
      return page<SecurityPageData>(data, { status: failed.status });
    }
  },
});

export default define.page<unknown, SecurityPageData>(SecurityPage);
