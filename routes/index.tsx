import { define } from "@/app/state.ts";

/** The landing page: no islands, so it ships no JavaScript. Signed in, it leads to the dashboard. */
export default define.page(function Landing({ state }) {
  return (
    <section class="hero">
      <h1>Build habits you can see.</h1>
      <p class="lead">
        ConsistencyGrid turns every day you show up into a square. A year of squares tells you more than any streak
        counter.
      </p>
      {state.user
        ? (
          <p>
            <a class="button button-primary" href="/app">Go to your dashboard</a>
          </p>
        )
        : (
          <p>
            <a class="button button-primary" href="/signup">Start tracking</a>{" "}
            <a class="button" href="/login">Log in</a>
          </p>
        )}
      <ul class="features">
        <li>
          <strong>A grid per habit.</strong> A year at a glance, in your own timezone.
        </li>
        <li>
          <strong>Goals with milestones.</strong> Pin what matters to the top.
        </li>
        <li>
          <strong>Works without JavaScript.</strong> Fast everywhere, instant where it helps.
        </li>
      </ul>
    </section>
  );
});
