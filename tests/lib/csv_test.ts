/**
 * lib/csv.ts: formula neutralisation per OWASP's CSV-injection list (every start
 * character, also after leading whitespace or control characters), RFC 4180 quoting,
 * and the streaming reader.
 */
import { CSV_MAX_RECORD_BYTES, CsvReadError, csvTable, neutraliseFormula, parseCsv, readCsvRows } from "@/lib/csv.ts";
import { assert, assertEquals } from "@/tests/support/assert.ts";

Deno.test("neutraliseFormula: OWASP's list in full, and the same after leading whitespace or control characters", () => {
  const dangerous = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\t",
    "\r\n",
    " =1+1",
    "  @x",
    "\u00a0=1", // no-break space
    "\u0000=1",
    "\u0007-2",
    "\u200b=1", // zero-width space
    "\ufeff=1", // BOM
    "\uff1d1+1", // full-width =
    "\uff0b1",
    "\uff0d1",
    "\uff20x",
  ];
  for (const text of dangerous) assertEquals(neutraliseFormula(text), `'${text}`, JSON.stringify(text));
  for (const text of ["Read 20 pages", "1+1", "a=b", "", "'=already", "x\t=1", "中文", "100%"]) {
    assertEquals(neutraliseFormula(text), text, JSON.stringify(text));
  }
});

Deno.test("csvTable: RFC 4180 quoting, CRLF rows, neutralised text, numbers and booleans as they are", () => {
  const text = csvTable(
    ["name", "value", "note"],
    [
      ["Read", 12.5, 'say "hi", then go'],
      ['=HYPERLINK("http://x")', -3, "two\nlines"],
      ["\t=1+1", true, null],
      ["a;=1+1", false, undefined],
      ["tab\tinside", 0, "\r\n=cmd"],
    ],
  );
  assertEquals(
    text,
    "name,value,note\r\n" +
      'Read,12.5,"say ""hi"", then go"\r\n' +
      '"\'=HYPERLINK(""http://x"")",-3,"two\nlines"\r\n' +
      '"\'\t=1+1",true,\r\n' +
      // A `;` or TAB is quoted: a spreadsheet splitting on it still sees one cell.
      '"a;=1+1",false,\r\n' +
      '"tab\tinside",0,"\'\r\n=cmd"\r\n',
  );
});

Deno.test("what csvTable writes, the reader reads back (neutralised cells keep their quote)", async () => {
  const rows = [["a", "b"], ["x, y", 'say "hi"'], ["two\r\nlines", "=1"]];
  assertEquals(await parseCsv(csvTable(rows[0], rows.slice(1)), "t.csv"), [
    ["a", "b"],
    ["x, y", 'say "hi"'],
    ["two\r\nlines", "'=1"],
  ]);
});

Deno.test("parseCsv / readCsvRows: RFC 4180, CRLF and LF, BOM, blank lines kept for numbering, bad quotes named", async () => {
  const cases: [string, string[][]][] = [
    ["a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]]],
    ["a,b\n1,2", [["a", "b"], ["1", "2"]]],
    ['"x, y","say ""hi""","two\r\nlines"\r\n', [["x, y", 'say "hi"', "two\r\nlines"]]],
    ["\ufeffName\r\n,\r\n", [["Name"], ["", ""]]],
    ["a\n\nb\n", [["a"], [""], ["b"]]],
    ['a"b,c\n', [['a"b', "c"]]],
    ["", []],
  ];
  for (const [text, rows] of cases) assertEquals(await parseCsv(text, "t.csv"), rows, JSON.stringify(text));
  const error = await parseCsv('a\r\n"open', "t.csv").catch((e) => e);
  assert(error instanceof CsvReadError, String(error));
  assertEquals(error.message, "t.csv row 2: A quoted cell is never closed");
  const huge = await parseCsv(`a\n"${"x".repeat(70_000)}"\n`, "t.csv").catch((e) => e);
  assertEquals(huge.message, "t.csv row 2: A row is over 64 KiB");
});

Deno.test("readCsvRows streams: rows come before the input ends, and breaking out stops the reading", async () => {
  let pulls = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (pulls > 1000) throw new Error("read far past where the reader stopped");
      // 16 KiB, as zlib hands out inflated data.
      controller.enqueue(new TextEncoder().encode("x,y\n".repeat(4096)));
    },
  });
  let rows = 0;
  for await (const { row } of readCsvRows(source, "endless.csv")) {
    rows = row;
    if (row === 5000) break;
  }
  assertEquals(rows, 5000);
  // 5000 rows are 20 KiB: the reader is at most a few chunks ahead.
  assert(pulls <= 6, `${pulls} pulls`);
});

Deno.test("NUL and long cells: written and read back as they are, up to the record cap", async () => {
  // A NUL is data to the CSV layer; the importers refuse it by their own rules (a control character).
  const nul = ["a\u0000b", "\u0000=1"];
  assertEquals(csvTable(["x", "y"], [nul]), "x,y\r\na\u0000b,'\u0000=1\r\n");
  assertEquals(await parseCsv(csvTable(["x", "y"], [nul]), "t.csv"), [["x", "y"], ["a\u0000b", "'\u0000=1"]]);
  const long = "é".repeat(30_000); // 60,000 bytes: under the 64 KiB cap
  assertEquals(await parseCsv(csvTable(["x"], [[long]]), "t.csv"), [["x"], [long]]);
  const over = await parseCsv(csvTable(["x"], [["é".repeat(CSV_MAX_RECORD_BYTES + 1)]]), "t.csv").catch((e) => e);
  assert(over instanceof CsvReadError, String(over));
  assertEquals(over.message, "t.csv row 2: A row is over 64 KiB");
});
