import { deepEqual, equal } from "node:assert/strict";
import { parseRange, sliceStream } from "./_range.ts";

Deno.test("parseRange() handles a-b, a-, -n, clamping, and unsatisfiable ranges", () => {
  deepEqual(parseRange("bytes=0-4", 10), { start: 0, end: 4 });
  deepEqual(parseRange("bytes=3-", 10), { start: 3, end: 9 });
  deepEqual(parseRange("bytes=-3", 10), { start: 7, end: 9 });
  deepEqual(parseRange("bytes=-30", 10), { start: 0, end: 9 });
  deepEqual(parseRange("bytes=5-99", 10), { start: 5, end: 9 });
  equal(parseRange("bytes=5-1", 10), "unsatisfiable");
  equal(parseRange("bytes=10-", 10), "unsatisfiable");
  equal(parseRange("bytes=-0", 10), "unsatisfiable");
  equal(parseRange("bytes=0-0", 0), "unsatisfiable");
  equal(parseRange(null, 10), undefined);
  equal(parseRange("bytes=0-1,3-4", 10), undefined);
  equal(parseRange("items=0-1", 10), undefined);
  equal(parseRange("bytes=-", 10), undefined);
});

Deno.test("sliceStream() emits only the range but reads the input to its end", async () => {
  let pulled = 0;
  const chunks = [[0, 1, 2], [3, 4], [5, 6, 7, 8], [9]].map((c) => new Uint8Array(c));
  const input = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks[pulled++];
      if (next === undefined) c.close();
      else c.enqueue(next);
    },
  });
  const out = new Uint8Array(
    await new Response(sliceStream(input, { start: 2, end: 5 })).arrayBuffer(),
  );
  deepEqual([...out], [2, 3, 4, 5]);
  equal(pulled, 5);
});
