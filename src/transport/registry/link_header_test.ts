import assert from "node:assert/strict";
import { parseLinkNext } from "./link_header.ts";

const base = new URL("https://reg.example/v2/a/tags/list?n=10");

Deno.test("parseLinkNext() resolves relative and absolute next links", () => {
  assert.equal(
    parseLinkNext('</v2/a/tags/list?last=x&n=10>; rel="next"', base)?.href,
    "https://reg.example/v2/a/tags/list?last=x&n=10",
  );
  assert.equal(
    parseLinkNext("<https://other.example/p?q=1>; rel=next", base)?.href,
    "https://other.example/p?q=1",
  );
});

Deno.test("parseLinkNext() picks next among several links and ignores others", () => {
  const h = '</first>; rel="first", </second>; title="a, b"; rel="prev next"';
  assert.equal(parseLinkNext(h, base)?.pathname, "/second");
  assert.equal(parseLinkNext('</p>; rel="prev"', base), undefined);
  assert.equal(parseLinkNext(null, base), undefined);
  assert.equal(parseLinkNext("garbage", base), undefined);
});
