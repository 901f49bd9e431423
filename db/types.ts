/**
 * How Postgres values become JavaScript values: one table, used by every pool, so
 * embedded PGlite and real Postgres (direct or through PgBouncer) return identical
 * shapes. Both backends speak the wire protocol to postgres.js, which applies it.
 *
 * | Postgres                  | JavaScript                                          |
 * |---------------------------|-----------------------------------------------------|
 * | `int2`, `int4`, `float*`  | `number` (postgres.js default)                      |
 * | `int8` (`count(*)`, ids)  | `number`; a value beyond ±2^53 throws (see below)   |
 * | `numeric`                 | `number` (a double: cast to `text` for exact money) |
 * | `timestamptz`             | `Date`                                              |
 * | `timestamp` (no zone)     | `Date`, read as UTC                                 |
 * | `date`                    | `"YYYY-MM-DD"` string: a user-local calendar day    |
 * | arrays of the above       | arrays of the same                                  |
 *
 * `int8` beyond `Number.MAX_SAFE_INTEGER` throws a `RangeError` rather than coming
 * back as a string or a rounded number: a value that is sometimes a string breaks
 * arithmetic silently, a rounded id points at another row. Nothing in this schema
 * gets near 2^53; a query that truly needs it casts to `text`.
 *
 * A `date` stays a string because the app's dates are calendar days in the user's
 * timezone: a `Date` is an instant and would shift the day across timezones.
 *
 * @example
 * ```ts
 * const sql = postgres(url, { types: PG_TYPES });
 * const [row] = await sql`select count(*) as n, current_date as day`;
 * row.n; // 3
 * row.day; // "2026-11-22"
 * ```
 */

/** Type OIDs (from `pg_type`) that the table below handles. */
export const OID = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

/** Parses an `int8` text value to a number, refusing to lose precision. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(
      `int8 value ${text} does not fit a JavaScript number exactly; ` +
        "cast it to text in the query (e.g. id::text)",
    );
  }
  return n;
}

/** Parses a `timestamp without time zone`, which Postgres prints without offset, as UTC. */
export function parseTimestamp(text: string): Date {
  return new Date(text.replace(" ", "T") + "Z");
}

function serializeDate(value: unknown): string {
  if (value instanceof Date) {
    throw new TypeError(
      "a date parameter needs a 'YYYY-MM-DD' string (a user-local day), not a Date",
    );
  }
  return String(value);
}

/**
 * The postgres.js `types` option. Parsers run on every row of every query, so they
 * are kept to one conversion each.
 */
export const PG_TYPES = {
  int8: {
    to: OID.int8,
    from: [OID.int8],
    serialize: (value: number | bigint | string) => String(value),
    parse: parseInt8,
  },
  numeric: {
    to: OID.numeric,
    from: [OID.numeric],
    serialize: (value: number | string) => String(value),
    parse: (text: string) => Number(text),
  },
  date: {
    to: OID.date,
    from: [OID.date],
    serialize: serializeDate,
    parse: (text: string) => text,
  },
  timestamp: {
    to: OID.timestamp,
    from: [OID.timestamp],
    serialize: (value: Date | string) => value instanceof Date ? value.toISOString() : value,
    parse: parseTimestamp,
  },
  timestamptz: {
    to: OID.timestamptz,
    from: [OID.timestamptz],
    serialize: (value: Date | string) => value instanceof Date ? value.toISOString() : value,
    parse: (text: string) => new Date(text),
  },
};

/**
 * Session settings sent at connection start-up (PgBouncer passes these through):
 * UTC so that server-side `now()::date` and month boundaries (export quotas are
 * per UTC calendar month) do not depend on the server's configuration, and ISO
 * dates so `date` columns always print as `YYYY-MM-DD`.
 */
export const SESSION_PARAMETERS = {
  TimeZone: "UTC",
  DateStyle: "ISO, MDY",
  application_name: "consistencygrid",
};
