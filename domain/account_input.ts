/**
 * What a client may send about accounts, as zod schemas shared by the JSON API and the
 * no-JavaScript pages; every bad field is reported at once (`lib/validate.ts`).
 *
 * The rules:
 * - `email`: trimmed, lower-cased, a valid address of at most 254 characters.
 * - `password`: 8–128 characters (code points, not trimmed: spaces count), and not easy
 *   to guess (lib/auth/password_strength.ts: common passwords, patterns, the user's own
 *   e-mail are refused with the estimator's reason) — checked by
 *   {@linkcode parseWithNewPassword} for sign-up, change and reset. Log-in only asks for
 *   one, so it never reveals the policy of an account.
 * - `timezone`: an IANA zone this runtime knows ({@linkcode isValidTimeZone}); at
 *   sign-up it is optional and defaults to `UTC`.
 * - Settings: `displayName` ≤ 80 characters, one line (`""` or `null` clears it);
 *   `weekStart` an ISO weekday 1–7; `theme` `system`, `light` or `dark`;
 *   `emailReminders` a boolean. In JSON every setting is optional (absent = unchanged);
 *   the settings form always sends them all, and its unticked checkbox is absent,
 *   which there means `false` ({@linkcode settingsFormSchema}).
 * - Token `name`: 1–100 characters, one line.
 *
 * @example
 * ```ts
 * const input = parseInput(signupSchema, { email: " Ann@Example.com ", password: "s3cret-pass" });
 * input; // { email: "ann@example.com", password: "s3cret-pass", timezone: "UTC" }
 * ```
 */
import { z } from "zod";
import { isValidTimeZone, type Weekday } from "./calendar.ts";
import { canonicalEmail } from "./email_address.ts";
import { characters, ONE_LINE_CONTROL } from "./text_rules.ts";
import { DISPLAY_NAME_MAX, EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, TOKEN_NAME_MAX } from "./limits.ts";

export type Theme = "system" | "light" | "dark";
export type PlanId = "free" | "pro";

/** The signed-in user, with the settings every page needs. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string | null;
  timezone: string;
  weekStart: Weekday;
  theme: Theme;
  emailReminders: boolean;
  plan: PlanId;
  createdAt: Date;
}

/** One session, as its owner sees it. */
export interface SessionInfo {
  id: string;
  createdAt: Date;
  /** When a request last used it, to a few minutes (db/users.ts: `SESSION_SEEN_PRECISION_MINUTES`). */
  lastSeenAt: Date;
  /** The browser it was started from, as it named itself; null when unknown. */
  userAgent: string | null;
  /** True for the session of the request that asks. */
  current: boolean;
}

export const THEMES: readonly Theme[] = ["system", "light", "dark"];
/** A wrong password where the user confirms who they are (deleting the account). */
export const WRONG_PASSWORD = "This is not your password";
/** A wrong current password when changing it. */
export const WRONG_CURRENT_PASSWORD = "This is not your current password";
/** Password reset needs e-mail: without `SMTP_URL` there is no way to send the link. */
export const RESET_UNAVAILABLE = "Password reset by e-mail is not available on this server: ask its administrator";
/** The one answer to a failed log-in, whether the e-mail or the password was wrong. */
export const LOGIN_FAILED = "Wrong e-mail or password";

/** Every zone a user can pick, `UTC` first (the runtime's list leaves it out). */
export const TIME_ZONES: readonly string[] = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];

const emailSchema = z.string({ error: "Enter your e-mail address" })
  .transform(canonicalEmail)
  .refine((text) => text.length > 0, "Enter your e-mail address")
  .refine((text) => text.length <= EMAIL_MAX, `Use an e-mail address of at most ${EMAIL_MAX} characters`)
  .refine((text) => z.email().safeParse(text).success, "Enter a valid e-mail address, like ann@example.com");

