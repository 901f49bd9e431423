import { loadSharedGrid } from "@/app/shared_grid.ts";
import { HttpError, page } from "fresh";
import { define } from "@/app/state.ts";

/** Cached by browsers and shared caches for a minute: a revoked link is gone within that minute. */
const CACHE = "public, max-age=60";

interface SharedPage {
  title?: string;
  svgPath: string;
  /** The image's absolute URL, for the embed snippet. */
  svgUrl: string;
}

/**
 * A shared habit grid: `/s/<token>.svg` is the image itself, `/s/<token>` a page around
 * it (with the habit's name when its owner shows it). Unknown or revoked → 404. Limited
 * to 60 requests a minute per IP (lib/rate_limit/policies.ts, `share.view`).
 */
export const handler = define.handlers({
  async GET(ctx) {
    const raw = ctx.params.token;
    const isSvg = raw.endsWith(".svg");
    const token = isSvg ? raw.slice(0, -4) : raw;
    const grid = await loadSharedGrid(ctx.state.services.db, token);
    if (!grid) throw new HttpError(404, "This link does not open anything: it may have been revoked");
    if (isSvg) {
      return new Response(grid.svg, {
        headers: {
          "content-type": "image/svg+xml; charset=utf-8",
          "cache-control": CACHE,
          "x-content-type-options": "nosniff",
          // No search engine needs a person's habit.
          "x-robots-tag": "noindex",
        },
      });
    }
    ctx.state.title = grid.title ? `${grid.title}: a year of check-ins` : "A year of check-ins";
    const svgPath = `/s/${token}.svg`;
    const svgUrl = `${ctx.state.services.config.appOrigin}${svgPath}`;
    return page<SharedPage>({ title: grid.title, svgPath, svgUrl }, {
      headers: { "cache-control": CACHE, "x-robots-tag": "noindex" },
    });
  },
});

/** The shared grid's page: the image, its name when shown, and where it comes from. */
export default define.page<typeof handler>(function SharedGridPage({ data }) {
  return (
    <div class="shared-grid">
      <header class="page-header">
        <h1>{data.title ?? "A year of check-ins"}</h1>
        <p class="muted">A habit's consistency grid, shared from ConsistencyGrid.</p>
      </header>
      <section class="card">
        <img src={data.svgPath} alt={data.title ? `${data.title}: consistency grid` : "Consistency grid"} />
        <p class="muted small">
          Embed it: <code>{`<img src="${data.svgUrl}" alt="Consistency grid">`}</code>
        </p>
      </section>
    </div>
  );
});
