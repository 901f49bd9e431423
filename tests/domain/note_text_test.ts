import { assertEquals } from "../support/assert.ts";
import { MARK_END, MARK_START, markedSegments, notePreview } from "@/domain/note_text.ts";
import { NOTE_QUERY_MAX, parseNoteSearch } from "@/domain/note_search.ts";

Deno.test("note preview: one line, cut by characters as people count them, never inside an emoji", () => {
  assertEquals(notePreview("Ran 5 km\nin the   rain", 100), { text: "Ran 5 km in the rain", cut: false });
  assertEquals(notePreview("Ran 5 km\nin the rain", 9), { text: "Ran 5 km…", cut: true });
  const family = "👩‍👩‍👧";
  assertEquals(notePreview(`${family}${family}${family}`, 2), { text: `${family}${family}…`, cut: true });
  assertEquals(notePreview("é".normalize("NFD").repeat(3), 3).cut, false);
  assertEquals(notePreview("abc", 3), { text: "abc", cut: false });
});

Deno.test("marked segments: matches come out as marked pieces, the rest as text", () => {
  assertEquals(markedSegments(`Ran in the ${MARK_START}rain${MARK_END}, <b>${MARK_START}rain${MARK_END}</b>`), [
    { text: "Ran in the ", marked: false },
    { text: "rain", marked: true },
    { text: ", <b>", marked: false },
    { text: "rain", marked: true },
    { text: "</b>", marked: false },
  ]);
  assertEquals(markedSegments("no match"), [{ text: "no match", marked: false }]);
  assertEquals(markedSegments(""), []);
});

Deno.test("note search query: trimmed, capped, NUL and lone surrogates dropped, page clamped", () => {
  const read = (query: Record<string, string>) => parseNoteSearch(new URLSearchParams(query));
  assertEquals(read({}), { q: "", page: 1, problem: null });
  assertEquals(read({ q: "  rain  -snow ", page: "2" }), { q: "rain -snow", page: 2, problem: null });
  // URLSearchParams already turns a lone surrogate into U+FFFD, which Postgres text can hold.
  assertEquals(read({ q: "a\u0000b\uD800c" }).q, "a b\uFFFDc");
  const long = read({ q: "x".repeat(NOTE_QUERY_MAX + 50) });
  assertEquals([long.q.length, long.problem !== null], [NOTE_QUERY_MAX, true]);
  for (const page of ["0", "-1", "abc", "1e3", "99999"]) assertEquals(read({ q: "a", page }).page >= 1, true, page);
  assertEquals(read({ q: "a", page: "9999" }).page, 500);
  assertEquals(read({ q: "a", page: "abc" }).page, 1);
});
