/**
 * The habit page's "Share" card: turn a secret link to the habit's year grid on or off,
 * choose whether it shows the habit's name, replace the link. Plain forms posting to
 * `/habits/<id>/share` (no JavaScript needed).
 *
 * @example
 * ```tsx
 * <ShareControl habitId={habit.id} share={share} origin={config.appOrigin} />
 * ```
 */

/** Props of {@linkcode ShareControl}. */
export interface ShareControlProps {
  habitId: string;
  /** The habit's current link (its token, and whether it shows the name), if shared. */
  share?: { token: string; showName: boolean };
  /** The app's origin, for the absolute link. */
  origin: string;
}

/** The share card. */
export function ShareControl({ habitId, share, origin }: ShareControlProps) {
  const action = `/habits/${habitId}/share`;
  return (
    <section class="card" id="share" aria-labelledby="share-heading">
      <h2 id="share-heading">Share</h2>
      {share
        ? (
          <>
            <p>
              Anyone with this link sees this habit's year grid (and nothing else of yours){share.showName
                ? ", with its name"
                : ", without its name"}:
            </p>
            <p>
              <label for="share-url" class="visually-hidden">Share link</label>
              <input
                id="share-url"
                class="token-secret-value"
                type="text"
                readOnly
                value={`${origin}/s/${share.token}`}
              />
            </p>
            <p class="muted small">
              Image for embedding: <code>{`${origin}/s/${share.token}.svg`}</code>
            </p>
            <div class="manage">
              <form method="post" action={action} class="inline-form">
                <input type="hidden" name="intent" value={share.showName ? "hide-name" : "show-name"} />
                <button type="submit" class="button">{share.showName ? "Hide the name" : "Show the name"}</button>
              </form>
              <form method="post" action={action} class="inline-form">
                <input type="hidden" name="intent" value="rotate" />
                <button type="submit" class="button">New link</button>
              </form>
              <form method="post" action={action} class="inline-form">
                <input type="hidden" name="intent" value="unshare" />
                <button type="submit" class="button button-danger">Stop sharing</button>
              </form>
            </div>
            <p class="muted small">A new link or stopping sharing makes the old link stop working within a minute.</p>
          </>
        )
        : (
          <form method="post" action={action}>
            <p>Make a secret link to this habit's year grid, to send or to embed as an image.</p>
            <label class="choice" for="share-show-name">
              <input type="checkbox" id="share-show-name" name="showName" value="true" /> Show the habit's name
            </label>
            <input type="hidden" name="intent" value="share" />
            <p>
              <button type="submit" class="button">Create a share link</button>
            </p>
          </form>
        )}
    </section>
  );
}
