import assert from "node:assert/strict";
import { ConfigError, ErrorCode, SizeLimitError } from "../errors.ts";
import { ConfigFileError } from "./config_file_error.ts";
import { memoryIo } from "./_memory_io_test_helper.ts";
import { dockerConfigFilename, loadDockerConfig } from "./docker_config_file.ts";

const FILE = "/h/.docker/config.json";
const b64 = (s: string): string => btoa(s);

Deno.test("dockerConfigFilename() uses DOCKER_CONFIG, then the home directory", () => {
  assert.equal(dockerConfigFilename({ DOCKER_CONFIG: "/d", HOME: "/h" }), "/d/config.json");
  assert.equal(dockerConfigFilename({ USERPROFILE: "/u" }), "/u/.docker/config.json");
  assert.equal(dockerConfigFilename({}), undefined);
});

Deno.test("loadDockerConfig() gives no hosts and runs nothing without a file or DOCKER_AUTH_CONFIG", async () => {
  const io = memoryIo({}, { HOME: "/h" }, () => {
    throw new Error("no helper may run");
  });
  assert.deepEqual(await loadDockerConfig(io), []);
  assert.equal(io.runs.length, 0);
});

Deno.test("loadDockerConfig() parses a present file, and DOCKER_AUTH_CONFIG alone", async () => {
  const file = JSON.stringify({ auths: { "ghcr.io": { auth: b64("me:pw") } } });
  assert.deepEqual(await loadDockerConfig(memoryIo({ [FILE]: file }, { HOME: "/h" })), [
    { name: "ghcr.io", user: "me", pass: "pw" },
  ]);
  const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ credHelpers: { "r.example": "x" } }) };
  assert.deepEqual(await loadDockerConfig(memoryIo({}, env)), [
    { name: "r.example", credHelper: "docker-credential-x" },
  ]);
});

Deno.test("loadDockerConfig() reports the file's JSON error before DOCKER_AUTH_CONFIG's", async () => {
  const both = memoryIo({ [FILE]: "{x" }, { HOME: "/h", DOCKER_AUTH_CONFIG: "[" });
  await assert.rejects(loadDockerConfig(both), (err: unknown) => {
    assert.ok(err instanceof ConfigFileError);
    assert.equal(
      err.message,
      `Cannot read docker config "${FILE}": invalid JSON at line 1 column 2`,
    );
    return true;
  });
  const env = memoryIo({ [FILE]: "{}" }, { HOME: "/h", DOCKER_AUTH_CONFIG: "[" });
  await assert.rejects(
    loadDockerConfig(env),
    (err: unknown) => err instanceof ConfigFileError && err.file === "DOCKER_AUTH_CONFIG",
  );
});

Deno.test("loadDockerConfig() reports a file it cannot read as ConfigError", async () => {
  const cause = new SizeLimitError(`"${FILE}"`, 4);
  const io = { ...memoryIo({}, { HOME: "/h" }), readTextFile: () => Promise.reject(cause) };
  const err = await loadDockerConfig(io).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError && !(err instanceof ConfigFileError));
  assert.equal(err.code, ErrorCode.CONFIG);
  assert.equal(err.cause, cause);
  assert.equal(err.message, `Cannot read docker config "${FILE}": ${cause.message}`);
});
