import { main } from "@/app/server.ts";
import manifest from "@/fresh.gen.ts";

if (import.meta.main) await main({ manifest });
