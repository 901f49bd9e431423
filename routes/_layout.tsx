import { SiteHeader } from "@/components/SiteHeader.tsx";
import type { PageProps } from "fresh";
import type { State } from "@/app/state.ts";

/** Header, main column and footer shared by every page. */
export default function Layout({ Component, state, url }: PageProps<unknown, State>) {
  const user = state.user;
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <SiteHeader signedIn={user !== undefined} path={url.pathname} unreadNotifications={state.unreadNotifications} />
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
