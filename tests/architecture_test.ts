/**
 * The layers and the direction of their arrows (README "Layout"): every import of every
 * project file — static, dynamic with a literal, `export … from`, type-only — must point to
 * its own folder or to a folder its layer may use. The import graph comes from `deno info`
 * (Deno's own parser and resolver, so import-map keys such as `fresh` and `@/` resolve the
 * way the runtime resolves them).
 */
import { assertEquals } from "@/tests/support/assert.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Layer → the layers it may import besides itself. "*" = anything. */
const ALLOWED: Record<string, readonly string[] | "*"> = {
  top: "*", // main.ts, main_deploy.ts, fresh.gen.ts, tasks/, bench/, tests/, scripts/
  routes: ["app", "components", "islands", "db", "domain", "lib"],
  app: ["components", "db", "domain", "lib"],
  components: ["islands", "domain", "lib"],
  islands: ["components", "domain", "lib"],
  db: ["domain", "lib"],
  domain: [],
  lib: [],
};

/** Which layer a project file belongs to (its top-level folder). */
export function layerOf(path: string): string {
  const first = path.split("/")[0];
  if (first in ALLOWED && first !== "top") return first;
  return "top";
}

/** Why an import from `from` to `to` (both project-relative) breaks the table, or null. */
export function violation(from: string, to: string): string | null {
  const source = layerOf(from);
  const target = layerOf(to);
  if (source === "routes" && target === "routes") return "a route file imports another route file";
  const allowed = ALLOWED[source];
  if (allowed === "*" || source === target || allowed.includes(target)) return null;
  return `${source}/ may not import ${target === "top" ? to : `${target}/`}`;
}

const SKIP = /^(node_modules|_fresh|data|\.tmp|artifacts|static|docs|deploy|sql)\//;

async function projectFiles(dir = ROOT, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const rel = prefix + entry.name;
    if (entry.name.startsWith(".") || SKIP.test(rel + "/")) continue;
    if (entry.isDirectory) out.push(...await projectFiles(`${dir}/${entry.name}`, rel + "/"));
    else if (/\.(ts|tsx)$/.test(entry.name) && !/(^|\/)tests\/fixtures\//.test(rel)) out.push(rel);
  }
  return out.sort();
}

interface Dependency {
  specifier: string;
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}
interface GraphModule {
  specifier: string;
  dependencies?: Dependency[];
}

/** Every project file's imports (resolved), read from one `deno info --json` over all files. */
async function importGraph(files: string[]): Promise<Map<string, { specifier: string; target: string }[]>> {
  const dir = await Deno.makeTempDir({ prefix: "architecture-" });
  try {
    const root = `${dir}/all.ts`;
    await Deno.writeTextFile(root, files.map((f) => `import ${JSON.stringify(`file://${ROOT}/${f}`)};`).join("\n"));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", `${ROOT}/deno.json`, root],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr)}`);
    const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as { modules: GraphModule[] };
    const prefix = `file://${ROOT}/`;
    const edges = new Map<string, { specifier: string; target: string }[]>();
    for (const module of graph.modules) {
      if (!module.specifier.startsWith(prefix)) continue;
      const from = module.specifier.slice(prefix.length);
      const list: { specifier: string; target: string }[] = [];
      for (const dep of module.dependencies ?? []) {
        for (const resolved of [dep.code?.specifier, dep.type?.specifier]) {
          if (resolved?.startsWith(prefix)) {
            list.push({ specifier: dep.specifier, target: resolved.slice(prefix.length) });
          }
        }
      }
      edges.set(from, list);
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("architecture: the table itself says what it should", () => {
  assertEquals(violation("routes/index.tsx", "db/habits.ts"), null);
  assertEquals(violation("db/habits.ts", "app/state.ts"), "db/ may not import app/");
  assertEquals(violation("domain/calendar.ts", "lib/log.ts"), "domain/ may not import lib/");
  assertEquals(violation("lib/kv.ts", "db/client.ts"), "lib/ may not import db/");
  assertEquals(violation("components/GoalCard.tsx", "db/goals.ts"), "components/ may not import db/");
  assertEquals(violation("routes/a.tsx", "routes/b.tsx"), "a route file imports another route file");
  assertEquals(violation("app/server.ts", "fresh.gen.ts"), "app/ may not import fresh.gen.ts");
  assertEquals(violation("tests/x_test.ts", "fresh.gen.ts"), null);
});

Deno.test('architecture: every import points down the layers (README "Layout")', async () => {
  const files = await projectFiles();
  const graph = await importGraph(files);
  const problems: string[] = [];
  for (const file of files) {
    if (!graph.has(file)) problems.push(`${file}: not reached by deno info (does it parse?)`);
    for (const { specifier, target } of graph.get(file) ?? []) {
      const why = violation(file, target);
      if (why) problems.push(`${file} imports "${specifier}" (${target}): ${why}`);
    }
  }
  assertEquals(problems, [], `imports that point the wrong way:\n${problems.join("\n")}`);
});
