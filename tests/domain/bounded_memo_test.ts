import { assertEquals } from "@/tests/support/assert.ts";
import { BoundedMemo } from "@/domain/bounded_memo.ts";

Deno.test("BoundedMemo: remembers what it is given, and starts over when it is full", () => {
  const memo = new BoundedMemo<string, number>(3);
  assertEquals(memo.remember("a", 1), 1);
  memo.remember("b", 2);
  memo.remember("c", 3);
  assertEquals([...memo.entries()], [["a", 1], ["b", 2], ["c", 3]]);
  assertEquals(memo.remember("d", 4), 4, "the value is returned");
  assertEquals([...memo.entries()], [["d", 4]], "full: emptied before storing");
  assertEquals(memo.get("a"), undefined);
});
