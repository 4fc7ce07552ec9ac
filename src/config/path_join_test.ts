import assert from "node:assert/strict";
import { posix, win32 } from "node:path";
import { joinPath } from "./path_join.ts";

const cases: [string, ...string[]][] = [
  ["/home/me", ".docker", "config.json"],
  ["/home/me/", ".ocictl", "config.json"],
  ["/etc/docker/certs.d", "registry.example:5000", "ca.crt"],
  ["/", "x"],
  ["relative/dir", "f"],
  ["", "f"],
];
for (const c of cases) {
  Deno.test(`joinPath() agrees with posix.join for ${JSON.stringify(c)}`, () => {
    assert.equal(joinPath(...c), posix.join(...c));
  });
}

const windows: [string, ...string[]][] = [
  ["C:\\Users\\me", ".docker", "config.json"],
  ["C:\\Users\\me\\", ".ocictl", "config.json"],
  ["C:\\", "certs.d"],
  ["\\\\server\\share\\dir", "f"],
];
for (const c of windows) {
  Deno.test(`joinPath() agrees with win32.join for ${JSON.stringify(c)}`, () => {
    assert.equal(joinPath(...c), win32.join(...c));
  });
}
