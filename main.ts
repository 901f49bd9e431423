import { main } from "./lib/server.ts";

if (import.meta.main) await main();