const newPasswordSchema = z.string({ error: "Choose a password" })
  .refine((text) => characters(text) >= PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .refine((text) => characters(text) <= PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`);

const timezoneSchema = z.string({ error: "Choose a timezone from the list" })
  .trim()
  .refine(isValidTimeZone, "Choose a timezone from the list, like Europe/Berlin");

/** `POST /api/auth/signup` and the sign-up form. */
export const signupSchema = z.object({
  email: emailSchema,
  password: newPasswordSchema,
  // A form without JavaScript may send an empty field: that is "no preference" too.
  timezone: z.preprocess((value) => value === "" ? undefined : value, timezoneSchema.default("UTC")),
});
export type SignupInput = z.infer<typeof signupSchema>;

/** A password the user types to prove who they are (not a new one): any non-empty text, bounded. */
function currentPasswordSchema(what: string) {
  return z.string({ error: `Enter ${what}` })
    .refine((text) => text.length > 0, `Enter ${what}`)
    // Far above any valid password; only keeps absurd bodies away from the hasher.
    .refine((text) => text.length <= 4 * PASSWORD_MAX, `Enter ${what}`);
}

/** `POST /api/auth/login` and the log-in form. */
export const loginSchema = z.object({
  // Exactly the spelling the per-e-mail rate limit keys on (app/rate_limit/middleware.ts).
  email: z.string({ error: "Enter your e-mail address" })
    .transform(canonicalEmail)
    .refine((text) => text.length > 0, "Enter your e-mail address")
    .refine((text) => text.length <= EMAIL_MAX, `Use an e-mail address of at most ${EMAIL_MAX} characters`),
  password: currentPasswordSchema("your password"),
});
export type LoginInput = z.infer<typeof loginSchema>;

/** `POST /api/account/password` and the change-password form. */
export const passwordChangeSchema = z.object({
  currentPassword: currentPasswordSchema("your current password"),
  newPassword: newPasswordSchema,
});

/** `DELETE /api/account` and the delete-account form: the password confirms it. */
export const accountDeleteSchema = z.object({
  password: currentPasswordSchema("your password to confirm"),
});

/** `POST /api/auth/password-reset` and the forgot-password form. */
export const passwordResetRequestSchema = z.object({ email: emailSchema });

/** `POST /api/auth/password-reset/confirm` and the reset form: the link's secret and the new password. */
export const passwordResetConfirmSchema = z.object({
  token: z.string({ error: "Open the link from the e-mail again" })
    .regex(/^[A-Za-z0-9_-]{20,100}$/, "This reset link is incomplete: open the link from the e-mail again"),
  newPassword: newPasswordSchema,
});

const displayNameSchema = z.string({ error: "Send the display name as text (or null to clear it)" })
  .trim()
  .refine((text) => characters(text) <= DISPLAY_NAME_MAX, `Use at most ${DISPLAY_NAME_MAX} characters`)
  .refine((text) => !ONE_LINE_CONTROL.test(text), "Remove line breaks and control characters");

/** Forms send numbers as text; JSON sends numbers. Both become a number here. */
const weekStartSchema = z.preprocess(
  (value) => typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value,
  z.number({ error: "Choose the day your week starts on" })
    .int("Choose the day your week starts on")
    .min(1, "Choose a day from Monday (1) to Sunday (7)")
    .max(7, "Choose a day from Monday (1) to Sunday (7)"),
).transform((n) => n as Weekday);

const themeSchema = z.enum(["system", "light", "dark"], { error: "Choose system, light or dark" });

/**
 * `POST /api/settings/save`: any subset of the settings; absent = unchanged.
 * `displayName` `null` or `""` clears it (both come out as `null`).
 */
export const settingsSchema = z.object({
  displayName: displayNameSchema.nullable()
    .transform((text) => text === "" ? null : text)
    .optional(),
  timezone: timezoneSchema.optional(),
  weekStart: weekStartSchema.optional(),
  theme: themeSchema.optional(),
  emailReminders: z.boolean({ error: "Send emailReminders as true or false" }).optional(),
});
export type SettingsInput = z.infer<typeof settingsSchema>;

/**
 * The settings form: every field is on the page, so every setting is saved; the
 * reminders checkbox is absent when unticked, which means off.
 */
export const settingsFormSchema = z.object({
  displayName: z.preprocess((value) => value ?? "", displayNameSchema)
    .transform((text) => text === "" ? null : text),
  timezone: timezoneSchema,
  weekStart: weekStartSchema,
  theme: themeSchema,
  emailReminders: z.preprocess((value) => value !== undefined && value !== "" && value !== "off", z.boolean()),
});

/** `POST /api/tokens` and the new-token form. */
export const tokenNameSchema = z.object({
  name: z.string({ error: "Name the token" })
    .trim()
    .refine((text) => text.length > 0, "Name the token, e.g. “laptop script”")
    .refine((text) => characters(text) <= TOKEN_NAME_MAX, `Use at most ${TOKEN_NAME_MAX} characters`)
    .refine((text) => !ONE_LINE_CONTROL.test(text), "Remove line breaks and control characters"),
});

/** A form field's text for re-rendering it ("" when absent or repeated). */
export function formText(value: unknown): string {
  return typeof value === "string" ? value : "";
}
