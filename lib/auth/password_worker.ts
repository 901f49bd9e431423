/**
 * Worker entry for the password pool in `password.ts`: hashes and verifies off the
 * main thread, one job at a time, so a slow argon2id never stalls the event loop that
 * serves requests.
 *
 * Spoken to only by `password.ts` ({@linkcode WorkerRequest} in,
 * {@linkcode WorkerReply} out).
 */
import { runPasswordJob, type WorkerReply, type WorkerRequest } from "./password.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async ({ data: { id, job } }) => {
  try {
    scope.postMessage({ id, ok: true, value: await runPasswordJob(job) });
  } catch (error) {
    // A malformed stored hash lands here; the caller decides what it means.
    scope.postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) });
  }
};
