import assert from "node:assert/strict";
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import { ConfigFileError } from "./config_file_error.ts";

Deno.test("ConfigFileError is a ConfigError carrying file, line and column", () => {
  const err = new ConfigFileError("/c.json", 3, 7, "Cannot read config file");
  assert.ok(err instanceof ConfigError);
  assert.ok(isErrorCode(err, ErrorCode.CONFIG));
  assert.deepEqual([err.file, err.line, err.column, err.name], [
    "/c.json",
    3,
    7,
    "ConfigFileError",
  ]);
});
