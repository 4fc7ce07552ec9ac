import assert from "node:assert/strict";
import { ManifestInvalidError } from "../errors.ts";
import { configFromLua, configToLua, goFieldNames, manifestFromLua } from "./lua_go_tables.ts";

const dec = new TextDecoder();

Deno.test("configFromLua() writes a config back as Go's json.Marshal would", () => {
  // Already in Go's form: a round trip changes nothing.
  const canonical = '{"created":"2024-01-02T03:04:05.123456789Z","author":"me",' +
    '"architecture":"arm64","os":"linux","variant":"v8",' +
    '"config":{"User":"app","ExposedPorts":{"443/tcp":{},"80/tcp":{}},' +
    '"Env":["A=1"],"Cmd":["/bin/sh"],"Volumes":{"/data":{}},"WorkingDir":"/app",' +
    '"Labels":{"a":"1","b":"\\u003cb\\u003e"}},' +
    '"rootfs":{"type":"layers","diff_ids":["sha256:aa"]},' +
    '"history":[{"created":"2024-01-02T03:04:05Z","created_by":"x","empty_layer":true}]}';
  assert.equal(dec.decode(configFromLua(JSON.parse(canonical), JSON.parse(canonical))), canonical);
  // From Lua: keys in any order, empty tables for lists, unknown keys dropped, empty fields left out.
  const fromLua = {
    rootfs: { diff_ids: {}, type: "layers" },
    os: "linux",
    architecture: "amd64",
    config: { Env: {}, Labels: { z: "2", a: "1" } },
    history: {},
    extra: "dropped",
  };
  assert.equal(
    dec.decode(configFromLua(fromLua)),
    '{"architecture":"amd64","os":"linux","config":{"Labels":{"a":"1","z":"2"}},' +
      '"rootfs":{"type":"layers","diff_ids":[]}}',
  );
});

Deno.test("manifestFromLua() picks the Go struct by media type and refuses the others", () => {
  const m = {
    layers: {},
    config: { size: 2, digest: "sha256:c", mediaType: "application/vnd.oci.image.config.v1+json" },
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    schemaVersion: 2,
    annotations: { b: "2", a: "1" },
  };
  assert.equal(
    dec.decode(manifestFromLua(m, "application/vnd.oci.image.manifest.v1+json")),
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
      '"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":2},' +
      '"layers":[],"annotations":{"a":"1","b":"2"}}',
  );
  assert.throws(
    () => manifestFromLua(m, "application/vnd.docker.distribution.manifest.v1+json"),
    ManifestInvalidError,
  );
  assert.throws(
    () => manifestFromLua({ ...m, layers: "no" }, "application/vnd.oci.image.manifest.v1+json"),
    ManifestInvalidError,
  );
});

Deno.test("goFieldNames() maps JSON names to Go names and knows the maps of user keys", () => {
  const { names, maps } = goFieldNames();
  assert.equal(names.get("os.version"), "OSVersion");
  assert.equal(names.get("urls"), "URLs");
  assert.equal(names.get("rootfs"), "RootFS");
  assert.equal(names.has("Labels"), false); // already a Go name
  for (const m of ["annotations", "Annotations", "Labels", "ExposedPorts", "Volumes"]) {
    assert.ok(maps.has(m), m);
  }
});

Deno.test("configToLua() shows times as Go's time.Time.String does", () => {
  const t = configToLua({
    created: "2024-01-02T03:04:05.120Z",
    history: [{ created: "2024-06-07T08:09:10-05:30" }, { created_by: "x" }, { created: "bad" }],
    os: "linux",
  });
  assert.deepEqual(t, {
    created: "2024-01-02 03:04:05.12 +0000 UTC",
    history: [{ created: "2024-06-07 08:09:10 -0530 -0530" }, { created_by: "x" }, {
      created: "bad",
    }],
    os: "linux",
  });
});

Deno.test("configFromLua() keeps the original times, as regbot cannot change a time from Lua", () => {
  const original = {
    created: "2024-01-02T03:04:05+02:00",
    history: [{ created: "2024-01-01T00:00:00Z" }],
  };
  const edited = {
    created: "2030-01-01 00:00:00 +0000 UTC",
    history: [{ created: "anything" }, { created: "new entry" }, { created_by: "no time" }],
  };
  assert.equal(
    dec.decode(configFromLua(edited, original)),
    '{"created":"2024-01-02T03:04:05+02:00","architecture":"","os":"","rootfs":{"type":"","diff_ids":null},' +
      '"history":[{"created":"2024-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"},{"created_by":"no time"}]}',
  );
  assert.equal(dec.decode(configFromLua({ os: "linux" }, original)).includes("created"), false);
});
