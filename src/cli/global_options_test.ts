import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { collectHost, collectLogopt, parseVerbosity } from "./global_options.ts";

Deno.test("collectHost() keeps the raw --host values in order", () => {
  assert.deepEqual(
    collectHost("reg=b,tls=disabled", collectHost("reg=a,user=u,pass=p=q", undefined)),
    ["reg=a,user=u,pass=p=q", "reg=b,tls=disabled"],
  );
});

Deno.test("collectHost() refuses bad settings with UsageError and keeps nothing", () => {
  for (const bad of ["", "reg=", "user=u", "reg=x,tls=on", "reg=x,foo=1", "reg=x,novalue"]) {
    const before = ["reg=ok"];
    assert.throws(() => collectHost(bad, before), (e: unknown) => e instanceof UsageError, bad);
    assert.deepEqual(before, ["reg=ok"]);
  }
});

Deno.test("collectLogopt() appends json and refuses other options", () => {
  assert.deepEqual(collectLogopt("json", undefined), ["json"]);
  assert.throws(() => collectLogopt("yaml", []), { code: "USAGE" });
});

Deno.test("parseVerbosity() accepts levels in any case", () => {
  assert.equal(parseVerbosity("DEBUG"), "debug");
  assert.throws(() => parseVerbosity("loud"), { code: "USAGE" });
});
