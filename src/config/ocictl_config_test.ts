import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { ConfigFileError } from "./config_file_error.ts";
import { memoryIo } from "./_memory_io_test_helper.ts";
import {
  configFilename,
  loadConfig,
  type OcictlConfig,
  parseConfig,
  redactConfig,
  removeHostCredentials,
  saveConfig,
  setHost,
} from "./ocictl_config.ts";

const FILE = "/cfg/config.json";
const ENV = { OCICTL_CONFIG: FILE };

function isConfigError(err: unknown): boolean {
  return err instanceof ConfigError && err.code === ErrorCode.CONFIG;
}

Deno.test("configFilename() prefers OCICTL_CONFIG, then XDG_CONFIG_HOME, then the home directory", () => {
  assert.equal(
    configFilename({ OCICTL_CONFIG: "/x.json", XDG_CONFIG_HOME: "/xdg", HOME: "/h" }),
    "/x.json",
  );
  assert.equal(configFilename({ XDG_CONFIG_HOME: "/xdg", HOME: "/h" }), "/xdg/ocictl/config.json");
  assert.equal(configFilename({ HOME: "/h" }), "/h/.ocictl/config.json");
  assert.equal(configFilename({ USERPROFILE: "/u" }), "/u/.ocictl/config.json");
  assert.equal(configFilename({}), "");
});

Deno.test("loadConfig() treats a missing file as an empty config", async () => {
  const config = await loadConfig(memoryIo({}, ENV));
  assert.deepEqual(config, { filename: FILE, hosts: {} });
  assert.deepEqual(await loadConfig(memoryIo({}, {})), { filename: "", hosts: {} });
});

Deno.test("loadConfig() reads every top-level key and normalises host names", async () => {
  const text = JSON.stringify({
    version: 1,
    hosts: {
      "registry-1.docker.io": { user: "hub" },
      "https://index.docker.io/v1/": { pass: "pw" },
      "http://localhost:5000": {},
      "http://other:5000": { tls: "insecure" },
    },
    hostDefault: { credHelper: "docker-credential-x" },
    blobLimit: 1024,
    incDockerCert: false,
    incDockerCred: true,
  });
  const config = await loadConfig(memoryIo({ [FILE]: text }, ENV));
  assert.deepEqual(config, {
    filename: FILE,
    version: 1,
    hosts: {
      "docker.io": { user: "hub", pass: "pw" },
      "localhost:5000": { tls: "disabled" },
      "other:5000": { tls: "insecure" },
    },
    hostDefault: { credHelper: "docker-credential-x" },
    blobLimit: 1024,
    incDockerCert: false,
    incDockerCred: true,
  });
});

Deno.test("loadConfig() rejects malformed JSON with ConfigError and leaves the file alone", async () => {
  const io = memoryIo({ [FILE]: '{\n  "hosts": {,\n}' }, ENV);
  await assert.rejects(loadConfig(io), isConfigError);
  await assert.rejects(
    saveConfig(io, { filename: FILE, hosts: { r: { user: "u" } } }),
    isConfigError,
  );
  assert.equal(io.writes.length, 0);
  assert.equal(io.files.get(FILE)?.text, '{\n  "hosts": {,\n}');
});

Deno.test("parseConfig() names the line and column of a JSON error", () => {
  assert.throws(() => parseConfig('{\n  "hosts": x\n}', "f.json"), (err: unknown) => {
    assert.ok(err instanceof ConfigFileError);
    assert.equal(err.code, ErrorCode.CONFIG);
    assert.deepEqual([err.file, err.line, err.column], ["f.json", 2, 12]);
    return true;
  });
});

Deno.test("parseConfig() rejects a newer version and wrong types", () => {
  const bad = [
    '{"version": 2}',
    '{"version": "1"}',
    '{"version": 1.5}',
    "[]",
    '"text"',
    "null",
    '{"hosts": []}',
    '{"hosts": {"r": "x"}}',
    '{"hosts": {"r": {"tls": "sometimes"}}}',
    '{"hosts": {"r": {"user": 1}}}',
    '{"hosts": {"": {}}}',
    '{"hostDefault": 3}',
    '{"blobLimit": "big"}',
    '{"incDockerCert": "no"}',
    '{"incDockerCred": 0}',
    "",
  ];
  for (const text of bad) assert.throws(() => parseConfig(text, "f.json"), isConfigError, text);
});

