/**
 * The palette as Chromium resolves it, in light and dark, from the media query and from
 * the user's theme setting (`data-theme`): text pairs reach WCAG AA (4.5:1), control
 * edges and the grid's full and partial days reach 3:1 against an empty day and stand
 * apart from each other, also when tinted with any habit colour
 * (pale, dark or loud ones included). axe checks rendered text; this checks what axe
 * cannot see: the grid's state colours, borders, and colour pairs no seeded page happens to show.
 */
import { assertEquals } from "@/tests/support/assert.ts";
import { startTestApp } from "@/tests/support/app.ts";
import { launchBrowser, serveOnLoopback, skipBrowserTests } from "@/tests/support/browser.ts";
import { DEFAULT_HABIT_COLOR } from "@/domain/habit_input.ts";

/** [foreground, background, minimum ratio]: CSS colours, variables allowed. */
const PAIRS: [string, string, number][] = [
  ["var(--text)", "var(--bg)", 4.5],
  ["var(--text)", "var(--surface)", 4.5],
  ["var(--muted)", "var(--bg)", 4.5],
  ["var(--muted)", "var(--surface)", 4.5],
  ["var(--focus)", "var(--bg)", 4.5],
  ["var(--focus)", "var(--surface)", 4.5],
  ["var(--accent)", "var(--bg)", 4.5],
  ["var(--accent)", "var(--surface)", 4.5],
  ["var(--danger)", "var(--bg)", 4.5],
  ["var(--danger)", "var(--surface)", 4.5],
  ["var(--accent-text)", "var(--accent-bg)", 4.5],
  ["#ffffff", "var(--danger-bg)", 4.5],
  ["var(--control-border)", "var(--bg)", 3],
  ["var(--control-border)", "var(--surface)", 3],
  ["var(--grid-1)", "var(--grid-0)", 3],
];
/** A full day against a partial one. */
const LEVEL_STEP = 1.25;
const HABIT_COLORS = [DEFAULT_HABIT_COLOR, "#0969da", "#bf3989", "#ff0000", "#ffff00", "#eeeeee", "#111111"];

/** The four ways a theme is chosen: the device's scheme, or the user's setting over the other one. */
const THEMES = [
  { name: "light (device)", media: "light", dataTheme: null },
  { name: "dark (device)", media: "dark", dataTheme: null },
  { name: "dark (setting, light device)", media: "light", dataTheme: "dark" },
  { name: "light (setting, dark device)", media: "dark", dataTheme: "light" },
] as const;

Deno.test({
  name: "palette: AA text, 3:1 edges and grid levels, in light and dark, for any habit colour",
  ignore: skipBrowserTests(),
  sanitizeResources: false,
  fn: async () => {
    await using test = await startTestApp();
    await using server = serveOnLoopback(test.app.fetch);
    const browser = await launchBrowser();
    const problems: string[] = [];
    try {
      const page = await browser.newPage();
      await page.goto(`${server.origin}/`);
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme.media });
        const found = await page.evaluate(
          ({ pairs, colors, dataTheme, step }) => {
            if (dataTheme) document.documentElement.dataset.theme = dataTheme;
            else delete document.documentElement.dataset.theme;
            // Any CSS colour (oklch, color-mix…) → sRGB bytes, through a canvas.
            const canvas = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
            const rgb = (css: string) => {
              canvas.clearRect(0, 0, 1, 1);
              canvas.fillStyle = "#000";
              canvas.fillStyle = css;
              canvas.fillRect(0, 0, 1, 1);
              return [...canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)];
            };
            const luminance = (css: string) => {
              const [r, g, b] = rgb(css).map((v) => {
                const c = v / 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
              });
              return 0.2126 * r + 0.7152 * g + 0.0722 * b;
            };
            const ratio = (a: string, b: string) => {
              const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
              return (x + 0.05) / (y + 0.05);
            };
            const probe = document.createElement("span");
            document.body.append(probe);
            const resolve = (value: string) => {
              probe.style.color = value;
              return getComputedStyle(probe).color;
            };
            const out: string[] = [];
            for (const [fg, bg, min] of pairs) {
              const r = ratio(resolve(fg), resolve(bg));
              if (r < min) out.push(`${fg} on ${bg}: ${r.toFixed(2)} < ${min}`);
            }
            // The grid's state colours as the stylesheet computes them, neutral and tinted:
            // a full day and a partial day (its fill and edge) against an empty one, and apart
            // from each other.
            const grid = document.createElement("div");
            document.body.append(grid);
            for (const color of [null, ...colors]) {
              grid.className = color ? "cg cg-tinted" : "cg";
              grid.setAttribute("style", color ? `--cg-color:${color}` : "");
              const state = (name: string) => {
                probe.style.color = `var(${name})`;
                grid.append(probe);
                const value = getComputedStyle(probe).color;
                document.body.append(probe);
                return value;
              };
              const [full, part, empty] = [state("--cg-full"), state("--cg-part"), state("--cg-empty")];
              const name = color ? `tinted ${color}` : "neutral";
              const checks: [string, number, number][] = [
                ["full vs empty", ratio(full, empty), 3],
                ["partial vs empty", ratio(part, empty), 3],
                ["full vs partial", ratio(full, part), step],
              ];
              for (const [what, r, min] of checks) {
                if (r < min) out.push(`${name}: ${what} ${r.toFixed(2)} < ${min}`);
              }
            }
            grid.remove();
            probe.remove();
            return out;
          },
          { pairs: PAIRS, colors: HABIT_COLORS, dataTheme: theme.dataTheme, step: LEVEL_STEP },
        );
        problems.push(...found.map((p) => `${theme.name}: ${p}`));
      }
    } finally {
      await browser.close();
    }
    assertEquals(problems, []);
  },
});
