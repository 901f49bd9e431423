/**
 * Reads an uploaded zip with caps that hold against crafted archives, over `yauzl`.
 *
 * A zip says how big its files are, twice (central directory and local headers), and
 * either may lie. So, before anything is inflated ({@linkcode openZip}):
 *
 * - the number of entries the end record announces is capped;
 * - every entry's declared inflated size is capped, and so is their sum;
 * - every local header must agree with its central directory entry (name, method and,
 *   unless a data descriptor follows, sizes);
 * - no two entries may share bytes: the classic zip bomb lists one deflated stream many
 *   times (or overlaps them), so that 1 MiB of upload asks for terabytes;
 * - encrypted entries and methods other than stored/deflate are refused.
 *
 * Then, while an entry inflates ({@linkcode ZipArchive.open}), the bytes that actually
 * come out are counted against its declared size and against the total cap: a header
 * that lies stops the stream at the first chunk past it. Inflating is streaming
 * (zlib, chunk by chunk), so nothing past a cap is ever produced and other requests run
 * between chunks.
 *
 * @example
 * ```ts
 * const zip = await openZip(bytes, { entries: 100, entryBytes: 10 << 20, inflatedBytes: 20 << 20 });
 * try {
 *   for await (const chunk of zip.open(zip.entries[0])) { ... }
 * } finally {
 *   zip.close();
 * }
 * ```
 */
import { Buffer } from "node:buffer";
import type { Readable } from "node:stream";
import yauzl from "yauzl";

/** The caps {@linkcode openZip} enforces. */
export interface ZipLimits {
  /** Entries the archive may list. */
  entries: number;
  /** Inflated bytes of one entry. */
  entryBytes: number;
  /** Inflated bytes of all entries together. */
  inflatedBytes: number;
}

/** Why a zip was refused: `status` 413 for a cap, 400 for a damaged or crafted archive. */
export class ZipRefused extends Error {
  override name = "ZipRefused";
  constructor(readonly status: 400 | 413, readonly entry: string | null, message: string) {
    super(message);
  }
}

/** One file of the archive. */
export interface ZipEntry {
  name: string;
  /** Inflated size, as the central directory declares it (checked against the caps). */
  size: number;
}

/** An opened, checked archive. */
export interface ZipArchive {
  /** Every file (folders left out), in central directory order. */
  readonly entries: readonly ZipEntry[];
  /** The inflated bytes of `entry`, counted against the caps as they come. */
  open(entry: ZipEntry): ReadableStream<Uint8Array>;
  /** Releases the archive; open streams end. */
  close(): void;
}

// yauzl's types are not published with it; these are the parts used here.
interface YauzlEntry {
  fileName: string;
  fileNameRaw: Buffer;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
  generalPurposeBitFlag: number;
  relativeOffsetOfLocalHeader: number;
  isEncrypted(): boolean;
}
interface YauzlLocalHeader {
  fileDataStart: number;
  fileName: Buffer;
  compressionMethod: number;
  compressedSize: number;
  uncompressedSize: number;
  generalPurposeBitFlag: number;
}
interface YauzlZipFile {
  entryCount: number;
  eachEntry(): AsyncIterable<YauzlEntry>;
  readLocalFileHeaderPromise(entry: YauzlEntry): Promise<YauzlLocalHeader>;
  openReadStreamPromise(entry: YauzlEntry): Promise<Readable>;
  close(): void;
}

/** Bit 3 of the flags: sizes follow the data in a descriptor; the local header holds zeros. */
const DATA_DESCRIPTOR = 0x08;
const STORED = 0;
const DEFLATED = 8;

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Opens `bytes` as a zip and checks every cap that can be checked before inflating (see
 * the module header); throws {@linkcode ZipRefused} otherwise.
 */
