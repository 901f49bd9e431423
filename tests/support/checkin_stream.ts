/**
 * A steady stream of check-ins against a running app, for fault tests: every request
 * writes its own (habit, day) with a note naming its sequence number, so afterwards the
 * database can be asked whether each acknowledged (200) write is there.
 *
 * Many users with one habit each keep every user far below the check-in rate limit
 * (200 a minute). After a non-200 a writer pauses briefly, as a polite client would,
 * so an outage does not turn into a tight loop.
 *
 * @example
 * ```ts
 * const writers = await seedWriters(db, 100);
 * const stream = startCheckinStream(app.url, writers, { concurrency: 8 });
 * // … crash something …
 * const outcomes = await stream.stop();
 * const lost = await lostAcknowledged(db, outcomes);
 * ```
 */
import type { Db } from "@/db/client.ts";
import { createHabit } from "@/db/habits.ts";
import { loadConfig } from "@/lib/config.ts";
import { createTestUser } from "./users.ts";

/** A user with one habit to write check-ins to. */
export interface Writer {
  userId: string;
  habitId: string;
  bearer: Record<string, string>;
}

/** What became of one request. */
export interface Outcome {
  seq: number;
  habitId: string;
  day: string;
  note: string;
  /** `performance.now()` when sent and when answered (or failed). */
  start: number;
  end: number;
  /** The HTTP status, or `network` when no response came. */
  status: number | "network";
  /** The error code of a non-200 JSON body, or the network error's message. */
  detail?: string;
  retryAfter?: string | null;
}

/** Days a writer's habit can take (API.md: none older than 366 days). */
const DAYS = 366;

/** `count` users (UTC) with a boolean habit each, written straight to the database. */
export async function seedWriters(db: Db, count: number): Promise<Writer[]> {
  const config = { ...loadConfig(() => undefined), appOrigin: "http://localhost:8000" };
  const services = { db, config, kv: undefined as unknown as Deno.Kv, startedAt: 0 };
  const today = new Date().toISOString().slice(0, 10);
  const writers: Writer[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createTestUser(services, {
      email: `writer-${i}-${crypto.randomUUID().slice(0, 6)}@example.test`,
    });
    const habit = await createHabit(db, user.id, { name: `Habit ${i}` }, today);
    writers.push({ userId: user.id, habitId: habit.id, bearer: user.bearer });
  }
  return writers;
}

/** A running stream; `stop()` waits for the requests in flight and returns every outcome. */
export interface CheckinStream {
  readonly outcomes: readonly Outcome[];
  stop(): Promise<Outcome[]>;
}

/** Starts `concurrency` writers posting check-ins to `baseUrl` until stopped. */
export function startCheckinStream(
  baseUrl: string,
  writers: Writer[],
  { concurrency = 8, pauseAfterErrorMs = 50 }: { concurrency?: number; pauseAfterErrorMs?: number } = {},
): CheckinStream {
  const outcomes: Outcome[] = [];
  const capacity = writers.length * DAYS;
  let next = 0;
  let stopping = false;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());

  const worker = async () => {
    while (!stopping && next < capacity) {
      const seq = next++;
      const writer = writers[seq % writers.length];
      const day = new Date(today - Math.floor(seq / writers.length) * 86_400_000).toISOString().slice(0, 10);
      const note = `seq-${seq}`;
      const start = performance.now();
      const outcome: Outcome = { seq, habitId: writer.habitId, day, note, start, end: start, status: "network" };
      try {
        const res = await fetch(`${baseUrl}/api/habits/${writer.habitId}/checkins`, {
          method: "POST",
          headers: { ...writer.bearer, "content-type": "application/json" },
          body: JSON.stringify({ date: day, status: "done", note }),
        });
        const text = await res.text();
        outcome.status = res.status;
        outcome.retryAfter = res.headers.get("retry-after");
        if (res.status !== 200) {
          try {
            outcome.detail = JSON.parse(text).error?.code;
          } catch {
            outcome.detail = text.slice(0, 100);
          }
        }
      } catch (error) {
        outcome.detail = error instanceof Error ? error.message : String(error);
      }
      outcome.end = performance.now();
      outcomes.push(outcome);
      if (outcome.status !== 200) await new Promise((resolve) => setTimeout(resolve, pauseAfterErrorMs));
    }
  };
  const running = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    outcomes,
    async stop() {
      stopping = true;
      await running;
      return outcomes.sort((a, b) => a.start - b.start);
    },
  };
}

/** The acknowledged (200) writes that the database does not have. */
export async function lostAcknowledged(db: Db, outcomes: readonly Outcome[]): Promise<Outcome[]> {
  const rows = await db.sql<{ habit_id: string; day: string; note: string }[]>`
    select habit_id::text, day, note from checkins where note like 'seq-%'`;
  const stored = new Set(rows.map((row) => `${row.habit_id}|${row.day}|${row.note}`));
  return outcomes.filter((o) => o.status === 200 && !stored.has(`${o.habitId}|${o.day}|${o.note}`));
}

/** Counts of outcomes by status, e.g. `{ "200": 1800, "503": 120 }`. */
export function countByStatus(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}
