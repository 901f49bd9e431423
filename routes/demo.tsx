import Counter from "../islands/Counter.tsx";
import { page } from "../lib/fresh/mod.ts";
import { define } from "../lib/state.ts";

export const handler = define.handlers({
  GET: () => page({ since: new Date("2026-01-01T00:00:00Z") }),
});

/** A page with one island, showing the island pipeline end to end. */
export default define.page<typeof handler>(function Demo({ data }) {
  return (
    <section>
      <h1>Islands demo</h1>
      <p>The counter below is rendered on the server and hydrated in the browser.</p>
      <Counter start={3} since={data.since} />
    </section>
  );
});
