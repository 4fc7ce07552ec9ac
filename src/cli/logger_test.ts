import assert from "node:assert/strict";
import { createLogger, isLogLevel } from "./logger.ts";

Deno.test("createLogger() writes records at and above its level only", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "warn", write: (l) => lines.push(l) });
  log.debug("a");
  log.info("b");
  log.warn("c");
  log.error("d");
  assert.equal(lines.length, 2);
  assert.ok(log.enabled("error"));
  assert.ok(!log.enabled("trace"));
});

Deno.test("createLogger() writes one JSON object per line with --logopt json", () => {
  const lines: string[] = [];
  const log = createLogger({
    level: "trace",
    json: true,
    write: (l) => lines.push(l),
    now: () => new Date(0),
  });
  log.trace("multi\nline", { n: 1 });
  assert.equal(lines.length, 1);
  assert.ok(lines[0]?.endsWith("\n"));
  assert.deepEqual(JSON.parse(lines[0] ?? ""), {
    time: "1970-01-01T00:00:00.000Z",
    level: "trace",
    msg: "multi\nline",
    n: 1,
  });
});

Deno.test("createLogger() keeps text records on one line", () => {
  const lines: string[] = [];
  createLogger({ level: "info", write: (l) => lines.push(l) }).info("a\nb", { k: "x y" });
  assert.equal(lines[0]?.split("\n").length, 2);
  assert.match(lines[0] ?? "", /msg="a b" k="x y"/);
});

Deno.test("isLogLevel() accepts regctl's levels only", () => {
  for (const l of ["error", "warn", "info", "debug", "trace"]) assert.ok(isLogLevel(l));
  assert.ok(!isLogLevel("fatal"));
});
