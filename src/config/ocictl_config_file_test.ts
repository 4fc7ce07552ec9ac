import assert from "node:assert/strict";
import { ConfigError, ErrorCode, SizeLimitError } from "../errors.ts";
import { ConfigFileError } from "./config_file_error.ts";
import { memoryIo } from "./_memory_io_test_helper.ts";
import { configFilename, loadConfig } from "./ocictl_config_file.ts";

const FILE = "/cfg/config.json";
const ENV = { OCICTL_CONFIG: FILE };

Deno.test("configFilename() falls back to XDG_CONFIG_HOME, then HOME, then nothing", () => {
  assert.equal(configFilename(ENV), FILE);
  assert.equal(configFilename({ XDG_CONFIG_HOME: "/xdg" }), "/xdg/ocictl/config.json");
  assert.equal(configFilename({ HOME: "/h/" }), "/h/.ocictl/config.json");
  assert.equal(configFilename({}), "");
});

Deno.test("loadConfig() gives the defaults for an absent file or no file name", async () => {
  assert.deepEqual(await loadConfig(memoryIo({}, ENV)), { filename: FILE, hosts: {} });
  assert.deepEqual(await loadConfig(memoryIo({}, {})), { filename: "", hosts: {} });
});

Deno.test("loadConfig() parses a present file", async () => {
  const text = JSON.stringify({
    hosts: { "http://localhost:5000": { user: "me" } },
    hostDefault: { tls: "insecure" },
    incDockerCert: false,
  });
  assert.deepEqual(await loadConfig(memoryIo({ [FILE]: text }, ENV)), {
    filename: FILE,
    hosts: { "localhost:5000": { tls: "disabled", user: "me" } },
    hostDefault: { tls: "insecure" },
    incDockerCert: false,
  });
});

Deno.test("loadConfig() reports malformed JSON with the file, line and column", async () => {
  const io = memoryIo({ [FILE]: '{\n  "hosts": {,\n}' }, ENV);
  await assert.rejects(loadConfig(io), (err: unknown) => {
    assert.ok(err instanceof ConfigFileError);
    assert.equal(err.code, ErrorCode.CONFIG);
    assert.deepEqual([err.file, err.line, err.column], [FILE, 2, 13]);
    assert.equal(
      err.message,
      `Cannot read config file "${FILE}": invalid JSON at line 2 column 13; fix or remove the file`,
    );
    return true;
  });
});

Deno.test("loadConfig() reports invalid content and a file it cannot read as ConfigError", async () => {
  await assert.rejects(
    loadConfig(memoryIo({ [FILE]: '{"version": 9}' }, ENV)),
    (err: unknown) =>
      err instanceof ConfigError && !(err instanceof ConfigFileError) &&
      err.message ===
        `Cannot read config file "${FILE}": version 9 is newer than 1; upgrade ocictl`,
  );
  const io = memoryIo({}, ENV);
  const cause = new SizeLimitError(`"${FILE}"`, 4);
  io.readTextFile = () => Promise.reject(cause);
  await assert.rejects(
    loadConfig(io),
    (err: unknown) =>
      err instanceof ConfigError && err.code === ErrorCode.CONFIG && err.cause === cause &&
      err.message === `Cannot read config file "${FILE}": ${cause.message}`,
  );
});
