import { exportUserData } from "@/db/export.ts";
import { consumeUsage } from "@/db/usage.ts";
import { requireUser } from "@/app/auth/require_user.ts";
import { define } from "@/app/state.ts";
import { parseInput } from "@/lib/validate.ts";
import { z } from "zod";

const exportQuerySchema = z.object({
  format: z.enum(["csv", "json"], { error: 'Choose format "csv" or "json"' }),
});

/** An export reads every row of the user: more than the default statement deadline allows for big accounts. */
const EXPORT_TIMEOUT_MS = 60_000;

export const handler = define.handlers({
  /**
   * All of the user's data as a download: `?format=json` (one document, the one that
   * imports back) or `?format=csv` (a zip of one CSV per table). Each counts one of the
   * plan's monthly exports (402 when they are used up).
   */
  async GET(ctx) {
    const user = requireUser(ctx);
    const { format } = parseInput(exportQuerySchema, Object.fromEntries(ctx.url.searchParams));
    const { db } = ctx.state.services;
    await consumeUsage(db, user.id, "exports");
    const doc = await exportUserData(db.withTimeout(EXPORT_TIMEOUT_MS), user.id);
    const stamp = doc.exportedAt.slice(0, 10);
    const headers = { "Cache-Control": "no-store" };
    if (format === "json") {
      return new Response(JSON.stringify(doc, null, 2), {
        headers: {
          ...headers,
          "Content-Type": "application/json",
          "Content-Disposition": `attachment; filename="consistencygrid-${stamp}.json"`,
        },
      });
    }
    // The zip and CSV writers (fflate, csv-stringify) load with the first CSV export, not at start.
    const { exportCsvZip } = await import("@/app/export_csv.ts");
    return new Response(exportCsvZip(doc), {
      headers: {
        ...headers,
        "Content-Type": "application/zip",
        "Content-Disposition": `attachment; filename="consistencygrid-${stamp}-csv.zip"`,
      },
    });
  },
});
