/** The backup header and file names: round trips, and clear refusals of what is not a backup. */
import {
  backupFileName,
  type BackupManifest,
  decodeHeader,
  encodeHeader,
  HEADER_BYTES,
  parseBackupFileName,
} from "@/lib/backup/format.ts";
import { assertEquals, assertMatch } from "@/tests/support/assert.ts";
import { throws } from "node:assert/strict";

const manifest: BackupManifest = {
  backend: "postgres",
  payload: "pg_dump-custom",
  createdAt: "2026-11-29T23:00:00.000Z",
  migration: { version: 11, name: "011_backups" },
  serverVersion: "PostgreSQL 15.18",
  tool: "pg_dump (PostgreSQL) 15.18",
  appVersion: "v1.2.3",
  kind: "manual",
  bytes: 123_456,
  sha256: "a".repeat(64),
};

Deno.test("a header is exactly HEADER_BYTES, starts with the magic line and reads back", () => {
  const header = encodeHeader(manifest);
  assertEquals(header.length, HEADER_BYTES);
  assertEquals(new TextDecoder().decode(header.subarray(0, 25)), "CONSISTENCYGRID-BACKUP/1\n");
  assertEquals(header[HEADER_BYTES - 1], 0x0a);
  assertEquals(decodeHeader(header, "f"), manifest);
});

Deno.test("a manifest too large for the header is refused when writing", () => {
  throws(() => encodeHeader({ ...manifest, appVersion: "x".repeat(5000) }), /too large/);
});

Deno.test("headers that are not ours or are damaged are refused, naming the file", () => {
  const cases: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode("PGDMP"), /^b\.cgbackup is not a ConsistencyGrid backup/],
    [encodeHeader(manifest).subarray(0, 100), /^b\.cgbackup is truncated: it ends inside its 4096-byte header/],
    [withLine("{not json"), /has a damaged header \(its manifest is not JSON\)/],
    [withLine("[1,2]"), /has a damaged header \(the manifest is not an object\)/],
    [withLine(JSON.stringify({ ...manifest, backend: "mysql", bytes: -1 })), /unknown backend; no payload length/],
    [withLine(JSON.stringify({ ...manifest, migration: null })), /no migration version/],
  ];
  for (const [bytes, message] of cases) {
    throws(() => decodeHeader(bytes, "b.cgbackup"), (error: Error) => {
      assertEquals(error.name, "BackupFormatError");
      assertMatch(error.message, message);
      return true;
    });
  }
});

Deno.test("file names carry time, migration, backend and kind, and parse back", () => {
  const createdAt = new Date("2026-03-05T07:08:09.123Z");
  const manual = backupFileName({ createdAt, migration: 7, backend: "pglite", kind: "manual" });
  assertEquals(manual, "consistencygrid-20260305T070809Z-m007-pglite.cgbackup");
  const scheduled = backupFileName({ createdAt, migration: 1234, backend: "postgres", kind: "scheduled" });
  assertEquals(scheduled, "consistencygrid-20260305T070809Z-m1234-postgres-scheduled.cgbackup");
  assertEquals(parseBackupFileName(scheduled), {
    createdAt: new Date("2026-03-05T07:08:09Z"),
    migration: 1234,
    backend: "postgres",
    kind: "scheduled",
  });
  for (
    const other of [
      "notes.txt",
      ".consistencygrid-20260305T070809Z-m007-pglite.cgbackup.partial-1234",
      "consistencygrid-20261399T999999Z-m007-pglite.cgbackup",
    ]
  ) {
    assertEquals(parseBackupFileName(other), null, other);
  }
});

function withLine(line: string): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES).fill(0x20);
  header.set(new TextEncoder().encode(`CONSISTENCYGRID-BACKUP/1\n${line}\n`));
  return header;
}
