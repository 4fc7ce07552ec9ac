import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { collectHost, collectLogopt, parseHostFlag, parseVerbosity } from "./global_options.ts";

Deno.test("parseHostFlag() reads reg, user, pass and tls", () => {
  assert.deepEqual(parseHostFlag("reg=r.io,user=u,pass=p=q,tls=insecure"), {
    name: "r.io",
    user: "u",
    pass: "p=q",
    tls: "insecure",
  });
});

Deno.test("parseHostFlag() refuses bad settings with UsageError", () => {
  for (const bad of ["", "reg=", "user=u", "reg=x,tls=on", "reg=x,foo=1", "reg=x,novalue"]) {
    assert.throws(() => parseHostFlag(bad), (e: unknown) => e instanceof UsageError, bad);
  }
});

Deno.test("collectHost() and collectLogopt() append", () => {
  assert.equal(collectHost("reg=b", collectHost("reg=a", undefined)).length, 2);
  assert.deepEqual(collectLogopt("json", undefined), ["json"]);
  assert.throws(() => collectLogopt("yaml", []), { code: "USAGE" });
});

Deno.test("parseVerbosity() accepts levels in any case", () => {
  assert.equal(parseVerbosity("DEBUG"), "debug");
  assert.throws(() => parseVerbosity("loud"), { code: "USAGE" });
});
