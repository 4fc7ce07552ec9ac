import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { ConfigFileError } from "./config_file_error.ts";
import { memoryIo } from "./_memory_io_test_helper.ts";
import { dockerConfigFilename, loadDockerConfig, parseDockerConfig } from "./docker_config.ts";

function isConfigError(err: unknown): boolean {
  return err instanceof ConfigError && err.code === ErrorCode.CONFIG;
}

const b64 = (s: string): string => btoa(s);

Deno.test("dockerConfigFilename() prefers DOCKER_CONFIG over the home directory", () => {
  assert.equal(dockerConfigFilename({ DOCKER_CONFIG: "/d", HOME: "/h" }), "/d/config.json");
  assert.equal(dockerConfigFilename({ HOME: "/h" }), "/h/.docker/config.json");
  assert.equal(dockerConfigFilename({ USERPROFILE: "/u" }), "/u/.docker/config.json");
  assert.equal(dockerConfigFilename({}), undefined);
});

Deno.test("parseDockerConfig() decodes auth, username/password and identitytoken", () => {
  const c = parseDockerConfig(
    JSON.stringify({
      auths: {
        "https://index.docker.io/v1/": { auth: b64("hub:pa:ss") },
        "ghcr.io": { username: "gh", password: "pw" },
        "http://localhost:5000": { identitytoken: "idt" },
      },
    }),
    "c.json",
  );
  assert.deepEqual(c.hosts, [
    { name: "docker.io", credHost: "https://index.docker.io/v1/", user: "hub", pass: "pa:ss" },
    { name: "ghcr.io", user: "gh", pass: "pw" },
    { name: "localhost:5000", tls: "disabled", credHost: "http://localhost:5000", token: "idt" },
  ]);
  assert.equal(c.credsStore, undefined);
});

Deno.test("parseDockerConfig() ignores entries with a repository path and empty entries", () => {
  const c = parseDockerConfig(
    JSON.stringify({
      auths: { "ghcr.io/org/repo": { auth: b64("a:b") }, "quay.io": {} },
      credHelpers: { "reg.example/ns": "pass" },
    }),
    "c.json",
  );
  assert.deepEqual(c.hosts, []);
});

Deno.test("parseDockerConfig() gives credHelpers precedence and uses credsStore for empty auths", () => {
  const c = parseDockerConfig(
    JSON.stringify({
      auths: { "gcr.io": { auth: b64("u:p") }, "quay.io": {} },
      credHelpers: { "gcr.io": "gcloud" },
      credsStore: "desktop",
    }),
    "c.json",
  );
  assert.equal(c.credsStore, "docker-credential-desktop");
  assert.deepEqual(c.hosts, [
    { name: "gcr.io", credHelper: "docker-credential-gcloud" },
    { name: "quay.io", credHelper: "docker-credential-desktop" },
  ]);
});

Deno.test("parseDockerConfig() rejects base64 garbage in auth", () => {
  for (const auth of ["!!!notbase64", b64("no-colon"), "a", btoa("\xff\xfe:x")]) {
    assert.throws(
      () => parseDockerConfig(JSON.stringify({ auths: { "r.example": { auth } } }), "c.json"),
      isConfigError,
      auth,
    );
  }
});

Deno.test("parseDockerConfig() rejects malformed JSON and wrong types", () => {
  assert.throws(() => parseDockerConfig("{auths", "c.json"), (e: unknown) => {
    return e instanceof ConfigFileError && e.file === "c.json" && e.line === 1;
  });
  const bad = [
    "[]",
    '{"auths": []}',
    '{"auths": {"r": "x"}}',
    '{"auths": {"r": {"username": 1}}}',
    '{"credHelpers": {"r": 1}}',
    '{"credHelpers": "x"}',
    '{"credsStore": 1}',
  ];
  for (const text of bad) assert.throws(() => parseDockerConfig(text, "c.json"), isConfigError);
});

Deno.test("loadDockerConfig() reads the file and lets DOCKER_AUTH_CONFIG win", async () => {
  const io = memoryIo(
    { "/d/config.json": JSON.stringify({ auths: { "r.example": { auth: b64("file:1") } } }) },
    {
      DOCKER_CONFIG: "/d",
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { "r.example": { auth: b64("env:2") } } }),
    },
  );
  assert.deepEqual(await loadDockerConfig(io), [{ name: "r.example", user: "env", pass: "2" }]);
});

Deno.test("loadDockerConfig() returns nothing when there is no docker config", async () => {
  assert.deepEqual(await loadDockerConfig(memoryIo({}, { HOME: "/h" })), []);
  assert.deepEqual(await loadDockerConfig(memoryIo({}, {})), []);
});

Deno.test("loadDockerConfig() rejects a malformed DOCKER_AUTH_CONFIG", async () => {
  await assert.rejects(
    loadDockerConfig(memoryIo({}, { DOCKER_AUTH_CONFIG: "{not json" })),
    isConfigError,
  );
});

Deno.test("loadDockerConfig() adds the hosts a credsStore lists", async () => {
  const io = memoryIo(
    { "/h/.docker/config.json": JSON.stringify({ credsStore: "fake" }) },
    { HOME: "/h" },
    (call) => {
      assert.deepEqual([call.cmd, call.args], ["docker-credential-fake", ["list"]]);
      return {
        code: 0,
        stdout: JSON.stringify({ "https://index.docker.io/v1/": "me", "ghcr.io": "gh" }),
        stderr: "",
      };
    },
  );
  assert.deepEqual(await loadDockerConfig(io), [
    {
      name: "docker.io",
      credHost: "https://index.docker.io/v1/",
      credHelper: "docker-credential-fake",
    },
    { name: "ghcr.io", credHelper: "docker-credential-fake" },
  ]);
  assert.equal(io.runs.length, 1);
});

Deno.test("loadDockerConfig() warns and goes on when the credsStore list fails", async () => {
  const notes: string[] = [];
  const io = memoryIo(
    {
      "/h/.docker/config.json": JSON.stringify({
        credsStore: "fake",
        auths: { "r.example": { auth: b64("u:p") } },
      }),
    },
    { HOME: "/h" },
    () => ({ code: 1, stdout: "", stderr: "boom" }),
  );
  const hosts = await loadDockerConfig(io, { warn: (m) => notes.push(m) });
  assert.deepEqual(hosts, [{ name: "r.example", user: "u", pass: "p" }]);
  assert.equal(notes.length, 1);
});
