import assert from "node:assert/strict";
import { mergeHost } from "./host_merge.ts";

Deno.test("mergeHost() lets set fields of the later entry override", () => {
  const merged = mergeHost(
    { name: "r.example", tls: "enabled", hostname: "a.example", reqConcurrent: 2 },
    { tls: "disabled", hostname: "", reqConcurrent: 0, blobChunk: 4096 },
  );
  assert.deepEqual(merged, {
    name: "r.example",
    tls: "disabled",
    hostname: "a.example",
    reqConcurrent: 2,
    blobChunk: 4096,
  });
});

Deno.test("mergeHost() clears an inherited credHelper when a password or token is set", () => {
  const base = { name: "r", credHelper: "docker-credential-x", credExpire: "5m" };
  assert.deepEqual(mergeHost(base, { user: "u", pass: "p" }), { name: "r", user: "u", pass: "p" });
  assert.deepEqual(mergeHost(base, { token: "t" }), { name: "r", token: "t" });
  // a user alone keeps the helper
  assert.equal(mergeHost(base, { user: "u" }).credHelper, "docker-credential-x");
});

Deno.test("mergeHost() clears inherited credentials when a credHelper comes without them", () => {
  const base = { name: "r", user: "u", pass: "p", token: "t" };
  assert.deepEqual(mergeHost(base, { credHelper: "docker-credential-y" }), {
    name: "r",
    credHelper: "docker-credential-y",
  });
});

Deno.test("mergeHost() merges apiOpts key by key and trims the path prefix", () => {
  const merged = mergeHost(
    { name: "r", apiOpts: { disableHead: "true", other: "1" } },
    { apiOpts: { other: "2" }, pathPrefix: "/mirror/ns/" },
  );
  assert.deepEqual(merged.apiOpts, { disableHead: "true", other: "2" });
  assert.equal(merged.pathPrefix, "mirror/ns");
});

Deno.test("mergeHost() warns when the login user changes and leaves the base untouched", () => {
  const notes: string[] = [];
  const base = { name: "r", user: "a" };
  const merged = mergeHost(base, { user: "b" }, (m) => notes.push(m));
  assert.equal(merged.user, "b");
  assert.equal(base.user, "a");
  assert.equal(notes.length, 1);
  assert.equal(mergeHost(base, { user: "a" }, (m) => notes.push(m)).user, "a");
  assert.equal(notes.length, 1);
});
