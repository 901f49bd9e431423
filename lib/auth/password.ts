/**
 * Password hashing: argon2id (OWASP's minimum: m = 19 MiB, t = 2, p = 1) with
 * `hash-wasm`, which is WebAssembly (no FFI), so it runs anywhere Deno does,
 * Deno Deploy included.
 *
 * One hash costs tens of milliseconds of CPU. Run on the main thread that would stall
 * every other request, so hashes run in a small pool of Web Workers
 * (`password_worker.ts`), one job per worker at a time, the rest queued. Where
 * `Worker` is missing or cannot start (some Deno Deploy runtimes), hashing falls back
 * to the main thread: slower under load, still correct.
 *
 * Log-in must answer an unknown e-mail exactly as a wrong password, in the same time:
 * {@linkcode verifyPassword} with `null` checks against {@linkcode DUMMY_HASH}, which
 * costs the same as a real account's hash.
 *
 * @example
 * ```ts
 * const hash = await hashPassword("correct horse battery");
 * await verifyPassword(hash, "correct horse battery"); // true
 * await verifyPassword(null, "anything"); // false, after one full verification
 * ```
 */
import { argon2id, argon2Verify } from "hash-wasm";
import { log } from "@/lib/log.ts";
import type { PasswordStrength } from "./password_strength.ts";

/** argon2id parameters for new hashes (memory in KiB). */
export const ARGON2_PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32, saltLength: 16 };

/**
 * A hash of a random password nobody kept, with {@linkcode ARGON2_PARAMS}: what an
 * unknown e-mail's password is checked against, so that it costs one verification too.
 */
export const DUMMY_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$hZsU7B/Rkq69vaUMKmBRRA$/emiZWcs+6YDl/ygJLKoPL/9Mo3u2kP0FJB57X1sOWU";

/** Workers in the pool: enough to overlap two log-ins, small enough to keep memory low (~20 MiB each). */
const POOL_SIZE = 2;
/**
 * A worker with nothing to do for this long is stopped; the next hash starts a new one
 * (which costs the main thread ~10-20 ms once, hence not sooner).
 */
const IDLE_MS = 5 * 60_000;

/** Hashes `password` into an encoded PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return pool.run({ op: "hash", password }) as Promise<string>;
}

/**
 * True when `password` matches `hash`. `hash` null (no such account), not an argon2
 * string (an account that cannot log in) or an empty password check against
 * {@linkcode DUMMY_HASH} and answer false, taking as long as a real check.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  const usable = hash !== null && hash.startsWith("$argon2") && password !== "";
  // hash-wasm refuses an empty password; a stand-in keeps the cost of a check.
  const job = { op: "verify", hash: usable ? hash : DUMMY_HASH, password: password || "(empty)" } as const;
  verifications++;
  const matches = await pool.run(job) as boolean;
  return usable && matches;
}

let verifications = 0;

/**
 * How many argon2 verifications this process has run: log-in for an unknown e-mail
 * must cost one just like a wrong password does (tests compare the counts, not times).
 */
export function passwordVerificationCount(): number {
  return verifications;
}

/**
 * How guessable a new password is (zxcvbn, lib/auth/password_strength.ts), measured in the
 * pool like a hash: the estimate can take 100 ms of CPU on a long password.
 */
export async function passwordStrength(password: string, userInputs: readonly string[]): Promise<PasswordStrength> {
  return await pool.run({ op: "strength", password, userInputs: [...userInputs] }) as PasswordStrength;
}

/** Stops the pool's workers (graceful shutdown, tests); the next hash starts them again. */
export function closePasswordWorkers(): void {
  pool.close();
}

/** Where hashes run: `"worker"`, or `"main-thread"` when workers are unavailable. */
export function passwordHashingMode(): "worker" | "main-thread" {
  return pool.mainThread ? "main-thread" : "worker";
}

// ---------------------------------------------------------------------------
// The hashing itself, used by the worker and by the main-thread fallback.

/** One unit of work for the pool. */
export type PasswordJob =
  | { op: "hash"; password: string }
  | { op: "verify"; hash: string; password: string }
  | { op: "strength"; password: string; userInputs: string[] };

/** What a job answers: a hash, a match, or a strength estimate. */
export type PasswordJobResult = string | boolean | PasswordStrength;

