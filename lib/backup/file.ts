/**
 * Backup files on disk: written atomically and read back only after their checksum
 * holds (format in `lib/backup/format.ts`).
 *
 * Writing: into a hidden temporary file in the target folder (same file system, so
 * publishing it is atomic), payload streamed and hashed, header written last, `fsync`,
 * hard link under its final name (never replacing a file), `fsync` of the folder. A crash leaves either no backup or a whole one, never
 * a half-written file under a backup's name.
 *
 * @example
 * ```ts
 * const written = await writeBackupFile(path, manifest, async (write) => {
 *   for await (const chunk of child.stdout) await write(chunk);
 * });
 * const manifest = await verifyBackupFile(path); // throws BackupFormatError when damaged
 * ```
 */
import { createHash } from "node:crypto";
import { BackupFormatError, type BackupManifest, decodeHeader, encodeHeader, HEADER_BYTES } from "./format.ts";

/** A backup as written: its path and complete manifest. */
export interface WrittenBackup {
  path: string;
  manifest: BackupManifest;
}

/**
 * Writes `path` atomically: `writePayload` gets a `write(chunk)` to stream the payload
 * through; length and sha-256 are filled into the manifest. Fails (leaving nothing
 * behind) when `path` exists already or `writePayload` throws.
 */
export async function writeBackupFile(
  path: string,
  manifest: Omit<BackupManifest, "bytes" | "sha256">,
  writePayload: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<WrittenBackup> {
  const folder = dirname(path);
  const temporary = `${folder}/.${basename(path)}.partial-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(temporary, { write: true, createNew: true, mode: 0o600 });
  let closed = false;
  try {
    await writeAll(file, new Uint8Array(HEADER_BYTES));
    const hash = createHash("sha256");
    let bytes = 0;
    await writePayload(async (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      await writeAll(file, chunk);
    });
    const complete: BackupManifest = { ...manifest, bytes, sha256: hash.digest("hex") };
    await file.seek(0, Deno.SeekMode.Start);
    await writeAll(file, encodeHeader(complete));
    await file.sync();
    file.close();
    closed = true;
    // link(2) publishes the whole file under its name atomically and, unlike rename,
    // refuses to replace an existing backup.
    try {
      await Deno.link(temporary, path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new Error(`${path} exists already: a backup is never overwritten`);
      }
      throw error;
    }
    await Deno.remove(temporary);
    await syncFolder(folder);
    return { path, manifest: complete };
  } catch (error) {
    if (!closed) file.close();
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** Reads the header only (cheap: for listings and retention); throws {@linkcode BackupFormatError}. */
export async function readBackupHeader(path: string): Promise<BackupManifest> {
  const file = await Deno.open(path, { read: true });
  try {
    const header = await readUpTo(file, HEADER_BYTES);
    return decodeHeader(header, path);
  } finally {
    file.close();
  }
}

/**
 * Checks a whole backup: header, length and sha-256 of the payload. Returns the
 * manifest; throws {@linkcode BackupFormatError} saying what is wrong.
 */
export async function verifyBackupFile(path: string): Promise<BackupManifest> {
  const manifest = await readBackupHeader(path);
  const { size } = await Deno.stat(path);
  const actual = size - HEADER_BYTES;
  if (actual < manifest.bytes) {
    throw new BackupFormatError(
      `${path} is truncated: its header promises ${manifest.bytes} bytes of data, the file holds ${actual}; ` +
        "use another backup",
    );
  }
  if (actual > manifest.bytes) {
    throw new BackupFormatError(
      `${path} is damaged: ${actual - manifest.bytes} bytes follow the ${manifest.bytes} its header promises; ` +
        "use another backup",
    );
  }
  const hash = createHash("sha256");
  for await (const chunk of payloadStream(path)) hash.update(chunk);
  const sha256 = hash.digest("hex");
  if (sha256 !== manifest.sha256) {
    throw new BackupFormatError(
      `${path} is corrupt: its data's sha-256 is ${sha256.slice(0, 16)}…, the header records ` +
        `${manifest.sha256.slice(0, 16)}…; use another backup`,
    );
  }
  return manifest;
}

/** The payload's bytes, streamed from disk (verify first). */
export async function* payloadStream(path: string): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(HEADER_BYTES, Deno.SeekMode.Start);
    const buffer = new Uint8Array(256 * 1024);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) return;
      yield buffer.slice(0, n);
    }
  } finally {
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) written += await file.write(data.subarray(written));
}

async function readUpTo(file: Deno.FsFile, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(buffer.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}

/** Makes a new name in `folder` durable (Linux: fsync of the directory). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const dir = await Deno.open(folder, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  } catch {
    // Not every platform can open a directory; the link itself is still atomic.
  }
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
