/**
 * Renders a page: the page component inside its layouts inside `_app`, to a whole
 * HTML document with island markers, and the boot script only when islands rendered.
 */
import { type ComponentType, h, type VNode } from "preact";
import { type IslandAssets, type IslandEntry, renderToHtml } from "./islands/server.ts";
import type { PageProps } from "./types.ts";

export interface RenderInput {
  // deno-lint-ignore no-explicit-any
  app: ComponentType<PageProps<any, any>> | undefined;
  // deno-lint-ignore no-explicit-any
  layouts: ComponentType<PageProps<any, any>>[];
  // deno-lint-ignore no-explicit-any
  page: ComponentType<PageProps<any, any>>;
  // deno-lint-ignore no-explicit-any
  props: Omit<PageProps<any, any>, "Component">;
  islands: readonly IslandEntry[];
  assets: IslandAssets | null;
  nonce: string;
}

/** Renders to a complete `<!DOCTYPE html>` document string. */
export function renderDocument(input: RenderInput): string {
  const { props } = input;
  let Inner: ComponentType = () => h(input.page, { ...props, Component: Empty });
  for (const layout of [...input.layouts].reverse()) {
    const Child: ComponentType = Inner;
    Inner = (): VNode<unknown> => h(layout, { ...props, Component: Child }) as VNode<unknown>;
  }
  const root = input.app
    ? h(input.app, { ...props, Component: Inner })
    : h("html", null, h("body", null, h(Inner, null)));
  const { html } = renderToHtml(root, { islands: input.islands, assets: input.assets, nonce: input.nonce });
  return "<!DOCTYPE html>" + html;
}

function Empty() {
  return null;
}
