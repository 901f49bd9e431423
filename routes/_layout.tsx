import type { PageProps } from "../lib/fresh/mod.ts";
import type { State } from "../lib/state.ts";

/** Header, main column and footer shared by every page. */
export default function Layout({ Component, state }: PageProps<unknown, State>) {
  const user = state.user;
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="site-header">
        <a class="brand" href={user ? "/app" : "/"}>
          <span class="brand-mark" aria-hidden="true"></span>ConsistencyGrid
        </a>
        <nav aria-label="Main">
          {user
            ? (
              <>
                <a href="/app">Dashboard</a>
                <a href="/goals">Goals</a>
                <a href="/activity">Activity</a>
                <a href="/export">Export</a>
                <a href="/reminders">Reminders</a>
                <a href="/notifications">
                  Notifications{state.unreadNotifications ? ` (${state.unreadNotifications})` : ""}
                </a>
                <a href="/settings">Settings</a>
                <form method="post" action="/logout" class="inline-form">
                  <button type="submit" class="link-button">Log out</button>
                </form>
              </>
            )
            : (
              <>
                <a href="/login">Log in</a>
                <a class="button" href="/signup">Sign up</a>
              </>
            )}
        </nav>
      </header>
      <main id="main" class="site-main">
        {state.flash && (
          <p class={`flash flash-${state.flash.kind}`} role="status">
            {state.flash.text}
          </p>
        )}
        <Component />
      </main>
      <footer class="site-footer">
        <p>ConsistencyGrid — show up, one square at a time.</p>
      </footer>
    </>
  );
}
