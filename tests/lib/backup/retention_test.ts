/** Retention of scheduled backups: the newest per day for 7 days, per ISO week for 4 weeks. */
import { isoWeek, planRetention } from "@/lib/backup/retention.ts";
import { assertEquals } from "@/tests/support/assert.ts";

const DAY = 86_400_000;
const backup = (iso: string) => ({ name: iso, createdAt: new Date(iso) });
const names = (list: { name: string }[]) => list.map((b) => b.name);

Deno.test("isoWeek: Monday starts the week; the week with the year's first Thursday is week 1", () => {
  const cases: [string, string][] = [
    ["2026-11-29", "2026-W48"], // Sunday
    ["2026-11-30", "2026-W49"], // Monday
    ["2026-12-31", "2026-W53"], // 2026 has 53 weeks (it starts on a Thursday)
    ["2027-01-03", "2026-W53"],
    ["2027-01-04", "2027-W01"],
    ["2024-12-30", "2025-W01"], // a Monday that belongs to next year
    ["2021-01-03", "2020-W53"],
  ];
  for (const [day, week] of cases) assertEquals(isoWeek(new Date(`${day}T12:00:00Z`)), week, day);
});

Deno.test("one backup a day for 60 days: 7 daily, then the newest of each earlier week, 4 weeks in all", () => {
  const now = Date.parse("2026-11-29T03:00:00Z"); // Sunday
  const backups = Array.from({ length: 60 }, (_, ago) => backup(new Date(now - ago * DAY).toISOString()));
  const { keep, prune } = planRetention(backups, { daily: 7, weekly: 4 });
  assertEquals(names(keep).map((n) => n.slice(0, 10)), [
    "2026-11-29",
    "2026-11-28",
    "2026-11-27",
    "2026-11-26",
    "2026-11-25",
    "2026-11-24",
    "2026-11-23",
    "2026-11-22",
    "2026-11-15",
    "2026-11-08",
  ]);
  assertEquals(keep.length + prune.length, 60);
});

Deno.test("several backups in a day keep only its newest; days without backups do not count", () => {
  const backups = [
    "2026-11-29T01:00:00Z",
    "2026-11-29T13:00:00Z",
    "2026-11-20T09:00:00Z", // then nothing for a week (failures): still among the 7 daily
    "2026-11-19T09:00:00Z",
    "2026-10-01T09:00:00Z",
  ].map(backup);
  const { keep, prune } = planRetention(backups, { daily: 7, weekly: 4 });
  assertEquals(names(keep), [
    "2026-11-29T13:00:00Z",
    "2026-11-20T09:00:00Z",
    "2026-11-19T09:00:00Z",
    "2026-10-01T09:00:00Z",
  ]);
  assertEquals(names(prune), ["2026-11-29T01:00:00Z"]);
});

Deno.test("nothing to keep or prune in an empty folder, and policy zero keeps nothing", () => {
  assertEquals(planRetention([]), { keep: [], prune: [] });
  const one = [backup("2026-11-29T01:00:00Z")];
  assertEquals(names(planRetention(one, { daily: 0, weekly: 0 }).prune), ["2026-11-29T01:00:00Z"]);
});
