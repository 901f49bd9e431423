/**
 * The app's one CSV module: writing (the CSV export) and reading (Loop Habit Tracker's
 * CSV import), over `csv-stringify` and `csv-parse`.
 *
 * Writing is RFC 4180 (comma-separated, CRLF line ends, a field with a comma, a quote or
 * a line break in double quotes, quotes doubled), and safe to open in a spreadsheet, per
 * OWASP's CSV-injection guidance ({@linkcode neutraliseFormula}):
 *
 * - a text cell a spreadsheet could run as a formula gets a leading `'`: one that starts
 *   with `=`, `+`, `-`, `@` (or their full-width forms), TAB, CR or LF — also after
 *   leading whitespace or control characters, which spreadsheets skip;
 * - a text cell holding `;` or a TAB is quoted too, so a spreadsheet that splits on
 *   those (locales with `;` lists, TSV) still sees one cell and no cell starting with `=`;
 * - numbers and booleans are written as they are and never prefixed (`-3` stays a number).
 *
 * Reading streams: rows come out as the bytes come in, so a caller can stop at its row
 * cap without reading (or inflating) the rest.
 *
 * @example
 * ```ts
 * csvTable(["name", "note"], [["Read", "=HYPERLINK(\"x\")"]]); // 'name,note\r\nRead,"\'=HYPERLINK(""x"")"\r\n'
 * for await (const { cells, row } of readCsvRows(stream, "Habits.csv")) { ... }
 * ```
 */
import { Buffer } from "node:buffer";
import type { TransformOptions } from "node:stream";
import { type Options, parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";

/**
 * Starts a formula in some spreadsheet: `=`, `+`, `-`, `@` and their full-width forms
 * (Apple Numbers normalises them), after any run of whitespace, control or format
 * characters (which spreadsheets drop or skip before they look).
 */
const FORMULA_START = /^[\p{White_Space}\p{Cc}\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/u;
/** TAB, CR and LF at the start are on OWASP's list on their own. */
const SEPARATOR_START = /^[\t\r\n]/;

/**
 * `text` made inert for a spreadsheet: a leading `'` when it could start a formula (see
 * the module header); anything else unchanged.
 *
 * @example
 * ```ts
 * neutraliseFormula("=1+1"); // "'=1+1"
 * neutraliseFormula("\t=1+1"); // "'\t=1+1"
 * neutraliseFormula("  @SUM(A1)"); // "'  @SUM(A1)"
 * neutraliseFormula("Read 20 pages"); // unchanged
 * ```
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) || SEPARATOR_START.test(text) ? `'${text}` : text;
}

/** A value a cell can hold: text is neutralised; null and undefined are empty. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * A whole CSV file: a header row, then one line per row, CRLF-terminated.
 *
 * @example
 * ```ts
 * csvTable(["name", "done"], [["Read", true]]); // "name,done\r\nRead,true\r\n"
 * ```
 */
export function csvTable(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return stringify([header, ...rows] as CsvValue[][], {
    record_delimiter: "\r\n",
    // Quote a cell holding CR or LF whatever the record delimiter (csv-stringify's default
    // is to quote them only when no delimiter is set).
    quote_record_delimiter: true,
    // A `;` or TAB would split the cell in a spreadsheet that reads them as separators.
    quoted_match: /[;\t]/,
    cast: {
      string: neutraliseFormula,
      boolean: (value) => String(value),
      number: (value) => String(value),
    },
  });
}

/** A CSV file that cannot be read; `row` counts as a spreadsheet shows rows (header = 1). */
export class CsvReadError extends Error {
  override name = "CsvReadError";
  constructor(readonly file: string, readonly row: number, readonly problem: string) {
    super(`${file} row ${row}: ${problem}`);
  }
}

/** Longest record the reader accepts, in bytes: no real row comes near it. */
export const CSV_MAX_RECORD_BYTES = 64 * 1024;

const PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "A quoted cell is never closed",
  CSV_INVALID_CLOSING_QUOTE: 'A quote inside a quoted cell must be doubled ("")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'A quote inside a quoted cell must be doubled ("")',
  CSV_MAX_RECORD_SIZE: `A row is over ${CSV_MAX_RECORD_BYTES / 1024} KiB`,
};

/** One row: its cells and its number as a spreadsheet shows it (the header is row 1). */
export interface CsvRow {
  cells: string[];
  row: number;
}

/**
 * The rows of a CSV stream, as they arrive: RFC 4180 with CRLF or LF line ends, a
 * UTF-8 BOM dropped, rows of any length. Blank lines come out as rows of empty cells (so
 * numbering matches the file). Breaking out of the loop cancels the stream: nothing more
 * is read. Throws {@linkcode CsvReadError} naming `file` and the row.
 *
 * @example
 * ```ts
 * for await (const { cells, row } of readCsvRows(file.stream(), "Habits.csv")) {
 *   if (row > 2001) break; // a cap: the rest is never read
 * }
 * ```
 */
export async function* readCsvRows(source: ReadableStream<Uint8Array>, file: string): AsyncGenerator<CsvRow> {
  // csv-parse's Node stream, fed by hand with small buffers (16 KiB in, 64 rows out), so
  // the input is read only a little ahead of the rows taken. (Its WHATWG variant
  // buffers 1,024 chunks, which would inflate megabytes past a row cap.)
  const options: Options & TransformOptions = {
    writableHighWaterMark: 16 * 1024,
    readableHighWaterMark: 64,
    bom: true,
    relax_column_count: true,
    // A stray quote inside an unquoted cell is text, as spreadsheets read it.
    relax_quotes: true,
    max_record_size: CSV_MAX_RECORD_BYTES,
  };
  const parser = parse(options);
  let stopped = false;
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (stopped) break;
        // A view for csv-parse, which reads Node Buffers; not a copy.
        if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length))) {
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off("drain", done);
              parser.off("close", done);
              resolve();
            };
            parser.on("drain", done);
            parser.on("close", done);
          });
        }
      }
      if (!stopped) parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  let row = 0;
  try {
    for await (const cells of parser) {
      row++;
      yield { cells: cells as string[], row };
    }
  } catch (error) {
    const { code, records } = (error ?? {}) as { code?: unknown; records?: unknown };
    const problem = typeof code === "string" ? PROBLEMS[code] : undefined;
    // csv-parse counts the rows it parsed before the bad one (more than were taken yet).
    if (problem) throw new CsvReadError(file, (typeof records === "number" ? records : row) + 1, problem);
    throw error;
  } finally {
    // Early exit (a cap, an error): stop feeding, which cancels the source.
    stopped = true;
    parser.destroy();
    await feeding;
  }
}

/**
 * The rows of a CSV text, all at once (small inputs: tests, fixtures).
 *
 * @example
 * ```ts
 * await parseCsv('a,"b ""c"""\r\n1,2\r\n', "x.csv"); // [["a", 'b "c"'], ["1", "2"]]
 * ```
 */
export async function parseCsv(text: string, file: string): Promise<string[][]> {
  const rows: string[][] = [];
  const source = new Blob([text]).stream();
  for await (const { cells } of readCsvRows(source, file)) rows.push(cells);
  return rows;
}
