/**
 * Polls `condition` every 20 ms until it holds; throws naming `what` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitUntil(() => stream.outcomes.length >= 100, 30_000, "100 requests");
 * ```
 */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
