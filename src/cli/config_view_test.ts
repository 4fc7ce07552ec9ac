import assert from "node:assert/strict";
import { ConfigView } from "./config_view.ts";
import { formatOutput } from "./output.ts";

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

Deno.test("ConfigView prints Go values: time.Time, structs in field order, nil and empty kept apart", async () => {
  const json = {
    created: "2021-02-03T04:05:06.5Z",
    author: "me",
    architecture: "arm",
    os: "linux",
    config: {
      User: "1000",
      ExposedPorts: { "80/tcp": {} },
      Env: [],
      Labels: { b: "2", a: "1" },
      StopTimeout: 5,
      ArgsEscaped: true,
    },
    rootfs: { type: "layers", diff_ids: ["sha256:x"] },
    history: [{ created_by: "x", empty_layer: true }],
  };
  const bytes = new TextEncoder().encode(JSON.stringify(json));
  const v = new ConfigView({ ...desc, size: bytes.byteLength }, bytes);
  const f = async (t: string) => await formatOutput(v, t);
  assert.equal(await f("{{.Created}}"), "2021-02-03 04:05:06.5 +0000 UTC");
  assert.equal(
    await f('{{.Created.Format "2006-01-02"}} {{.Created.Unix}}'),
    "2021-02-03 1612325106",
  );
  assert.equal(await f("{{.Platform}} {{.Architecture}}"), "linux/arm/v7 arm");
  assert.equal(
    await f("{{.Config}}"),
    "{1000 map[80/tcp:{}] [] [] [] map[]  map[a:1 b:2]  5 true <nil> [] []}",
  );
  assert.equal(await f("{{.History}}"), "[{<nil> x   true}]");
  assert.equal(await f("{{.RootFS}}"), "{layers [sha256:x]}");
  // JSON uses the JSON names, Go's field order and omitempty (the empty Env is left out)
  assert.equal(
    await f("{{json .Config}}"),
    '{"User":"1000","ExposedPorts":{"80/tcp":{}},"Labels":{"a":"1","b":"2"},"StopTimeout":5,"ArgsEscaped":true}\n',
  );
  assert.equal(await f("{{json .History}}"), '[{"created_by":"x","empty_layer":true}]\n');
});
