/**
 * lib/zip_reader.ts against the archives an attacker would send: every cap that can be
 * checked before inflating is checked then (declared sizes, entry count, one stream
 * listed many times, headers that disagree), and a header that lies about its size is
 * caught by counting what actually comes out.
 */
import { deflateSync, zipSync } from "fflate";
import { openZip, type ZipLimits, ZipRefused } from "@/lib/zip_reader.ts";
import { assert, assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { craftZip } from "@/tests/support/crafted_zip.ts";

const LIMITS: ZipLimits = { entries: 10, entryBytes: 1000, inflatedBytes: 1500 };
const encoder = new TextEncoder();

async function refusal(run: () => Promise<unknown>): Promise<ZipRefused> {
  try {
    await run();
  } catch (error) {
    assert(error instanceof ZipRefused, `expected ZipRefused, got ${error}`);
    return error;
  }
  throw new Error("expected ZipRefused, nothing was thrown");
}

/** "b.csv", a complete local entry, stored inside the data of "a.csv"; the directory lists both. */
function overlapping(): Uint8Array {
  const inner = { name: "b.csv", data: encoder.encode("hello"), size: 5, method: 0 };
  const innerLocal = craftZip([inner]).slice(0, 30 + 5 + 5);
  const outer = { name: "a.csv", data: innerLocal, size: innerLocal.length, method: 0 };
  return craftZip([outer], ([local]) => [
    { name: "a.csv", local },
    { name: "b.csv", local: { offset: local.offset + 30 + 5, file: inner } },
  ]);
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

Deno.test("an honest zip: entries listed with their sizes, folders left out, streams inflate", async () => {
  const zip = await openZip(
    zipSync({ "a.csv": encoder.encode("x".repeat(900)), "d/": new Uint8Array(), "d/b.csv": encoder.encode("yz") }),
    LIMITS,
  );
  try {
    assertEquals(zip.entries, [{ name: "a.csv", size: 900 }, { name: "d/b.csv", size: 2 }]);
    assertEquals(await readAll(zip.open(zip.entries[0])), 900);
    assertEquals(await readAll(zip.open(zip.entries[1])), 2);
  } finally {
    zip.close();
  }
});

Deno.test("refused before inflating: size caps (413), damaged or crafted archives (400)", async () => {
  const big = deflateSync(new Uint8Array(5000));
  const cases: [string, Uint8Array, number, RegExp][] = [
    ["not a zip", encoder.encode("Name\nRead\n"), 400, /not a zip archive/],
    [
      "too many entries",
      zipSync(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`${i}.csv`, encoder.encode("x")]))),
      413,
      /lists 11 files/,
    ],
    ["one entry over its cap", zipSync({ "big.csv": new Uint8Array(1001) }), 413, /big\.csv.*inflates to 0\.0 MiB/],
    [
      "entries over the total",
      zipSync({ "a.csv": new Uint8Array(800), "b.csv": new Uint8Array(800) }),
      413,
      /b\.csv.*inflate to/,
    ],
    [
      "one deflated stream listed 10 times (each small enough alone)",
      craftZip(
        [{ name: "a.csv", data: deflateSync(new Uint8Array(100)), size: 100 }],
        ([local]) => Array.from({ length: 10 }, (_, i) => ({ name: `${i}.csv`, local })),
      ),
      400,
      // The directory names differ from the one local header they all point at.
      /two headers disagree/,
    ],
    [
      "two entries whose bytes overlap (a local entry hidden in another's data)",
      overlapping(),
      400,
      /b\.csv.*shares its bytes with a\.csv/,
    ],
    [
      "the same name twice",
      craftZip([
        { name: "a.csv", data: deflateSync(new Uint8Array(10)), size: 10 },
        { name: "a.csv", data: deflateSync(new Uint8Array(10)), size: 10 },
      ]),
      400,
      /listed twice/,
    ],
    [
      "the directory declares less than the local header",
      craftZip(
        [{ name: "a.csv", data: big, size: 5000 }],
        ([local]) => [{ name: "a.csv", local, size: 10 }],
      ),
      400,
      /two headers disagree/,
    ],
    [
      "encrypted",
      craftZip([{ name: "a.csv", data: new Uint8Array(12), size: 0, flags: 1 }]),
      400,
      /encrypted/,
    ],
    [
      "an unknown method",
      craftZip([{ name: "a.csv", data: new Uint8Array(4), size: 4, method: 12 }]),
      400,
      /compression method 12/,
    ],
  ];
  for (const [what, bytes, status, message] of cases) {
    const error = await refusal(() => openZip(bytes, LIMITS));
    assertEquals(error.status, status, what);
    assertMatch(`${error.entry}: ${error.message}`, message, what);
  }
});

Deno.test("the issue's bomb: a 100 MB entry listed 10 times is refused without inflating a byte", async () => {
  const data = deflateSync(new Uint8Array(100_000_000));
  const bomb = craftZip(
    [{ name: "Habits.csv", data, size: 100_000_000 }],
    ([local]) => Array.from({ length: 10 }, (_, i) => ({ name: `${i} Habits.csv`, local })),
  );
  assert(bomb.length < 110 * 1024, `${bomb.length} bytes`);
  const error = await refusal(() =>
    openZip(bomb, { entries: 2100, entryBytes: 10 * 1024 * 1024, inflatedBytes: 20 * 1024 * 1024 })
  );
  assertEquals(error.status, 413);
  assertMatch(error.message, /inflates to 95\.4 MiB/);
});

Deno.test("a header that lies (declares 100 bytes, holds 5000) stops at the first chunk past it", async () => {
  const lie = craftZip([{ name: "a.csv", data: deflateSync(new Uint8Array(5000)), size: 100 }]);
  const zip = await openZip(lie, LIMITS);
  try {
    const error = await refusal(() => readAll(zip.open(zip.entries[0])));
    assertEquals([error.status, error.entry], [400, "a.csv"]);
    assertMatch(error.message, /inflate/);
  } finally {
    zip.close();
  }
});

Deno.test("actual bytes count against the total across entries: several true sizes within caps pass, the total is kept", async () => {
  const zip = await openZip(
    zipSync({ "a.csv": new Uint8Array(700), "b.csv": new Uint8Array(700) }),
    { entries: 10, entryBytes: 1000, inflatedBytes: 1500 },
  );
  try {
    assertEquals(await readAll(zip.open(zip.entries[0])), 700);
    assertEquals(await readAll(zip.open(zip.entries[1])), 700);
    // Opening one twice is counted twice: the cap is on work done, not on distinct files.
    const error = await refusal(() => readAll(zip.open(zip.entries[0])));
    assertEquals(error.status, 413);
  } finally {
    zip.close();
  }
});
