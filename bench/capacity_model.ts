/**
 * The capacity model as pure arithmetic: from the latest bench figures
 * (`bench/RESULTS.md`'s JSON lines) and the per-route costs `bench/capacity.ts` measures
 * in process, the instances, Postgres size and connections, KV operations and storage a
 * user count needs, written as `docs/capacity.md`. No I/O here, so a test can drive it
 * from a fixture.
 *
 * @example
 * ```ts
 * const md = capacityMarkdown({ lines: parseResultsLines(resultsMd), costs, storage, when: new Date() });
 * ```
 */

/** What one request of a route cost, measured in process. */
export interface RouteCost {
  /** e.g. "GET /api/habits (cached)". */
  route: string;
  /** Share of the load mix (0..1); 0 for routes outside it (health checks). */
  mixShare: number;
  /** Process CPU (user + system) per request, ms. Embedded: includes the PGlite worker. */
  cpuMs: number;
  /** Postgres statements per request (a transaction's BEGIN/COMMIT not counted). */
  statements: number;
  /** Transactions per request. */
  transactions: number;
  /** KV reads (get, getMany, list) per request. */
  kvReads: number;
  /** KV atomic commits and plain sets/deletes per request. */
  kvWrites: number;
  /** Mean wall time of one statement, ms (on the backend measured). */
  statementMs: number;
}

/** Bytes per stored row, measured on the database the costs came from. */
export interface StorageCost {
  backend: string;
  /** Table + indexes / rows. */
  checkinBytes: number;
  activityBytes: number;
  /** Activity rows one check-in writes. */
  activityRowsPerCheckin: number;
  /** Live KV bytes per user after the measured requests (light users: a habit each). */
  kvBytesPerUser: number;
}

/** One user count to plan for and the behaviour assumed of it. */
export interface Scenario {
  users: number;
  /** Share of registered users active on a given day. */
  dailyActiveShare: number;
  /** Requests one active user makes per day (the mix's routes). */
  requestsPerActiveUser: number;
}

/** The assumptions every scenario shares; stated in the document. */
export const ASSUMPTIONS = {
  dailyActiveShare: 0.25,
  checkinsPerActiveUser: 5,
  /** Peak hour over the day's mean hour: check-ins bunch in the morning and evening. */
  peakFactor: 4,
  /** Target CPU utilisation of an instance at peak (headroom for GC, bursts, a lost instance). */
  cpuUtilisation: 0.6,
  /** Minimum instances, for availability (a deploy or a crash never takes the site down). */
  minInstances: 2,
  /** Reminder checks, exports, settings: work outside the mix, as a share of it. */
  otherWorkShare: 0.1,
  /** Health checks per instance per second (a load balancer probing every 10 s, two probes). */
  healthChecksPerInstancePerS: 0.2,
};

/** The scenarios of the issue: 10K, 100K and 1M registered users. */
export const SCENARIOS: Scenario[] = [10_000, 100_000, 1_000_000].map((users) => ({
  users,
  dailyActiveShare: ASSUMPTIONS.dailyActiveShare,
  // The mix is 20 % check-ins: five check-ins a day bring 25 requests.
  requestsPerActiveUser: ASSUMPTIONS.checkinsPerActiveUser / 0.2,
}));

/** A figure from RESULTS.md's lines. */
export type ResultLine = Record<string, unknown> & { bench: string };

/** The JSON lines of a `bench/RESULTS.md` (its `jsonl` block); lines that do not parse are skipped. */
export function parseResultsLines(markdown: string): ResultLine[] {
  const block = markdown.split("```jsonl\n")[1]?.split("\n```")[0] ?? "";
  const lines: ResultLine[] = [];
  for (const text of block.split("\n")) {
    try {
      const value = JSON.parse(text);
      if (value && typeof value === "object" && typeof value.bench === "string") lines.push(value);
    } catch { /* not a figure */ }
  }
  return lines;
}

