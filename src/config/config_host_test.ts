import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { parseConfigHost, parseTlsMode } from "./config_host.ts";
import { credExpireMs } from "./host_credentials.ts";
import { hostToJson } from "./host_json.ts";
import { toHostConfig } from "./resolve_hosts.ts";

function assertConfigError(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && err.code === ErrorCode.CONFIG);
}

Deno.test("parseConfigHost() keeps every known field with its type", () => {
  const host = parseConfigHost({
    tls: "Insecure",
    regcert: "CA",
    clientcert: "CERT",
    clientKey: "KEY",
    hostname: "h:5000",
    user: "u",
    pass: "p",
    token: "t",
    credHelper: "docker-credential-x",
    credExpire: "30m",
    credHost: "https://h",
    pathPrefix: "ns",
    mirrors: ["m1"],
    priority: 2,
    repoAuth: true,
    apiOpts: { disableHead: "true" },
    blobChunk: 2048,
    blobMax: -1,
    reqPerSec: 1.5,
    reqConcurrent: 4,
    scheme: "http",
    dns: ["x"],
    unknownKey: 1,
  }, "host");
  assert.deepEqual(host, {
    tls: "insecure",
    regcert: "CA",
    clientCert: "CERT",
    clientKey: "KEY",
    hostname: "h:5000",
    user: "u",
    pass: "p",
    token: "t",
    credHelper: "docker-credential-x",
    credExpire: "30m",
    credHost: "https://h",
    pathPrefix: "ns",
    mirrors: ["m1"],
    priority: 2,
    repoAuth: true,
    apiOpts: { disableHead: "true" },
    blobChunk: 2048,
    blobMax: -1,
    reqPerSec: 1.5,
    reqConcurrent: 4,
  });
});

Deno.test("parseConfigHost() treats empty and zero values as unset", () => {
  assert.deepEqual(
    parseConfigHost(
      { tls: "", user: "", mirrors: [], blobChunk: 0, repoAuth: false, credExpire: 0, apiOpts: {} },
      "host",
    ),
    {},
  );
});

Deno.test("parseConfigHost() reads a numeric credExpire as nanoseconds", () => {
  const host = parseConfigHost({ credExpire: 5_000_000_000 }, "host");
  assert.equal(credExpireMs(host), 5000);
  assert.equal(credExpireMs({}), 3_600_000);
});

Deno.test("parseConfigHost() rejects wrong types with ConfigError", () => {
  const bad: unknown[] = [
    "not an object",
    [],
    null,
    { user: 5 },
    { tls: true },
    { tls: "maybe" },
    { blobChunk: "1" },
    { blobChunk: 1.5 },
    { priority: -1 },
    { mirrors: "m" },
    { mirrors: [1] },
    { repoAuth: "yes" },
    { apiOpts: { disableHead: true } },
    { apiOpts: [] },
    { reqPerSec: -1 },
    { credExpire: "soon" },
    { credExpire: {} },
  ];
  for (const value of bad) assertConfigError(() => parseConfigHost(value, "host"));
});

Deno.test("parseTlsMode() rejects an unknown tls value", () => {
  assert.equal(parseTlsMode("", "x"), undefined);
  assertConfigError(() => parseTlsMode("on", "x"));
});

Deno.test("toHostConfig() omits user and pass when a credential helper is set", () => {
  assert.deepEqual(
    toHostConfig({ name: "r", user: "u", pass: "p", credHelper: "docker-credential-x" }),
    { name: "r" },
  );
  assert.deepEqual(toHostConfig({ name: "r", user: "u", pass: "p", token: "t" }), {
    name: "r",
    user: "u",
    pass: "p",
    token: "t",
  });
});

Deno.test("toHostConfig() maps transport fields and apiOpts", () => {
  assert.deepEqual(
    toHostConfig({
      name: "r",
      hostname: "h",
      tls: "disabled",
      mirrors: ["m"],
      repoAuth: true,
      apiOpts: { disableHead: "false" },
      priority: 3,
      credExpire: "1h",
    }),
    {
      name: "r",
      hostname: "h",
      tls: "disabled",
      mirrors: ["m"],
      repoAuth: true,
      apiOpts: { disableHead: false },
    },
  );
});

Deno.test("hostToJson() writes keys in file order and copies arrays", () => {
  const host = { user: "u", tls: "enabled" as const, mirrors: ["a"] };
  const json = hostToJson(host);
  assert.deepEqual(Object.keys(json), ["tls", "user", "mirrors"]);
  assert.notEqual(json.mirrors, host.mirrors);
});
