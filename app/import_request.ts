/**
 * What `POST /api/import` and the import form send, read into validated
 * {@linkcode ImportData}:
 *
 * - `application/json`: the body is a JSON export.
 * - `multipart/form-data` with a `file` field: a JSON export (`.json`), Loop Habit
 *   Tracker's CSV export (a `.zip`, recognised by its `PK` signature), or Loop's full
 *   backup (a `.db`, recognised by SQLite's header: `app/loop/backup_import.ts`).
 *
 * Bodies are capped by the import routes' own limit (`IMPORT_BODY_LIMIT_BYTES` in
 * domain/import_limits.ts, applied by app/app.ts before this reads a byte): the biggest file the caps let through
 * fits in it, so a real backup or export is never refused for its size alone. What the
 * body unpacks to is capped by `domain/import_limits.ts`: over a size cap → 413, over a row
 * cap → 400, each naming the file and the cap. Anything
 * unreadable is a 400 whose message names the file and row (`Habits.csv row 4: Interval
 * must be a whole number from 1`).
 *
 * @example
 * ```ts
 * const data = await readImportRequest(ctx.req, localDay(user.timezone));
 * await importUserData(db, user.id, data);
 * ```
 */
import { type ImportData, ImportError } from "@/domain/import_data.ts";
import { parseExportDocument } from "@/domain/import_document.ts";
import { parseLoopBackup } from "@/app/loop/backup_import.ts";
import { HttpError } from "fresh";
import { ValidationError } from "@/lib/validate.ts";
import { ApiError } from "@/app/api_error.ts";

/** The first bytes of every SQLite database: Loop's backup is one. */
const SQLITE_HEADER = "SQLite format 3\0";

/** Reads and validates the upload; `today` is the user's local day (no check-ins after it). */
export async function readImportRequest(req: Request, today: string): Promise<ImportData> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  try {
    if (type === "application/json") return parseExportDocument(parseJson(await req.text(), "The body"), today);
    if (type === "multipart/form-data") {
      const file = await readFile(req);
      const bytes = new Uint8Array(await file.arrayBuffer());
      // A zip starts with "PK"; Loop's export is the only zip this accepts.
      if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
        // The zip and CSV readers (yauzl, csv-parse) load with the first Loop export imported, not at start.
        const { parseLoopZip } = await import("./loop_import.ts");
        return await parseLoopZip(bytes, today);
      }
      if (new TextDecoder().decode(bytes.subarray(0, SQLITE_HEADER.length)) === SQLITE_HEADER) {
        return await parseLoopBackup(bytes, today);
      }
      return parseExportDocument(parseJson(new TextDecoder().decode(bytes), file.name || "The file"), today);
    }
  } catch (error) {
    if (error instanceof ImportError) {
      throw new ApiError(error.status, error.message, { details: { fields: { file: error.message } } });
    }
    throw error;
  }
  throw new HttpError(415, "Send a JSON export as application/json, or upload a file as multipart/form-data");
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ImportError(
      where,
      "It is not valid JSON: upload a ConsistencyGrid JSON export, Loop's CSV zip or Loop's backup (.db)",
    );
  }
}

async function readFile(req: Request): Promise<File> {
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new HttpError(400, "The form data could not be read");
  }
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0) {
    throw new ValidationError({ file: "Choose a file to import" }, "Choose a file to import");
  }
  return file;
}