/** The run date written at the top of RESULTS.md, or "unknown". */
export function resultsDate(markdown: string): string {
  return /on (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(markdown)?.[1] ?? "unknown";
}

function num(lines: ResultLine[], bench: string, field: string): number | undefined {
  const value = lines.find((l) => l.bench === bench)?.[field];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function navigatorCores(): string {
  return String(globalThis.navigator?.hardwareConcurrency ?? "?");
}

function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  const d = abs >= 100 ? 0 : digits;
  return n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: 0 });
}

function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${fmt(n)} ${units[i]}`;
}

/** The mix-weighted cost of one average request. */
export function mixCost(costs: RouteCost[]): RouteCost {
  const mix = costs.filter((c) => c.mixShare > 0);
  const total = mix.reduce((s, c) => s + c.mixShare, 0) || 1;
  const weighted = (f: (c: RouteCost) => number) => mix.reduce((s, c) => s + f(c) * c.mixShare, 0) / total;
  const statements = weighted((c) => c.statements);
  return {
    route: "mix request (weighted)",
    mixShare: 1,
    cpuMs: weighted((c) => c.cpuMs),
    statements,
    transactions: weighted((c) => c.transactions),
    kvReads: weighted((c) => c.kvReads),
    kvWrites: weighted((c) => c.kvWrites),
    statementMs: statements > 0 ? weighted((c) => c.statements * c.statementMs) / statements : 0,
  };
}

/** What one scenario needs. */
export interface ScenarioPlan {
  scenario: Scenario;
  dailyActive: number;
  peakRps: number;
  instancesByCpu: number;
  instancesByMeasuredRps?: number;
  instances: number;
  statementsPerS: number;
  busyConnections: number;
  poolConnections: number;
  kvOpsPerS: number;
  checkinRowsPerYear: number;
  activityRowsPerYear: number;
  postgresBytesPerYear: number;
  kvBytes: number;
}

/** The arithmetic for one scenario; every step is written out in the document. */
export function planScenario(
  scenario: Scenario,
  costs: RouteCost[],
  storage: StorageCost,
  lines: ResultLine[],
): ScenarioPlan {
  const mix = mixCost(costs);
  const dailyActive = scenario.users * scenario.dailyActiveShare;
  const perDay = dailyActive * scenario.requestsPerActiveUser * (1 + ASSUMPTIONS.otherWorkShare);
  const peakRps = perDay / 86_400 * ASSUMPTIONS.peakFactor;
  const cpuMsPerS = 1000 * ASSUMPTIONS.cpuUtilisation;
  const instancesByCpu = Math.max(ASSUMPTIONS.minInstances, Math.ceil(peakRps * mix.cpuMs / cpuMsPerS));
  const measuredRps = num(lines, "load_mix", "totalRps");
  const measuredInstances = num(lines, "load_mix", "instances") ?? 1;
  const perInstance = measuredRps && measuredRps > 0 ? measuredRps / measuredInstances : undefined;
  const instancesByMeasuredRps = perInstance
    ? Math.max(ASSUMPTIONS.minInstances, Math.ceil(peakRps / (perInstance * ASSUMPTIONS.cpuUtilisation)))
    : undefined;
  const instances = Math.max(instancesByCpu, instancesByMeasuredRps ?? 0);
  const statementsPerS = peakRps * mix.statements;
  // Little's law: connections busy = arrival rate × time each holds one.
  const busyConnections = statementsPerS * mix.statementMs / 1000;
  const poolConnections = Math.max(10, Math.ceil(busyConnections * 2));
  const health = healthCost(costs);
  const kvOpsPerS = peakRps * (mix.kvReads + mix.kvWrites) +
    instances * ASSUMPTIONS.healthChecksPerInstancePerS * (health.kvReads + health.kvWrites);
  const checkinRowsPerYear = dailyActive * ASSUMPTIONS.checkinsPerActiveUser * 365;
  const activityRowsPerYear = checkinRowsPerYear * storage.activityRowsPerCheckin;
  const postgresBytesPerYear = checkinRowsPerYear * storage.checkinBytes +
    activityRowsPerYear * storage.activityBytes;
  const kvPerUser = kvBytesPerUser(lines, storage).bytes;
  return {
    scenario,
    dailyActive,
    peakRps,
    instancesByCpu,
    instancesByMeasuredRps,
    instances,
    statementsPerS,
    busyConnections,
    poolConnections,
    kvOpsPerS,
    checkinRowsPerYear,
    activityRowsPerYear,
    postgresBytesPerYear,
    kvBytes: dailyActive * kvPerUser,
  };
}

/** KV bytes per active user: the heavy user of `bench/kv_size.ts` when RESULTS.md has it, else measured here. */
export function kvBytesPerUser(lines: ResultLine[], storage: StorageCost): { bytes: number; source: string } {
  const heavy = num(lines, "kv_size_live", "perUserMaxBytes");
  if (heavy !== undefined) return { bytes: heavy, source: "the heaviest user of `bench/kv_size.ts` (RESULTS.md)" };
  return { bytes: storage.kvBytesPerUser, source: "live bytes per bench user measured here (a habit each)" };
}

function healthCost(costs: RouteCost[]): RouteCost {
  return costs.find((c) => c.route.includes("/api/health")) ??
    { route: "", mixShare: 0, cpuMs: 0, statements: 0, transactions: 0, kvReads: 0, kvWrites: 0, statementMs: 0 };
}

/** Everything the document is made from. */
export interface CapacityInput {
  lines: ResultLine[];
  resultsDate: string;
  costs: RouteCost[];
  storage: StorageCost;
  when: Date;
  /** Load average while the costs were measured (CPU per request grows with it). */
  loadAverage?: string;
}

/** Headings of the document's sections, in order (the test checks each is written). */
export const SECTIONS = [
  "## Where the figures come from",
  "## Per route: CPU, Postgres statements, KV operations",
  "## Assumptions",
  "## 10K, 100K and 1M users",
  "## Storage growth per year",
  "## Where the design stops scaling, and what comes next",
] as const;

/** `docs/capacity.md`. */
export function capacityMarkdown(input: CapacityInput): string {
  const { lines, costs, storage } = input;
  const mix = mixCost(costs);
  const plans = SCENARIOS.map((s) => planScenario(s, costs, storage, lines));
  const measured = (bench: string, field: string, unit = "") => {
    const v = num(lines, bench, field);
    return v === undefined ? "not in RESULTS.md" : `${fmt(v)}${unit}`;
  };
  const loadRps = num(lines, "load_mix", "totalRps");
  const out: string[] = [];
  out.push(
    "# Capacity model",
    "",
    `Generated by \`deno task capacity\` (bench/capacity.ts) on ${input.when.toISOString()}. Do not edit: run it again.`,
    "",
    SECTIONS[0],
    "",
    `- Per-route costs: measured just now in process by \`bench/capacity.ts\` on **${storage.backend}**` +
      " (`app.fetch`, no sockets; CPU is `process.cpuUsage()` over the measured requests" +
      (storage.backend === "embedded PGlite"
        ? ", which on embedded includes the PGlite worker's own CPU: on Postgres the app's share is lower)"
        : ")") +
      (input.loadAverage ? `, load average ${input.loadAverage} on ${navigatorCores()} cores.` : "."),
    `- Throughput and storage per user: \`bench/RESULTS.md\` of ${input.resultsDate}. Load mix there: ` +
      (loadRps && loadRps > 0
        ? `${fmt(loadRps)} req/s on ${measured("load_mix", "instances")} instance(s) (${
          String(lines.find((l) => l.bench === "load_mix")?.backend ?? "?")
        }), p99 ${measured("load_mix", "worstP99Ms", " ms")}.`
        : "no usable figure (0 or missing), so instances below come from CPU per request alone."),
    `- Bare \`Deno.serve\` hello on that machine: ${measured("hello_world", "rps", " req/s")}; ` +
      `\`GET /api/health\` ${measured("api_health", "rps", " req/s")}. Figures from a busy machine are pessimistic;` +
      " ratios in one run are what to trust.",
    "",
    SECTIONS[1],
    "",
    "| route | share of mix | CPU ms/req | statements/req | transactions/req | KV reads/req | KV writes/req | ms/statement |",
    "| ----- | -----------: | ---------: | -------------: | ---------------: | -----------: | ------------: | -----------: |",
  );
  for (const c of [...costs, mix]) {
    out.push(
      `| ${c.route} | ${c.mixShare > 0 ? `${fmt(c.mixShare * 100, 0)} %` : "—"} | ${fmt(c.cpuMs, 2)} | ${
        fmt(c.statements, 2)
      } | ${fmt(c.transactions, 2)} | ${fmt(c.kvReads, 2)} | ${fmt(c.kvWrites, 2)} | ${fmt(c.statementMs, 2)} |`,
    );
  }
  out.push(
    "",
    "Statements are counted through the `Db` the app gets (each awaited `sql` query, inside or outside a",
    "transaction); KV operations through the `Deno.Kv` it gets (`get`/`getMany`/`list` read, `set`/`delete`/",
    "`atomic().commit()` write). A SQL function (`upsert_checkin`) is one statement, whatever it runs inside.",
    "The cached read costs no statement when the cache answers: that is what keeps Postgres small below.",
    "",
    SECTIONS[2],
    "",
    `- **Daily-active share ${fmt(ASSUMPTIONS.dailyActiveShare * 100, 0)} %** of registered users. Habit trackers`,
    "  are used daily by the people who keep using them and not at all by the many who signed up and stopped;",
    "  a quarter is the optimistic end of what consumer habit apps report, so the model errs on the heavy side.",
    `- **${
      SCENARIOS[0].requestsPerActiveUser
    } requests per active user per day**: ${ASSUMPTIONS.checkinsPerActiveUser}`,
    "  check-ins (a handful of habits), and with them the mix's 70 % cached reads and 10 % dashboards —",
    "  the load mix's proportions, which are the ones measured.",
    `- **+${fmt(ASSUMPTIONS.otherWorkShare * 100, 0)} %** for everything outside the mix (settings, goals, exports,`,
    "  reminders sent), costed like an average mix request.",
    `- **Peak hour = ${ASSUMPTIONS.peakFactor}× the day's mean**: check-ins bunch after waking and before bed;`,
    "  at 1M users spread over timezones the peak flattens, so this overstates the largest scenario.",
    `- Instances run at most **${fmt(ASSUMPTIONS.cpuUtilisation * 100, 0)} % CPU** at peak, one core each, at`,
    `  least **${ASSUMPTIONS.minInstances}**; health checks ${ASSUMPTIONS.healthChecksPerInstancePerS}/s per instance.`,
    "",
    SECTIONS[3],
    "",
    "| | 10K | 100K | 1M |",
    "| --- | --: | --: | --: |",
  );
  const row = (label: string, f: (p: ScenarioPlan) => string) => out.push(`| ${label} | ${plans.map(f).join(" | ")} |`);
  row("daily active users", (p) => fmt(p.dailyActive, 0));
  row("peak requests/s", (p) => fmt(p.peakRps));
  row(`instances by CPU (${fmt(mix.cpuMs, 2)} ms per request)`, (p) => String(p.instancesByCpu));
  row(
    "instances by measured mix throughput",
    (p) => p.instancesByMeasuredRps === undefined ? "—" : String(p.instancesByMeasuredRps),
  );
  row("**instances**", (p) => `**${p.instances}**`);
  row("Postgres statements/s at peak", (p) => fmt(p.statementsPerS));
  row("Postgres connections busy at peak (Little's law)", (p) => fmt(p.busyConnections, 2));
  row("PgBouncer server pool (2× busy, at least 10)", (p) => String(p.poolConnections));
  row("KV operations/s at peak", (p) => fmt(p.kvOpsPerS));
  row("Postgres data after a year", (p) => bytes(p.postgresBytesPerYear));
  out.push(
    "",
    "Instances by CPU = peak req/s × CPU ms per request ÷ (1000 ms × utilisation). Instances by measured",
    "throughput = peak req/s ÷ (load mix req/s per instance × utilisation); the larger of the two is taken.",
    "Client connections to PgBouncer are instances × `PG_POOL_MAX` (default 10); what Postgres sees is the",
    "server pool, sized from the statements actually in flight.",
    "",
    SECTIONS[4],
    "",
    `Measured on ${storage.backend}: a check-in row with its indexes takes ${fmt(storage.checkinBytes, 0)} bytes,`,
    `an activity row ${fmt(storage.activityBytes, 0)} bytes, and a check-in writes ${
      fmt(storage.activityRowsPerCheckin, 2)
    } activity rows.`,
    `KV per active user: ${fmt(kvBytesPerUser(lines, storage).bytes, 0)} bytes, ${
      kvBytesPerUser(lines, storage).source
    } (caches and rate-limit windows; both expire, so KV grows with active users, not with time).`,
    "",
    "| | 10K | 100K | 1M |",
    "| --- | --: | --: | --: |",
  );
  row("check-in rows per year", (p) => fmt(p.checkinRowsPerYear, 0));
  row("check-ins per year", (p) => bytes(p.checkinRowsPerYear * storage.checkinBytes));
  row("activity rows per year", (p) => fmt(p.activityRowsPerYear, 0));
  row("activity per year", (p) => bytes(p.activityRowsPerYear * storage.activityBytes));
  row("KV (steady, not growing)", (p) => bytes(p.kvBytes));
  const big = plans[plans.length - 1];
  out.push(
    "",
    SECTIONS[5],
    "",
    `- **App instances** scale out: they share nothing but Postgres and KV. At 1M users the model asks for`,
    `  ${big.instances} instances; that is a deployment setting, not a design limit.`,
    `- **Postgres writes** are small (${
      fmt(big.checkinRowsPerYear / 365 / 86_400 * ASSUMPTIONS.peakFactor)
    } check-ins/s at the 1M peak): one primary`,
    "  holds them for years. What grows is **reads for the dashboards**: every cache miss of `/app` reads a",
    "  year of a user's check-ins. Next: route dashboard and statistics reads to a **read replica**; a replica lags,",
    "  so a read that follows the user's own write (the cache's per-user version changed) still goes to the primary.",
    `- **The activity table** gains ${
      fmt(big.activityRowsPerYear, 0)
    } rows a year at 1M users and is only ever read by user and recent`,
    "  time. Next: **partition `activity` by month** (`created_at`), so the history page reads one or two",
    "  partitions and retention drops a partition instead of deleting rows.",
    "- **The scheduler's due query** computes which reminders are due from each reminder's time of day and the",
    "  user's timezone (sql/007's `deliver_due_reminders` joins every enabled reminder to its user), so each tick",
    "  reads them all; at 1M users that is a scan of millions of rows per tick.",
    "  Next: **store each reminder's next fire time** (UTC, recomputed when sent or edited) with an",
    "  **index** on it, so a tick reads only what is due.",
    "- **Planning every statement**: behind PgBouncer 1.18 in transaction mode the app cannot keep prepared",
    "  statements (`prepare: false`), so Postgres plans each one: warm, the dashboard's check-in range query plans",
    "  in ~0.18 ms and runs in ~0.03 ms (EXPLAIN ANALYZE). SQL functions keep their plans per server connection",
    "  (the check-in is one); for the reads, next is **PgBouncer ≥ 1.21 with `max_prepared_statements`** (then",
    "  `prepare: true`), or the dashboard's four reads as one SQL function.",
    "- **PgBouncer's server pool**: the busy connections above stay in single digits because the cached read",
    "  costs no statement; a cache outage would send every read to Postgres (the mix's statements per request",
    "  without the cache) — size the pool for that failure, or shed load with the rate limits.",
    `- **KV**: a local KV file has one writer; the check-in's ${
      fmt(costs.find((c) => c.route.startsWith("POST"))?.kvWrites ?? 0, 1)
    } KV writes (rate limit, invalidation) are the`,
    "  ceiling measured on a busy disk (see docs/performance.md). On Deno Deploy KV is distributed; self-hosted",
    "  beyond one host, KV Connect to a shared store, or move rate limits to per-instance memory plus a shared",
    "  window.",
    "",
  );
  return out.join("\n");
}
