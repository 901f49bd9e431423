/**
 * `deno task bench`: every benchmark in turn. Each prints JSON lines with its figures
 * and ratios against a baseline measured in the same run.
 */
const BENCHES = [
  "bench/cold_start.ts",
  "bench/health.ts",
  "bench/dashboard.ts",
  "bench/rate_limit.ts",
  "bench/cached_read.ts",
  "bench/kv_size.ts",
];
const root = new URL("..", import.meta.url).pathname;
for (const bench of BENCHES) {
  const { code } = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", bench, ...Deno.args], cwd: root })
    .spawn()
    .status;
  if (code !== 0) Deno.exit(code);
}