Deno.test("saveConfig() writes a new file with mode 0600 that loads back the same", async () => {
  const io = memoryIo({}, ENV);
  const config: OcictlConfig = {
    filename: FILE,
    version: 1,
    hosts: { "localhost:5000": { tls: "disabled", user: "u", pass: "p" } },
    hostDefault: { reqConcurrent: 2 },
    blobLimit: 5,
    incDockerCred: false,
  };
  await saveConfig(io, config);
  assert.equal(io.files.get(FILE)?.mode, 0o600);
  assert.deepEqual(await loadConfig(io), config);
  assert.ok(io.files.get(FILE)?.text.endsWith("}\n"));
});

Deno.test("saveConfig() keeps the mode of an existing file", async () => {
  const io = memoryIo({ [FILE]: "{}" }, ENV);
  io.files.set(FILE, { text: "{}", mode: 0o640 });
  await saveConfig(io, { filename: FILE, hosts: { r: { user: "u" } } });
  assert.equal(io.files.get(FILE)?.mode, 0o640);
});

Deno.test("saveConfig() refuses without a file name or onto a directory", async () => {
  const io = memoryIo({ "/cfg/config.json/inner": "x" }, ENV);
  await assert.rejects(saveConfig(io, { filename: "", hosts: {} }), isConfigError);
  await assert.rejects(saveConfig(io, { filename: FILE, hosts: {} }), isConfigError);
  assert.equal(io.writes.length, 0);
});

Deno.test("setHost() sets and removes fields without touching the input", () => {
  const base: OcictlConfig = { filename: FILE, hosts: { r: { user: "u", hostname: "h" } } };
  const next = setHost(base, "r", { hostname: undefined, tls: "insecure" });
  assert.deepEqual(next.hosts.r, { user: "u", tls: "insecure" });
  assert.deepEqual(base.hosts.r, { user: "u", hostname: "h" });
  const hub = setHost(base, "https://index.docker.io/v1/", { user: "me" });
  assert.deepEqual(hub.hosts["docker.io"], { user: "me" });
});

Deno.test("setHost() merges apiOpts and removes an option set to an empty string", () => {
  let c: OcictlConfig = { filename: FILE, hosts: {} };
  c = setHost(c, "r", { apiOpts: { disableHead: "true", x: "1" } });
  c = setHost(c, "r", { apiOpts: { x: "" } });
  assert.deepEqual(c.hosts.r, { apiOpts: { disableHead: "true" } });
});

Deno.test("setHost() rejects bad names and values", () => {
  const c: OcictlConfig = { filename: FILE, hosts: {} };
  assert.throws(() => setHost(c, "", { user: "u" }), isConfigError);
  assert.throws(() => setHost(c, "ghcr.io/org/repo", { user: "u" }), isConfigError);
  assert.throws(
    () => setHost(c, "r", { tls: "sometimes" as unknown as "enabled" }),
    isConfigError,
  );
  assert.throws(() => setHost(c, "r", { priority: -3 }), isConfigError);
});

Deno.test("removeHostCredentials() drops user, pass and token and empty entries", () => {
  const c: OcictlConfig = {
    filename: FILE,
    hosts: { a: { user: "u", pass: "p", tls: "disabled" }, b: { user: "u", token: "t" } },
  };
  const next = removeHostCredentials(removeHostCredentials(c, "a"), "b");
  assert.deepEqual(next.hosts, { a: { tls: "disabled" } });
  assert.equal(removeHostCredentials(c, "unknown"), c);
  assert.equal(c.hosts.a?.pass, "p");
});

Deno.test("redactConfig() blanks passwords, tokens and client keys everywhere", () => {
  const c: OcictlConfig = {
    filename: FILE,
    hosts: { r: { user: "u", pass: "p", token: "t", clientKey: "k", clientCert: "c" } },
    hostDefault: { pass: "dp" },
  };
  const r = redactConfig(c);
  assert.deepEqual(r.hosts.r, { user: "u", clientCert: "c" });
  assert.deepEqual(r.hostDefault, {});
  assert.equal(c.hosts.r?.pass, "p");
  assert.equal(r.filename, FILE);
});