export async function openZip(bytes: Uint8Array, limits: ZipLimits): Promise<ZipArchive> {
  let zip: YauzlZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {
      lazyEntries: true,
      // Counted here instead (see open()): yauzl's own count reports its error twice.
      validateEntrySizes: false,
      decodeStrings: true,
    }) as YauzlZipFile;
  } catch {
    throw new ZipRefused(400, null, "It is not a zip archive");
  }
  try {
    return await checked(zip, limits);
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function checked(zip: YauzlZipFile, limits: ZipLimits): Promise<ZipArchive> {
  if (zip.entryCount > limits.entries) {
    throw new ZipRefused(413, null, `It lists ${zip.entryCount} files`);
  }
  const raw: YauzlEntry[] = [];
  const names = new Set<string>();
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith("/")) continue; // a folder
      if (names.has(name)) throw new ZipRefused(400, name, "It is listed twice");
      names.add(name);
      if (entry.isEncrypted()) throw new ZipRefused(400, name, "It is encrypted");
      if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
        throw new ZipRefused(400, name, `It uses compression method ${entry.compressionMethod}; only deflate is read`);
      }
      if (entry.compressionMethod === STORED && entry.compressedSize !== entry.uncompressedSize) {
        throw new ZipRefused(400, name, "Its stored size and its size disagree");
      }
      if (entry.uncompressedSize > limits.entryBytes) {
        throw new ZipRefused(413, name, `It inflates to ${mib(entry.uncompressedSize)}`);
      }
      declared += entry.uncompressedSize;
      if (declared > limits.inflatedBytes) {
        throw new ZipRefused(413, name, `The files up to this one inflate to ${mib(declared)}`);
      }
      raw.push(entry);
    }
  } catch (error) {
    if (error instanceof ZipRefused) throw error;
    throw new ZipRefused(400, null, `Its list of files is damaged (${(error as Error).message})`);
  }

  // Local headers: read (30 bytes and a name each, nothing inflated), compared with the
  // central directory, and their data ranges must not overlap.
  const spans: { start: number; end: number; name: string }[] = [];
  for (const entry of raw) {
    let local: YauzlLocalHeader;
    try {
      local = await zip.readLocalFileHeaderPromise(entry);
    } catch (error) {
      throw new ZipRefused(400, entry.fileName, `Its local header is damaged (${(error as Error).message})`);
    }
    const sizesFollow = (local.generalPurposeBitFlag & DATA_DESCRIPTOR) !== 0;
    const agrees = Buffer.compare(local.fileName, entry.fileNameRaw) === 0 &&
      local.compressionMethod === entry.compressionMethod &&
      (sizesFollow || (local.compressedSize === entry.compressedSize &&
        local.uncompressedSize === entry.uncompressedSize));
    if (!agrees) throw new ZipRefused(400, entry.fileName, "Its two headers disagree about it");
    spans.push({
      start: entry.relativeOffsetOfLocalHeader,
      end: local.fileDataStart + entry.compressedSize,
      name: entry.fileName,
    });
  }
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) {
      throw new ZipRefused(400, spans[i].name, `It shares its bytes with ${spans[i - 1].name}`);
    }
  }

  const entries = raw.map((entry) => ({ name: entry.fileName, size: entry.uncompressedSize }));
  const rawOf = new Map(entries.map((entry, i) => [entry, raw[i]]));
  let inflated = 0;
  return {
    entries,
    open(entry) {
      const source = rawOf.get(entry);
      if (!source) throw new Error("openZip: not an entry of this archive");
      let stream: Readable | undefined;
      let chunks: AsyncIterator<Buffer> | undefined;
      let count = 0;
      const fail = (error: unknown): never => {
        stream?.destroy();
        if (error instanceof ZipRefused) throw error;
        // zlib refusing the data, or the data ending early.
        throw new ZipRefused(400, entry.name, `It does not inflate (${(error as Error).message})`);
      };
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            if (!chunks) {
              stream = await zip.openReadStreamPromise(source);
              // The iterator below reports the error; this keeps one emitted after the
              // iterator is done (zlib, once destroyed) from becoming an uncaught one.
              stream.on("error", () => {});
              chunks = stream[Symbol.asyncIterator]();
            }
            const { done, value } = await chunks.next();
            if (done) return controller.close();
            count += value.length;
            inflated += value.length;
            if (count > entry.size) {
              throw new ZipRefused(400, entry.name, "It inflates to more than its header says");
            }
            if (inflated > limits.inflatedBytes) {
              throw new ZipRefused(
                413,
                entry.name,
                `The files up to this one inflate to over ${mib(limits.inflatedBytes)}`,
              );
            }
            controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.length));
          } catch (error) {
            fail(error);
          }
        },
        cancel() {
          stream?.destroy();
        },
      });
    },
    close: () => zip.close(),
  };
}
