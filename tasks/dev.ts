/**
 * `deno task dev`: builds, runs the server with `--watch` (restarts when a module or a
 * built asset changes) and rebuilds the manifest and islands when `routes/` or
 * `islands/` change.
 */
import { build } from "./build.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

await build({ dev: true });
const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--watch=static/,_fresh/", "main.ts"],
  cwd: ROOT,
  stdin: "inherit",
}).spawn();

let timer: ReturnType<typeof setTimeout> | undefined;
const watcher = Deno.watchFs([`${ROOT}/routes`, `${ROOT}/islands`, `${ROOT}/components`, `${ROOT}/lib/fresh/islands`]);
(async () => {
  for await (const _event of watcher) {
    clearTimeout(timer);
    // Editors write in bursts; rebuild once the burst is over.
    timer = setTimeout(() => {
      build({ dev: true }).then(
        (result) => console.log(JSON.stringify({ level: "info", msg: "dev.rebuilt", ...result })),
        (error) => console.error(JSON.stringify({ level: "error", msg: "dev.rebuild_failed", error: String(error) })),
      );
    }, 100);
  }
})();

const { code } = await server.status;
watcher.close();
Deno.exit(code);
