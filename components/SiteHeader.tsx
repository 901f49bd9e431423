/**
 * The site header: the brand and the main navigation. It needs no JavaScript at any
 * width. Signed in, the links sit in a `<details>` disclosure: on a phone its "Menu"
 * button opens them as a panel under the header; from 48rem up the stylesheet shows
 * them in a row and hides the button (styles.css, "Header and navigation"). Browsers
 * without `::details-content` keep the button at every width, which still works.
 *
 * @example
 * ```tsx
 * <SiteHeader signedIn path={url.pathname} unreadNotifications={3} />
 * ```
 */
import { countOf } from "./habit_labels.ts";

/** The signed-in navigation, in menu order. */
export const NAV_LINKS: readonly { href: string; label: string }[] = [
  { href: "/app", label: "Dashboard" },
  { href: "/goals", label: "Goals" },
  { href: "/reminders", label: "Reminders" },
  { href: "/notifications", label: "Notifications" },
  { href: "/activity", label: "Activity" },
  { href: "/export", label: "Export" },
  { href: "/settings", label: "Settings" },
];

export interface SiteHeaderProps {
  signedIn: boolean;
  /** The current page's path: its link is marked `aria-current="page"`. */
  path: string;
  unreadNotifications?: number;
}

/** The link of the section `path` belongs to (`/goals/abc` → `/goals`, `/habits/abc` → `/app`). */
function currentSection(path: string): string | undefined {
  if (path.startsWith("/habits/")) return "/app";
  return NAV_LINKS.find((link) => path === link.href || path.startsWith(`${link.href}/`))?.href;
}

function UnreadCount({ count }: { count: number }) {
  return (
    <>
      <span class="nav-count" aria-hidden="true">{count > 99 ? "99+" : count}</span>
      <span class="visually-hidden">({countOf(count, "unread notification")})</span>
    </>
  );
}

export function SiteHeader({ signedIn, path, unreadNotifications = 0 }: SiteHeaderProps) {
  const section = currentSection(path);
  return (
    <header class="site-header">
      <a class="brand" href={signedIn ? "/app" : "/"}>
        <span class="brand-mark" aria-hidden="true"></span>ConsistencyGrid
      </a>
      {signedIn
        ? (
          <details class="site-menu">
            <summary class="site-menu-button">
              <svg class="site-menu-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
                <path d="M2 4h12M2 8h12M2 12h12" />
              </svg>
              Menu
              {unreadNotifications > 0 && <UnreadCount count={unreadNotifications} />}
            </summary>
            <nav aria-label="Main" class="site-nav">
              <ul>
                {NAV_LINKS.map((link) => (
                  <li>
                    <a
                      href={link.href}
                      aria-current={link.href === path ? "page" : link.href === section ? "true" : undefined}
                    >
                      {link.label}
                      {link.href === "/notifications" && unreadNotifications > 0 && (
                        <UnreadCount count={unreadNotifications} />
                      )}
                    </a>
                  </li>
                ))}
                <li>
                  <form method="post" action="/logout" class="inline-form">
                    <button type="submit" class="link-button">Log out</button>
                  </form>
                </li>
              </ul>
            </nav>
          </details>
        )
        : (
          <nav aria-label="Main" class="site-nav site-nav-public">
            <a href="/login" aria-current={path === "/login" ? "page" : undefined}>Log in</a>
            <a class="button button-primary" href="/signup" aria-current={path === "/signup" ? "page" : undefined}>
              Sign up
            </a>
          </nav>
        )}
    </header>
  );
}
