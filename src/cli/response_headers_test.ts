import assert from "node:assert/strict";
import { BlobView } from "./blob_view.ts";
import { canonicalHeaderKey, rawHeadersOf, withReceivedHeaders } from "./response_headers.ts";

Deno.test("canonicalHeaderKey() writes names as Go's CanonicalMIMEHeaderKey", () => {
  assert.equal(canonicalHeaderKey("content-type"), "Content-Type");
  assert.equal(canonicalHeaderKey("WWW-AUTHENTICATE"), "Www-Authenticate");
  assert.equal(canonicalHeaderKey("x-"), "X-");
  assert.equal(canonicalHeaderKey("bad key"), "bad key");
});

Deno.test("rawHeadersOf() keeps every header, repeated cookies apart", () => {
  const h = new Headers([["etag", '"x"'], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
  assert.deepEqual(rawHeadersOf(h), { "Etag": ['"x"'], "Set-Cookie": ["a=1", "b=2"] });
});

Deno.test("withReceivedHeaders() replaces only RawHeaders of a view", () => {
  const digest = "sha256:" + "a".repeat(64);
  const view = new BlobView({ mediaType: "application/octet-stream", digest, size: 3 });
  const h = new Headers({ "docker-content-digest": digest, "x-extra": "1" });
  const v = withReceivedHeaders(view, h);
  assert.deepEqual(v.RawHeaders(), { "Docker-Content-Digest": [digest], "X-Extra": ["1"] });
  assert.equal(v.Digest, digest);
  assert.equal(v.Size, 3);
  assert.equal(v.marshalPretty(), view.marshalPretty());
  assert.equal(withReceivedHeaders(view, undefined), view);
});
