import { HttpError, type PageProps } from "fresh";
import { ApiError } from "@/app/api_error.ts";
import type { State } from "@/app/state.ts";

/** Every error other than 404. Shows the request id for a 5xx so support can find the log line. */
export default function ErrorPage({ error, state }: PageProps<unknown, State>) {
  const status = error instanceof HttpError ? error.status : 500;
  const message = error instanceof HttpError ? error.message : "Something went wrong on our side";
  // A 400 the page's own form could not show (an unreadable body): name every field.
  const fields = error instanceof ApiError && status === 400 ? error.details?.fields : undefined;
  return (
    <section class="error-page">
      <h1>{status >= 500 ? "Something went wrong" : "We could not do that"}</h1>
      <p>{message}</p>
      {fields && typeof fields === "object" && (
        <ul class="error-fields">
          {Object.entries(fields as Record<string, string>).map(([field, problem]) => (
            <li key={field}>
              <code>{field}</code>: {problem}
            </li>
          ))}
        </ul>
      )}
      {status >= 500 && state?.requestId && (
        <p class="muted">
          Request id: <code>{state.requestId}</code>
        </p>
      )}
      <p>
        <a class="button" href="/">Go to the start page</a>
      </p>
    </section>
  );
}
