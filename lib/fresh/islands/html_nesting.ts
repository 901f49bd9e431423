/**
 * Finds element nestings that the browser's HTML parser restructures. Such HTML still
 * displays, but the DOM no longer matches what the server rendered: a `<div>` inside a
 * `<p>` closes the `<p>`, so an island's closing marker ends up outside its opening
 * marker's parent and the island cannot hydrate.
 *
 * Only the cases the WHATWG parsing algorithm ("in body" and "in table" insertion
 * modes) actually restructures are reported; merely invalid content models such as a
 * `<div>` inside a `<span>` parse as written and are fine for hydration.
 *
 * @module
 */

/** Start tags that close an open `<p>` (when it is in button scope). */
const CLOSES_P = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "center",
  "details",
  "dialog",
  "dir",
  "div",
  "dd",
  "dl",
  "dt",
  "fieldset",
  "figcaption",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hgroup",
  "hr",
  "li",
  "listing",
  "main",
  "menu",
  "nav",
  "ol",
  "p",
  "plaintext",
  "pre",
  "search",
  "section",
  "summary",
  "table",
  "ul",
  "xmp",
]);

/** Elements that bound the "default scope" (a search for an open element stops there). */
const DEFAULT_SCOPE = new Set([
  "applet",
  "caption",
  "html",
  "table",
  "td",
  "th",
  "marquee",
  "object",
  "template",
  "foreignObject",
  "desc",
  "title",
]);

/** Where the list of active formatting elements gets a marker, hiding an outer `<a>`. */
const FORMATTING_MARKERS = new Set(["applet", "object", "marquee", "template", "td", "th", "caption"]);

/** The parser's "special" elements, which stop the search for an open `<li>`/`<dd>`/`<dt>`. */
const SPECIAL = new Set([
  ...CLOSES_P,
  ...DEFAULT_SCOPE,
  "area",
  "base",
  "body",
  "br",
  "button",
  "col",
  "colgroup",
  "embed",
  "frame",
  "frameset",
  "head",
  "iframe",
  "img",
  "input",
  "link",
  "meta",
  "noembed",
  "noframes",
  "noscript",
  "param",
  "script",
  "select",
  "source",
  "style",
  "tbody",
  "textarea",
  "tfoot",
  "thead",
  "tr",
  "track",
  "wbr",
]);

const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
const TABLE_SECTIONS = new Set(["thead", "tbody", "tfoot"]);
/** Allowed anywhere in table structure without being moved. */
const TABLE_NEUTRAL = new Set(["script", "template", "style"]);
const TABLE_CHILDREN = new Set(["caption", "colgroup", "thead", "tbody", "tfoot"]);

/**
 * Describes how the parser would restructure `<tag>` placed under `ancestors`
 * (element names, nearest first), or returns undefined when it parses as written.
 *
 * @example
 * ```ts
 * nestingProblem("div", ["span", "p", "body", "html"]); // → "<div> inside <p>"
 * nestingProblem("span", ["p", "body", "html"]);        // → undefined
 * ```
 */
export function nestingProblem(tag: string, ancestors: readonly string[]): string | undefined {
  const parent = ancestors[0];
  if (parent !== undefined) {
    const table = tableProblem(tag, parent);
    if (table) return table;
  }
  if (CLOSES_P.has(tag) && openInScope(ancestors, "p", (a) => a === "button" || DEFAULT_SCOPE.has(a))) {
    return `<${tag}> inside <p>`;
  }
  if (HEADINGS.has(tag) && parent !== undefined && HEADINGS.has(parent)) {
    return `<${tag}> directly inside <${parent}>`;
  }
  switch (tag) {
    case "a":
      if (openInScope(ancestors, "a", (a) => FORMATTING_MARKERS.has(a))) return "<a> inside <a>";
      break;
    case "form":
      if (openInScope(ancestors, "form", (a) => a === "template")) return "<form> inside <form>";
      break;
    case "button":
      if (openInScope(ancestors, "button", (a) => DEFAULT_SCOPE.has(a))) return "<button> inside <button>";
      break;
    case "li":
      if (openListItem(ancestors, ["li"])) return "<li> inside <li>";
      break;
    case "dd":
    case "dt": {
      const open = openListItem(ancestors, ["dd", "dt"]);
      if (open) return `<${tag}> inside <${open}>`;
      break;
    }
  }
  return undefined;
}

function tableProblem(tag: string, parent: string): string | undefined {
  if (TABLE_NEUTRAL.has(tag)) return undefined;
  if (parent === "table" && !TABLE_CHILDREN.has(tag)) {
    return tag === "tr"
      ? "<tr> directly inside <table> (the parser adds a <tbody>)"
      : `<${tag}> directly inside <table> (the parser moves it out of the table)`;
  }
  if (TABLE_SECTIONS.has(parent) && tag !== "tr") return `<${tag}> directly inside <${parent}>`;
  if (parent === "tr" && tag !== "td" && tag !== "th") return `<${tag}> directly inside <tr>`;
  if ((tag === "td" || tag === "th") && parent !== "tr") return `<${tag}> outside a <tr>`;
  if (tag === "tr" && parent !== "table" && !TABLE_SECTIONS.has(parent)) return "<tr> outside a table";
  return undefined;
}

function openInScope(
  ancestors: readonly string[],
  name: string,
  isBoundary: (ancestor: string) => boolean,
): boolean {
  for (const ancestor of ancestors) {
    if (ancestor === name) return true;
    if (isBoundary(ancestor)) return false;
  }
  return false;
}

/** The parser's `<li>`/`<dd>`/`<dt>` rule: an open one is closed unless a special element intervenes. */
function openListItem(ancestors: readonly string[], names: readonly string[]): string | undefined {
  for (const ancestor of ancestors) {
    if (names.includes(ancestor)) return ancestor;
    if (SPECIAL.has(ancestor) && ancestor !== "address" && ancestor !== "div" && ancestor !== "p") {
      return undefined;
    }
  }
  return undefined;
}
