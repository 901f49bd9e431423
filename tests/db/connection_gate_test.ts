/** db/connection_gate.ts: permits handed out first come first served, and given back once. */
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { ConnectionGate } from "@/db/connection_gate.ts";

Deno.test("a gate hands out its permits, then queues waiters in order", async () => {
  const gate = new ConnectionGate(2);
  const first = await gate.acquire();
  const second = await gate.acquire();
  const order: number[] = [];
  const third = gate.acquire().then((release) => (order.push(3), release));
  const fourth = gate.acquire().then((release) => (order.push(4), release));
  equal(gate.waiting, 2);
  await Promise.resolve();
  deepStrictEqual(order, [], "nobody gets a permit while both are held");
  first();
  first(); // twice is harmless: it frees one permit, not two
  (await third)();
  deepStrictEqual(order, [3]);
  second();
  (await fourth)();
  deepStrictEqual(order, [3, 4]);
  equal(gate.waiting, 0);
  // Both permits are free again: two acquire at once, a third waits.
  await gate.acquire();
  await gate.acquire();
  let got = false;
  gate.acquire().then(() => got = true);
  await new Promise((resolve) => setTimeout(resolve, 10));
  equal(got, false);
});

Deno.test("a gate needs at least one permit", () => {
  throws(() => new ConnectionGate(0), RangeError);
  throws(() => new ConnectionGate(1.5), RangeError);
});
