/**
 * The assertions the tests use. `@std/assert` lives on JSR, which this project cannot
 * reach, so these few are written out here on top of `node:assert`.
 */
import { deepStrictEqual, fail, match, ok } from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (message === undefined) deepStrictEqual(actual, expected);
  else deepStrictEqual(actual, expected, message);
}

export function assert(condition: unknown, message?: string): asserts condition {
  if (message === undefined) ok(condition);
  else ok(condition, message);
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (message === undefined) match(actual, pattern);
  else match(actual, pattern, message);
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    fail(message ?? `Expected to find ${JSON.stringify(expected)} in:\n${actual.slice(0, 2000)}`);
  }
}

/** Awaits `fn` and returns what it threw; fails when it did not throw. */
export async function assertRejects(fn: () => Promise<unknown>, message?: string): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  fail(message ?? "Expected the call to throw");
}
