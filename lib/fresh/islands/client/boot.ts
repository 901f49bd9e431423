/**
 * The client entry point (`/_fresh/js/boot-<hash>.js`): hydrates the page's islands.
 * Loaded by the `<script type="module">` that `renderToHtml` adds to pages with islands.
 *
 * @module
 */
import { hydrateIslands } from "./hydrate_islands.ts";

hydrateIslands();
