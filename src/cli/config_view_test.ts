import assert from "node:assert/strict";
import { ConfigView } from "./config_view.ts";

const raw = new TextEncoder().encode(
  '{"created":"2024-01-01T00:00:00Z","architecture":"arm64","os":"linux","variant":"v8",' +
    '"config":{"Env":["A=1"]},"rootfs":{"type":"layers","diff_ids":["sha256:x"]},"history":[{}]}',
);
const desc = {
  mediaType: "application/vnd.oci.image.config.v1+json",
  digest: "sha256:" + "e".repeat(64),
  size: raw.byteLength,
};

Deno.test("ConfigView exposes Go field names and the exact bytes", () => {
  const v = new ConfigView(desc, raw);
  assert.equal(v.Created?.String(), "2024-01-01 00:00:00 +0000 UTC");
  assert.equal(v.Created?.Unix(), 1704067200);
  assert.equal(v.Platform.String(), "linux/arm64");
  assert.equal(v.Variant, "v8");
  assert.equal(v.OS, "linux");
  assert.deepEqual(v.Config.Env, ["A=1"]);
  assert.equal(v.Config.Labels.size, 0);
  assert.deepEqual(v.RootFS.DiffIDs, ["sha256:x"]);
  assert.equal(v.History.length, 1);
  assert.equal(v.Author, "");
  assert.equal(v.RawBody(), raw);
  assert.equal(v.GetDescriptor().Digest, desc.digest);
  assert.deepEqual(v.RawHeaders()["Content-Length"], [String(raw.byteLength)]);
  assert.deepEqual(JSON.parse(v.marshalPretty()), JSON.parse(new TextDecoder().decode(raw)));
});

Deno.test("ConfigView refuses bytes that are not JSON", () => {
  assert.throws(() => new ConfigView(desc, new TextEncoder().encode("{")), SyntaxError);
});
