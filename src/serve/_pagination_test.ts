import { deepEqual, equal, throws } from "node:assert/strict";
import { paginate } from "./_pagination.ts";
import { ApiError } from "./errors_body.ts";

const items = ["a", "b", "c", "d", "e"];
const q = (s: string) => new URLSearchParams(s);

Deno.test("paginate() returns everything without n, and what follows last", () => {
  deepEqual(paginate(items, q(""), "/p"), { page: items, link: undefined });
  deepEqual(paginate(items, q("last=b"), "/p"), { page: ["c", "d", "e"], link: undefined });
});

Deno.test("paginate() pages with a quoted rel=next Link until the end", () => {
  deepEqual(paginate(items, q("n=2"), "/p"), {
    page: ["a", "b"],
    link: '</p?n=2&last=b>; rel="next"',
  });
  deepEqual(paginate(items, q("n=2&last=c"), "/p"), { page: ["d", "e"], link: undefined });
  deepEqual(paginate(items, q("n=0"), "/p"), { page: [], link: undefined });
  equal(paginate(items, q("n=99999999"), "/p").page.length, 5);
});

Deno.test("paginate() refuses a negative or non-numeric n with 400", () => {
  for (const n of ["-1", "x", "1e3", "2.5"]) {
    throws(
      () => paginate(items, q(`n=${n}`), "/p"),
      (e: unknown) => e instanceof ApiError && e.status === 400,
    );
  }
});
