/** The embedded database on disk: created on first start, kept, and never opened twice. */
import { equal, fail, ok } from "node:assert/strict";
import { openDb } from "@/db/client.ts";
import { loadConfig } from "@/lib/config.ts";

// About the embedded backend only: the run against real Postgres skips it.
const ignore = Boolean(Deno.env.get("DATABASE_URL"));

function embeddedConfig(dataDir: string) {
  return { ...loadConfig(() => undefined), dataDir };
}

Deno.test({
  name: "first start creates the data directory; data survives a restart",
  ignore,
}, async () => {
  const root = await Deno.makeTempDir({ prefix: "cg-data-" });
  const dataDir = `${root}/nested/data`;
  try {
    let started = performance.now();
    const first = await openDb(embeddedConfig(dataDir));
    const firstOpenMs = performance.now() - started;
    equal(first.backend, "pglite");
    await first.sql`create table kept (note text)`;
    await first.sql`insert into kept values ('still here')`;
    await first.close();
    ok((await Deno.stat(`${dataDir}/pglite/PG_VERSION`)).isFile);

    started = performance.now();
    const again = await openDb(embeddedConfig(dataDir));
    const reopenMs = performance.now() - started;
    try {
      equal((await again.sql`select note from kept`)[0].note, "still here");
    } finally {
      await again.close();
    }
    console.log(
      `embedded on disk: first open ${firstOpenMs.toFixed(0)} ms, reopen ${reopenMs.toFixed(0)} ms`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "a data directory in use cannot be opened a second time",
  ignore,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cg-data-" });
  try {
    const db = await openDb(embeddedConfig(dataDir));
    try {
      await openDb(embeddedConfig(dataDir)).then(
        async (second) => {
          await second.close();
          fail("opened the same embedded database twice");
        },
        (error: Error) => ok(/already open in another process/.test(error.message), error.message),
      );
      equal((await db.sql`select 1 as one`)[0].one, 1, "the first one is unharmed");
    } finally {
      await db.close();
    }
    // Released on close.
    const after = await openDb(embeddedConfig(dataDir));
    await after.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
