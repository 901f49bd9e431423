import { assertEquals } from "@/tests/support/assert.ts";
import { nestingProblem } from "@/lib/fresh/islands/html_nesting.ts";

/** [tag, ancestors nearest first, expected problem or undefined]. */
const CASES: [string, string[], string | undefined][] = [
  ["div", ["p", "body", "html"], "<div> inside <p>"],
  ["div", ["span", "em", "p", "body", "html"], "<div> inside <p>"],
  ["ul", ["p", "main", "body", "html"], "<ul> inside <p>"],
  ["p", ["p", "body", "html"], "<p> inside <p>"],
  ["table", ["p", "body", "html"], "<table> inside <p>"],
  ["span", ["p", "body", "html"], undefined],
  ["div", ["button", "p", "body", "html"], undefined],
  ["div", ["td", "tr", "tbody", "table", "p", "body", "html"], undefined],
  ["div", ["span", "body", "html"], undefined],
  ["div", ["div", "section", "body", "html"], undefined],
  ["a", ["span", "a", "body", "html"], "<a> inside <a>"],
  ["a", ["td", "tr", "tbody", "table", "a", "body", "html"], undefined],
  ["form", ["div", "form", "body", "html"], "<form> inside <form>"],
  ["button", ["span", "button", "body", "html"], "<button> inside <button>"],
  ["li", ["li", "ul", "body", "html"], "<li> inside <li>"],
  ["li", ["ul", "li", "ul", "body", "html"], undefined],
  ["li", ["div", "li", "ul", "body", "html"], "<li> inside <li>"],
  ["dd", ["dt", "dl", "body", "html"], "<dd> inside <dt>"],
  ["h2", ["h1", "body", "html"], "<h2> directly inside <h1>"],
  ["h2", ["span", "h1", "body", "html"], undefined],
  ["tr", ["table", "body", "html"], "<tr> directly inside <table> (the parser adds a <tbody>)"],
  ["tr", ["tbody", "table", "body", "html"], undefined],
  ["div", ["table", "body", "html"], "<div> directly inside <table> (the parser moves it out of the table)"],
  ["div", ["tbody", "table", "body", "html"], "<div> directly inside <tbody>"],
  ["span", ["tr", "tbody", "table", "body", "html"], "<span> directly inside <tr>"],
  ["td", ["tr", "tbody", "table", "body", "html"], undefined],
  ["td", ["div", "body", "html"], "<td> outside a <tr>"],
  ["tr", ["div", "body", "html"], "<tr> outside a table"],
  ["template", ["table", "body", "html"], undefined],
  ["caption", ["table", "body", "html"], undefined],
  ["html", [], undefined],
];

Deno.test("nestingProblem: reports what the HTML parser restructures, and only that", () => {
  for (const [tag, ancestors, expected] of CASES) {
    assertEquals(nestingProblem(tag, ancestors), expected, `<${tag}> in ${ancestors.join(" < ")}`);
  }
});