/** Runs `job` on the current thread (what the worker calls). */
export async function runPasswordJob(job: PasswordJob): Promise<PasswordJobResult> {
  // The same password typed on another system may arrive composed differently.
  const password = job.password.normalize("NFC");
  if (job.op === "verify") return await argon2Verify({ password, hash: job.hash });
  if (job.op === "strength") {
    // Loaded on first use: the dictionaries are large, and only new passwords need them.
    const { measurePassword } = await import("./password_strength.ts");
    return await measurePassword(password, job.userInputs);
  }
  const { memorySize, iterations, parallelism, hashLength, saltLength } = ARGON2_PARAMS;
  return await argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(saltLength)),
    memorySize,
    iterations,
    parallelism,
    hashLength,
    outputType: "encoded",
  });
}

/** Messages between the pool and a worker. */
export type WorkerRequest = { id: number; job: PasswordJob };
export type WorkerReply = { id: number; ok: true; value: PasswordJobResult } | {
  id: number;
  ok: false;
  message: string;
};

// ---------------------------------------------------------------------------
// The pool.

interface Pending {
  job: PasswordJob;
  resolve(value: PasswordJobResult): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  /** True once the worker has answered: a worker that fails before that cannot start here at all. */
  answered: boolean;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

class PasswordPool {
  mainThread = typeof Worker === "undefined";
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #nextId = 0;

  run(job: PasswordJob): Promise<PasswordJobResult> {
    if (this.mainThread) return runPasswordJob(job);
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  close(): void {
    for (const slot of this.#slots) this.#stop(slot);
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.current === null) ?? this.#start();
      if (!slot) return; // all busy: the next reply dispatches again
      const pending = this.#queue.shift()!;
      clearTimeout(slot.idleTimer);
      slot.current = pending;
      slot.worker.postMessage({ id: ++this.#nextId, job: pending.job } satisfies WorkerRequest);
    }
  }

  #start(): Slot | undefined {
    if (this.mainThread || this.#slots.length >= POOL_SIZE) return undefined;
    let worker: Worker;
    try {
      worker = new Worker(new URL("./password_worker.ts", import.meta.url), { type: "module" });
    } catch (error) {
      this.#fallBack(error);
      return undefined;
    }
    const slot: Slot = { worker, current: null, answered: false, idleTimer: undefined };
    worker.onmessage = (event: MessageEvent<WorkerReply>) => this.#reply(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault(); // handled here; otherwise the error would end the process
      this.#crash(slot, new Error(`password worker failed: ${event.message}`));
    };
    worker.onmessageerror = () => this.#crash(slot, new Error("password worker sent an unreadable message"));
    this.#slots.push(slot);
    return slot;
  }

  #reply(slot: Slot, reply: WorkerReply): void {
    const pending = slot.current;
    slot.current = null;
    slot.answered = true;
    if (pending) {
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.message));
    }
    if (this.#queue.length > 0) return this.#dispatch();
    const timer = setTimeout(() => this.#stop(slot), IDLE_MS);
    // An idle worker must not keep a finished process (or a test) alive through this timer.
    Deno.unrefTimer(timer);
    slot.idleTimer = timer;
  }

  #crash(slot: Slot, error: Error): void {
    const pending = slot.current;
    const neverAnswered = !slot.answered;
    slot.current = null;
    this.#stop(slot);
    if (neverAnswered) {
      // The worker could not even load: this runtime cannot run ours. Hash here instead.
      this.#fallBack(error);
      if (pending) runPasswordJob(pending.job).then(pending.resolve, pending.reject);
      return;
    }
    pending?.reject(error);
    this.#dispatch();
  }

  #fallBack(error: unknown): void {
    if (this.mainThread) return;
    this.mainThread = true;
    log.warn("password.workers_unavailable", {
      error: error instanceof Error ? error.message : String(error),
      note: "hashing passwords on the main thread",
    });
    const queued = this.#queue.splice(0);
    for (const pending of queued) runPasswordJob(pending.job).then(pending.resolve, pending.reject);
  }

  #stop(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.worker.terminate();
    this.#slots = this.#slots.filter((s) => s !== slot);
    if (slot.current) {
      slot.current.reject(new Error("password worker stopped"));
      slot.current = null;
    }
  }
}

const pool = new PasswordPool();
