import type { PageProps } from "fresh";
import type { State } from "@/app/state.ts";

export default function NotFound({ url }: PageProps<unknown, State>) {
  return (
    <section class="error-page">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{url.pathname}</code>.
      </p>
      <p>
        <a class="button" href="/">Go to the start page</a>
      </p>
    </section>
  );
}
