/**
 * The backup file: one self-describing file per backup, so a copy that travels alone
 * (to object storage, a USB disk, an e-mail to yourself) can still be checked and
 * restored.
 *
 * Layout: a fixed {@linkcode HEADER_BYTES}-byte header — the magic line
 * `CONSISTENCYGRID-BACKUP/1`, one line of JSON ({@linkcode BackupManifest}), spaces up
 * to the end, a final newline — then the payload: a `pg_dump --format=custom` archive
 * (Postgres) or a gzipped tarball of PGlite's data directory (embedded). The header
 * records the payload's length and sha-256, so a truncated or corrupted file is
 * refused before anything is restored. The payload is the tool's own format: for a
 * manual restore, `tail -c +4097 FILE > payload` gives it back.
 *
 * @example
 * ```ts
 * const header = encodeHeader(manifest); // 4096 bytes
 * decodeHeader(header, "backup.cgbackup"); // the manifest again
 * backupFileName({ createdAt: new Date(), migration: 11, backend: "postgres", kind: "scheduled" });
 * // "consistencygrid-20261129T230000Z-m011-postgres-scheduled.cgbackup"
 * ```
 */

/** First line of every backup file. */
export const BACKUP_MAGIC = "CONSISTENCYGRID-BACKUP/1";

/** The header's fixed size; the payload starts right after it. */
export const HEADER_BYTES = 4096;

/** File name extension of backups. */
export const BACKUP_EXTENSION = ".cgbackup";

/** What a backup holds and how to check it; the header's JSON line. */
export interface BackupManifest {
  /** `postgres`: a pg_dump archive; `pglite`: the embedded data directory. */
  backend: "postgres" | "pglite";
  /** How the payload is encoded. */
  payload: "pg_dump-custom" | "pglite-datadir-tar-gz";
  /** When the dump started (its snapshot), ISO 8601 UTC. */
  createdAt: string;
  /** The newest migration applied to the database that was dumped. */
  migration: { version: number; name: string };
  /** `select version()` of the dumped server. */
  serverVersion: string;
  /** The tool that wrote the payload, e.g. `pg_dump (PostgreSQL) 15.18`. */
  tool: string;
  /** The app version (`APP_VERSION`) that made it. */
  appVersion: string;
  /** Made by the daily schedule (subject to retention) or by hand (never pruned). */
  kind: "scheduled" | "manual";
  /** Payload length in bytes. */
  bytes: number;
  /** Payload sha-256, hex. */
  sha256: string;
}

/** A file that is not a usable backup; the message says which file and why. */
export class BackupFormatError extends Error {
  override name = "BackupFormatError";
}

/** The header for `manifest`: exactly {@linkcode HEADER_BYTES} bytes. */
export function encodeHeader(manifest: BackupManifest): Uint8Array<ArrayBuffer> {
  const text = `${BACKUP_MAGIC}\n${JSON.stringify(manifest)}\n`;
  const encoded = new TextEncoder().encode(text);
  if (encoded.length > HEADER_BYTES - 1) {
    throw new Error(`backup manifest too large for the ${HEADER_BYTES}-byte header`);
  }
  const header = new Uint8Array(HEADER_BYTES).fill(0x20);
  header.set(encoded);
  header[HEADER_BYTES - 1] = 0x0a;
  return header;
}

/**
 * Reads a header; throws {@linkcode BackupFormatError} naming `file` when it is not a
 * ConsistencyGrid backup or its header is damaged.
 */
export function decodeHeader(header: Uint8Array, file: string): BackupManifest {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(header);
  if (header.length < BACKUP_MAGIC.length + 1 || !text.startsWith(`${BACKUP_MAGIC}\n`)) {
    throw new BackupFormatError(
      `${file} is not a ConsistencyGrid backup (it does not start with "${BACKUP_MAGIC}"): ` +
        "pick a file that `deno task backup` wrote",
    );
  }
  if (header.length < HEADER_BYTES) {
    throw new BackupFormatError(
      `${file} is truncated: it ends inside its ${HEADER_BYTES}-byte header (${header.length} bytes); use another backup`,
    );
  }
  const line = text.slice(BACKUP_MAGIC.length + 1).split("\n", 1)[0];
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(line);
  } catch {
    throw new BackupFormatError(`${file} has a damaged header (its manifest is not JSON); use another backup`);
  }
  const problems = manifestProblems(manifest);
  if (problems.length > 0) {
    throw new BackupFormatError(`${file} has a damaged header (${problems.join("; ")}); use another backup`);
  }
  return manifest;
}

function manifestProblems(m: Partial<BackupManifest> | null): string[] {
  if (!m || typeof m !== "object" || Array.isArray(m)) return ["the manifest is not an object"];
  const problems: string[] = [];
  if (m.backend !== "postgres" && m.backend !== "pglite") problems.push("unknown backend");
  if (m.payload !== "pg_dump-custom" && m.payload !== "pglite-datadir-tar-gz") problems.push("unknown payload");
  if (typeof m.createdAt !== "string" || Number.isNaN(Date.parse(m.createdAt))) problems.push("no creation time");
  if (!m.migration || !Number.isInteger(m.migration.version) || typeof m.migration.name !== "string") {
    problems.push("no migration version");
  }
  if (!Number.isSafeInteger(m.bytes) || (m.bytes ?? -1) < 0) problems.push("no payload length");
  if (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256)) problems.push("no payload checksum");
  return problems;
}

/** What a backup's file name says. */
export interface BackupName {
  createdAt: Date;
  migration: number;
  backend: BackupManifest["backend"];
  kind: BackupManifest["kind"];
}

const NAME = /^consistencygrid-(\d{8}T\d{6}Z)-m(\d{3,})-(postgres|pglite)(-scheduled)?\.cgbackup$/;

/**
 * `consistencygrid-<UTC time>-m<migration>-<backend>[-scheduled].cgbackup`: sorts by
 * time, and says at a glance which schema version and backend it holds.
 */
export function backupFileName(name: BackupName): string {
  const stamp = name.createdAt.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  const migration = String(name.migration).padStart(3, "0");
  const suffix = name.kind === "scheduled" ? "-scheduled" : "";
  return `consistencygrid-${stamp}-m${migration}-${name.backend}${suffix}${BACKUP_EXTENSION}`;
}

/** Reads a name {@linkcode backupFileName} wrote; `null` for any other file. */
export function parseBackupFileName(fileName: string): BackupName | null {
  const match = NAME.exec(fileName);
  if (!match) return null;
  const [, stamp, migration, backend, scheduled] = match;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 11)}:${stamp.slice(11, 13)}:${
    stamp.slice(13, 15)
  }Z`;
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime())) return null;
  return {
    createdAt,
    migration: Number(migration),
    backend: backend as BackupName["backend"],
    kind: scheduled ? "scheduled" : "manual",
  };
}
