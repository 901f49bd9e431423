/**
 * What a server loads at start (docs/performance.md, "Memory"): the npm packages that
 * only some requests need are imported when first needed (`await import(…)`), so an
 * instance that never sends a push or takes a payment never holds their code. This
 * walks the static import graph of the entry points (`deno info`: type-only imports and
 * dynamic imports are not edges here) and fails when one of them is reachable from it.
 */
import { assertEquals } from "@/tests/support/assert.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Packages loaded on first use, with where they are first needed. */
const LOADED_AT_NEED: Record<string, string> = {
  "@sentry/deno": "only with SENTRY_DSN (lib/sentry.ts)",
  "stripe": "billing routes, on the first checkout or webhook (app/billing/stripe.ts)",
  "web-push": "the first push sent, or VAPID keys generated (lib/push/)",
  "nodemailer": "the first e-mail sent (lib/mail.ts)",
  "@zxcvbn-ts/core": "the first password checked (lib/auth/password_strength.ts)",
  "@zxcvbn-ts/language-common": "the first password checked",
  "@zxcvbn-ts/language-en": "the first password checked",
  "yauzl": "the first Loop zip imported (app/import_request.ts → app/loop_import.ts)",
  "csv-parse": "the first Loop zip imported",
  "csv-stringify": "the first CSV export (routes/api/export.ts → app/export_csv.ts)",
  "fflate": "the first CSV export",
};

interface InfoDependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/** npm package names reachable from `entry` through static (non-type) imports only. */
async function staticallyLoadedPackages(entry: string): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { roots: string[]; modules: InfoModule[] };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [...info.roots];
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      const target = dep.code?.specifier;
      if (!target || dep.isDynamic) continue;
      const npm = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)/.exec(target);
      if (npm) packages.add(npm[1]);
      else queue.push(target);
    }
  }
  return packages;
}

for (const entry of ["main.ts", "main_deploy.ts"]) {
  Deno.test(`${entry} loads no package at start that only some requests need`, async () => {
    const loaded = await staticallyLoadedPackages(entry);
    // The walk must see the packages every request does use, or it proves nothing.
    assertEquals(["hono", "preact", "postgres"].every((name) => loaded.has(name)), true, [...loaded].join(", "));
    const early = Object.keys(LOADED_AT_NEED).filter((name) => loaded.has(name));
    assertEquals(early, [], early.map((name) => `${name}: ${LOADED_AT_NEED[name]}`).join("; "));
  });
}
