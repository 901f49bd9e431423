/**
 * axe-core in a Playwright page: WCAG 2.2 A/AA plus best practices, and the experimental
 * `label-content-name-mismatch` (a control's accessible name must contain its visible
 * label, WCAG 2.5.3), which axe leaves off by default. axe's own `duplicate-id` checks
 * are deprecated, so {@linkcode pageDefects} adds ours: duplicate ids and labels that
 * point at nothing.
 *
 * The source is evaluated through the DevTools protocol, which the page's CSP does not
 * govern, so the app's headers stay as they are in production.
 *
 * @example
 * ```ts
 * const violations = await runAxe(page);
 * assertEquals(violations.map(describeViolation), []);
 * ```
 */
import type axe from "axe-core";
import type { Page } from "playwright-core";

/** axe's minified build, read once (the npm package's own file; `axe.source` is the unminified one, 3× larger). */
let axeSource: string | undefined;

/** What the suite checks: every WCAG 2.0–2.2 A and AA rule, and axe's best practices. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];

/** One failed rule with the elements that fail it. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Runs axe on the page as it is now; returns its violations (none = pass). */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === "object");
  if (!loaded) {
    axeSource ??= await Deno.readTextFile(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url));
    await page.evaluate(axeSource);
  }
  return await page.evaluate(async (tags) => {
    const engine = (globalThis as unknown as { axe: typeof axe }).axe;
    const result = await engine.run(document, {
      runOnly: { type: "tag", values: tags },
      rules: { "label-content-name-mismatch": { enabled: true } },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary ?? "" })),
    }));
  }, AXE_TAGS);
}

/** Defects axe no longer looks for: ids used twice, `label[for]` and `aria-*` references to no element. */
export async function pageDefects(page: Page): Promise<string[]> {
  return await page.evaluate(() => {
    const defects: string[] = [];
    const seen = new Map<string, number>();
    for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    for (const [id, count] of seen) if (count > 1) defects.push(`id "${id}" is used ${count} times`);
    for (const label of document.querySelectorAll("label[for]")) {
      const target = document.getElementById(label.getAttribute("for")!);
      const form = label.closest("form");
      if (!target) defects.push(`label "${label.textContent?.trim()}" points at no element`);
      else if (form && target.closest("form") !== form) {
        defects.push(`label "${label.textContent?.trim()}" points at a field of another form`);
      }
    }
    for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
      for (const el of document.querySelectorAll(`[${attr}]`)) {
        for (const id of el.getAttribute(attr)!.split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) defects.push(`${attr}="${id}" on <${el.localName}> points at nothing`);
        }
      }
    }
    return defects;
  });
}

/** One line per failing element: `color-contrast (serious) .button: Fix any of…`. */
export function describeViolation(violation: AxeViolation): string[] {
  return violation.nodes.map((node) =>
    `${violation.id} (${violation.impact}) ${node.target}: ${node.summary.replace(/\s+/g, " ").slice(0, 300)}`
  );
}
