import assert from "node:assert/strict";
import { parseRef } from "../types/ref.ts";
import { RefView } from "./ref_template.ts";

Deno.test("RefView follows regclient's IsSet: a registry reference needs a tag or digest", () => {
  const v = RefView.from(parseRef("registry.example/a/b@sha256:" + "a".repeat(64)));
  assert.equal(v.IsSet(), true);
  assert.equal(v.Tag, "");
  const layout = RefView.from(parseRef("ocidir://dir"));
  assert.equal(layout.IsSetRepo(), true);
  assert.equal(layout.IsSet(), true);
});

Deno.test("RefView methods return new views; the original is unchanged", () => {
  const v = RefView.from(parseRef("registry.example/a/b:v1"), "registry.example/a/b:v1");
  const d = "sha256:" + "b".repeat(64);
  assert.equal(v.AddDigest(d).CommonName(), `registry.example/a/b:v1@${d}`);
  assert.equal(v.SetDigest(d).CommonName(), `registry.example/a/b@${d}`);
  assert.equal(v.SetDigest(d).Reference, `registry.example/a/b@${d}`);
  assert.equal(v.CommonName(), "registry.example/a/b:v1");
  assert.equal(
    JSON.stringify(v),
    '{"Scheme":"reg","Reference":"registry.example/a/b:v1","Registry":"registry.example",' +
      '"Repository":"a/b","Tag":"v1","Digest":"","Path":""}',
  );
});
