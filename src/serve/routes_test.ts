import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { ApiError } from "./errors_body.ts";
import { isValidRepoName, isValidTag, parseRoute } from "./routes.ts";

Deno.test("parseRoute() maps every endpoint path to its route", () => {
  const d = "sha256:" + "a".repeat(64);
  const id = "0123456789abcdef0123456789abcdef";
  deepEqual(parseRoute("/v2/"), { kind: "base" });
  deepEqual(parseRoute("/v2"), { kind: "base" });
  deepEqual(parseRoute("/v2/_catalog"), { kind: "catalog" });
  deepEqual(parseRoute("/v2/a/b/manifests/v1"), { kind: "manifest", name: "a/b", reference: "v1" });
  deepEqual(parseRoute(`/v2/a/blobs/${d}`), { kind: "blob", name: "a", digest: d });
  deepEqual(parseRoute("/v2/a/blobs/uploads/"), { kind: "uploadStart", name: "a" });
  deepEqual(parseRoute("/v2/a/blobs/uploads"), { kind: "uploadStart", name: "a" });
  deepEqual(parseRoute(`/v2/a/blobs/uploads/${id}`), { kind: "upload", name: "a", id });
  deepEqual(parseRoute("/v2/a/tags/list"), { kind: "tags", name: "a" });
  deepEqual(parseRoute(`/v2/a/referrers/${d}`), { kind: "referrers", name: "a", digest: d });
  deepEqual(parseRoute("/v2/a/manifests/b/manifests/c"), {
    kind: "manifest",
    name: "a/manifests/b",
    reference: "c",
  });
});

Deno.test("parseRoute() returns undefined for paths that are no endpoint", () => {
  for (const p of ["/", "/v1/", "/v2/a", "/v2/a/tags", "/v2/a/manifests/", "/v2/a/x/y"]) {
    equal(parseRoute(p), undefined, p);
  }
});

Deno.test("parseRoute() rejects invalid names with NAME_INVALID and bad upload ids with BLOB_UPLOAD_UNKNOWN", () => {
  for (
    const name of [
      "A",
      "a%2Fb",
      "a//b",
      "-a",
      "a/",
      "a/blobs",
      "a/index.json",
      "a/oci-layout",
      ".x",
    ]
  ) {
    throws(() => parseRoute(`/v2/${name}/tags/list`), (err: unknown) => {
      return err instanceof ApiError && err.status === 400 &&
        err.entries[0]?.code === "NAME_INVALID";
    }, name);
  }
  throws(() => parseRoute("/v2/a/blobs/uploads/..%2Fx"), (err: unknown) => {
    return err instanceof ApiError && err.status === 404 &&
      err.entries[0]?.code === "BLOB_UPLOAD_UNKNOWN";
  });
});

Deno.test("isValidRepoName() follows the spec regex and the 255-character cap", () => {
  ok(isValidRepoName("a"));
  ok(isValidRepoName("a.b_c__d-e---f/g0"));
  ok(!isValidRepoName("a..b"));
  ok(!isValidRepoName("a___b"));
  ok(!isValidRepoName(""));
  ok(isValidRepoName("a".repeat(255)));
  ok(!isValidRepoName("a".repeat(256)));
});

Deno.test("parseRoute() routes repositories named like route words (blobs, manifests, tags, referrers, uploads)", () => {
  const d = "sha256:" + "a".repeat(64);
  for (
    const name of ["blobs", "manifests", "tags", "referrers", "uploads", "blobs/x", "x/uploads"]
  ) {
    deepEqual(parseRoute(`/v2/${name}/blobs/${d}`), { kind: "blob", name, digest: d });
    deepEqual(parseRoute(`/v2/${name}/manifests/v1`), { kind: "manifest", name, reference: "v1" });
    deepEqual(parseRoute(`/v2/${name}/tags/list`), { kind: "tags", name });
    deepEqual(parseRoute(`/v2/${name}/referrers/${d}`), { kind: "referrers", name, digest: d });
    deepEqual(parseRoute(`/v2/${name}/blobs/uploads/`), { kind: "uploadStart", name });
  }
});

Deno.test("isValidTag() accepts 128 characters and refuses a leading dot or dash", () => {
  ok(isValidTag("v1.0_rc-1"));
  ok(isValidTag("_x"));
  ok(isValidTag("a".repeat(128)));
  ok(!isValidTag("a".repeat(129)));
  ok(!isValidTag(".x"));
  ok(!isValidTag("-x"));
  ok(!isValidTag("a:b"));
});
