/**
 * Zips built byte by byte, so tests can make the archives an attacker would: a central
 * directory that lists one deflated stream many times, headers that disagree or lie
 * about sizes. Honest archives come from fflate's `zipSync`; these come from here.
 *
 * @example
 * ```ts
 * const data = deflateSync(new Uint8Array(100_000_000));
 * const bomb = craftZip([{ name: "Habits.csv", data, size: 100_000_000 }], (local) =>
 *   Array.from({ length: 10 }, (_, i) => ({ name: `${i}.csv`, local: local[0] })));
 * ```
 */

/** One local entry: its stored bytes and what its headers declare. */
export interface CraftedFile {
  name: string;
  /** The bytes stored (already deflated for method 8). */
  data: Uint8Array;
  /** Declared inflated size (the local header's; the directory's unless overridden). */
  size: number;
  /** 8 = deflate (default), 0 = stored. */
  method?: number;
  /** Flags (bit 0 = encrypted, bit 3 = sizes in a data descriptor). */
  flags?: number;
}

/** A central directory record pointing at one of the local entries. */
export interface CraftedListing {
  name: string;
  /** Which local entry it points at (its offset). */
  local: { offset: number; file: CraftedFile };
  /** Declared inflated size; default the local entry's. */
  size?: number;
}

const encoder = new TextEncoder();

/**
 * Writes the local entries in order, then the central directory that `listings` makes
 * from them (default: one listing per entry, as an honest zip would).
 */
export function craftZip(
  files: CraftedFile[],
  listings?: (local: { offset: number; file: CraftedFile }[]) => CraftedListing[],
): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const locals: { offset: number; file: CraftedFile }[] = [];
  for (const file of files) {
    const name = encoder.encode(file.name);
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(6, file.flags ?? 0, true);
    header.setUint16(8, file.method ?? 8, true);
    // CRC-32 left 0: nothing here checks it, and it is no defence against size lies.
    header.setUint32(18, file.data.length, true);
    header.setUint32(22, file.size, true);
    header.setUint16(26, name.length, true);
    locals.push({ offset, file });
    for (const part of [new Uint8Array(header.buffer), name, file.data]) {
      parts.push(part);
      offset += part.length;
    }
  }
  const directoryStart = offset;
  const list: CraftedListing[] = listings
    ? listings(locals)
    : locals.map((local) => ({ name: local.file.name, local }));
  for (const listing of list) {
    const name = encoder.encode(listing.name);
    const record = new DataView(new ArrayBuffer(46));
    const { file } = listing.local;
    record.setUint32(0, 0x02014b50, true);
    record.setUint16(4, 20, true);
    record.setUint16(6, 20, true);
    record.setUint16(8, file.flags ?? 0, true);
    record.setUint16(10, file.method ?? 8, true);
    record.setUint32(20, file.data.length, true);
    record.setUint32(24, listing.size ?? file.size, true);
    record.setUint16(28, name.length, true);
    record.setUint32(42, listing.local.offset, true);
    for (const part of [new Uint8Array(record.buffer), name]) {
      parts.push(part);
      offset += part.length;
    }
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, list.length, true);
  end.setUint16(10, list.length, true);
  end.setUint32(12, offset - directoryStart, true);
  end.setUint32(16, directoryStart, true);
  parts.push(new Uint8Array(end.buffer));
  const zip = new Uint8Array(offset + 22);
  let at = 0;
  for (const part of parts) {
    zip.set(part, at);
    at += part.length;
  }
  return zip;
}
