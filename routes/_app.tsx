import type { PageProps } from "fresh";
import type { State } from "@/app/state.ts";

/** The document shell around every page. */
export default function App({ Component, state }: PageProps<unknown, State>) {
  const theme = state.user?.theme;
  return (
    <html lang="en" data-theme={theme && theme !== "system" ? theme : undefined}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{state.title ? `${state.title} · ConsistencyGrid` : "ConsistencyGrid"}</title>
        <link rel="stylesheet" href="/styles.css" />
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        {/* Installable on Android and iOS home screens (push reminders need it on iOS). */}
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="apple-touch-icon" href="/apple-touch-icon.png" />
      </head>
      <body>
        <Component />
      </body>
    </html>
  );
}
