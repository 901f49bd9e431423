/**
 * How guessable a new password is, estimated by zxcvbn-ts (dictionaries of common
 * passwords, names and English words; keyboard patterns, dates, repeats, l33t). A new
 * password must score at least {@linkcode MIN_PASSWORD_SCORE} (of 0–4: "safely
 * unguessable", under 10^10 guesses is refused), and it must not be built on what the
 * user told us (their e-mail, their name). No composition rules: "password1!" is refused,
 * "correct horse battery staple" is not.
 *
 * The estimate costs 10–100 ms of CPU and the dictionaries some MB, so it runs in the
 * password workers (lib/auth/password.ts), loaded there on first use.
 *
 * @example
 * ```ts
 * const strength = measurePassword("password", ["ann@example.com"]);
 * weakPasswordReason(strength); // "This is a heavily used password. Add more words that are less common."
 * ```
 */
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

/** The lowest zxcvbn score a new password may have. */
export const MIN_PASSWORD_SCORE = 3;

/** What the estimator says about one password. */
export interface PasswordStrength {
  /** 0 (too guessable) to 4 (very unguessable). */
  score: number;
  /** Why it is weak, in a sentence; null when there is nothing specific to say. */
  warning: string | null;
  /** What would make it stronger. */
  suggestions: string[];
}

let zxcvbn: ZxcvbnFactory | undefined;

/** Estimates `password`; `userInputs` (e-mail, name) count as known words. */
export async function measurePassword(password: string, userInputs: readonly string[]): Promise<PasswordStrength> {
  // Loaded on the first password checked, not at start: the dictionaries are ~45 MB of
  // an instance's memory that only sign-up and password changes need.
  if (!zxcvbn) {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-en"),
    ]);
    zxcvbn ??= new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  }
  // An e-mail's parts are words a guesser would try: "ann.smith@example.com" → ann, smith, example.
  const words = userInputs.flatMap((input) => [input, ...input.split(/[^\p{L}\p{N}]+/u)]).filter((w) => w.length >= 3);
  const { score, feedback } = await zxcvbn.check(password, words);
  return { score, warning: feedback.warning ?? null, suggestions: feedback.suggestions ?? [] };
}

/** The reason to refuse a password of this strength, for its field; undefined when it is strong enough. */
export function weakPasswordReason(strength: PasswordStrength): string | undefined {
  if (strength.score >= MIN_PASSWORD_SCORE) return undefined;
  const advice = strength.suggestions[0] ?? "Add another word or two.";
  return strength.warning ? `${strength.warning} ${advice}` : `This password is too easy to guess. ${advice}`;
}
