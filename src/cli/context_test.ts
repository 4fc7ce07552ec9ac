import assert from "node:assert/strict";
import { createTransportFactory } from "../client.ts";
import { type CliIo, createCliContext } from "./context.ts";

function io(chunks: Uint8Array[]): CliIo {
  return {
    stdout: new WritableStream(),
    stderr: new WritableStream({ write: (c) => void chunks.push(c) }),
    stdin: ReadableStream.from<Uint8Array>([]),
    env: { A: "1" },
    signal: new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: createTransportFactory(),
    platform: { os: "linux", architecture: "amd64" },
  };
}

Deno.test("createCliContext() applies the root flags and logs to stderr", async () => {
  const chunks: Uint8Array[] = [];
  const ctx = createCliContext(io(chunks), {
    verbosity: "info",
    logopt: ["json"],
    host: ["reg=r.io,tls=disabled"],
    userAgent: "ua/1",
  });
  assert.equal(ctx.verbosity, "info");
  assert.deepEqual(ctx.hostFlags, ["reg=r.io,tls=disabled"]);
  assert.deepEqual(ctx.transportSettings.hostFlags, ["reg=r.io,tls=disabled"]);
  assert.equal(ctx.transportSettings.userAgent, "ua/1");
  assert.equal(ctx.transportSettings.env, ctx.env);
  assert.equal(ctx.userAgent, "ua/1");
  assert.equal(ctx.env.A, "1");
  ctx.logger.debug("hidden");
  ctx.logger.info("shown");
  await ctx.err.flush();
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  assert.equal((JSON.parse(text) as { msg: string }).msg, "shown");
  await ctx.client.close();
});

Deno.test("createCliContext() reads the stream seams only when a command uses them", async () => {
  const reads: string[] = [];
  const base = io([]);
  const lazy: CliIo = {
    ...base,
    get stdout() {
      reads.push("stdout");
      return base.stdout;
    },
    get stderr() {
      reads.push("stderr");
      return base.stderr;
    },
    get stdin() {
      reads.push("stdin");
      return base.stdin;
    },
    writeDirect: { stdout: () => Promise.resolve(), stderr: () => Promise.resolve() },
  };
  const ctx = createCliContext(lazy, {
    verbosity: "info",
    logopt: [],
    host: [],
    userAgent: undefined,
  });
  ctx.logger.info("shown");
  await ctx.out.write("result\n");
  await ctx.err.flush();
  assert.deepEqual(reads, []);
  assert.equal(ctx.stdin, base.stdin);
  assert.deepEqual(reads, ["stdin"]);
  await ctx.client.close();
});
