/**
 * The e-mail that carries a password reset link: plain text, the link on a line of its
 * own, and what to do when the request was not yours. Pure: no I/O, no imports.
 *
 * @example
 * ```ts
 * const { subject, body } = passwordResetEmail("https://grid.example", token);
 * ```
 */

/** Subject and body of the reset e-mail for `token` on the app at `origin`. */
export function passwordResetEmail(origin: string, token: string): { subject: string; body: string } {
  const link = `${origin}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    subject: "Reset your ConsistencyGrid password",
    body: [
      "Someone, hopefully you, asked to reset the password of your ConsistencyGrid account.",
      "",
      "Choose a new password here (the link works once, for one hour):",
      link,
      "",
      "Setting it signs you out everywhere; your habits and API tokens stay as they are.",
      "",
      "If you did not ask, ignore this e-mail: your password stays as it is.",
    ].join("\n"),
  };
}
