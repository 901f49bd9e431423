/**
 * A heavy user's realistic session, for what KV holds per user (tests/lib/cache/
 * kv_budget_test.ts, bench/kv_size.ts): 20 habits of every kind and schedule with a year
 * of check-ins (bench/dashboard.ts's `seedHabitYear`), three goals with milestones, two
 * pinned; then what such a user does in a few minutes — the dashboard again and again
 * with check-ins in between, every habit's page and API read, the habit lists, goals,
 * settings, activity — in the app's own paths (cookie pages, Bearer API).
 *
 * @example
 * ```ts
 * const alice = await createTestUser(t.services, { plan: "pro" });
 * await seedHeavyUser(t.services, alice);
 * const requests = await heavyUserSession(t.app, alice);
 * ```
 */
import { seedHabitYear } from "@/bench/dashboard.ts";
import { localDay } from "@/domain/calendar.ts";
import type { Services } from "@/app/state.ts";
import type { TestUser } from "./users.ts";

/** Anything that answers a request for a path: the app in process, or `fetch` to an origin. */
export interface Requester {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** Habits of the heavy user. */
export const HEAVY_HABITS = 20;

/** Writes the heavy user's habits and year of check-ins (the user must be on the pro plan). */
export async function seedHeavyUser(services: Pick<Services, "db">, user: Pick<TestUser, "id">): Promise<void> {
  await seedHabitYear(services.db, user.id, { habits: HEAVY_HABITS, days: 365, today: localDay("UTC") });
}

/** Runs the session (see the module doc); returns the number of requests made. Throws on any 4xx/5xx. */
export async function heavyUserSession(app: Requester, user: TestUser): Promise<number> {
  let requests = 0;
  const send = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    requests++;
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text.startsWith("{") ? JSON.parse(text) : text;
  };
  const page = (path: string) => send("GET", path, user.session);
  const api = (method: string, path: string, body?: unknown) => send(method, path, user.bearer, body);

  const { habits } = await api("GET", "/api/habits") as { habits: { id: string }[] };
  const goals: string[] = [];
  for (const title of ["Run a marathon", "Read 30 books", "Learn Spanish"]) {
    const { goal } = await api("POST", "/api/goals", { title });
    goals.push(goal.id);
    for (const milestone of ["First step", "Half way", "Done"]) {
      await api("POST", "/api/milestones", { goalId: goal.id, title: milestone });
    }
  }
  for (const goalId of goals.slice(0, 2)) await api("PATCH", "/api/goals/pin", { goalId, pinned: true });

  await page("/app");
  await page("/app");
  const today = localDay("UTC");
  // Ticking habits off one by one, the dashboard reloaded after each.
  for (const habit of habits.slice(0, 10)) {
    await api("POST", `/api/habits/${habit.id}/checkins`, { date: today, status: "done" });
    await page("/app");
  }
  for (const habit of habits) {
    await page(`/habits/${habit.id}`);
    await api("GET", `/api/habits/${habit.id}`);
    await api("GET", `/api/habits/${habit.id}`);
  }
  await api("GET", "/api/habits");
  await api("GET", "/api/habits?archived=true");
  await api("GET", "/api/goals");
  await page("/goals");
  await page(`/goals/${goals[0]}`);
  await api("POST", "/api/settings/save", { displayName: "Heavy user" });
  await page("/settings");
  await page("/activity");
  await api("GET", "/api/me");
  await page("/app");
  await api("GET", "/api/habits");
  return requests;
}
