import assert from "node:assert/strict";
import { denoIo, writeAllTo } from "./main.ts";

Deno.test("writeAllTo() writes every byte when the destination takes a few at a time", async () => {
  const got: number[] = [];
  const calls: number[] = [];
  const to = {
    write(p: Uint8Array): Promise<number> {
      const n = Math.min(3, p.byteLength);
      calls.push(p.byteLength);
      got.push(...p.subarray(0, n));
      return Promise.resolve(n);
    },
  };
  await writeAllTo(to, new TextEncoder().encode("abcdefgh"));
  assert.equal(new TextDecoder().decode(new Uint8Array(got)), "abcdefgh");
  assert.deepEqual(calls, [8, 5, 2]);
});

Deno.test("writeAllTo() passes the destination's error on", async () => {
  const to = { write: () => Promise.reject(new Deno.errors.BrokenPipe("gone")) };
  await assert.rejects(writeAllTo(to, new Uint8Array(1)), Deno.errors.BrokenPipe);
});

Deno.test("denoIo() gives the standard streams as getters, built once on first read", () => {
  const io = denoIo(new AbortController().signal);
  for (const k of ["stdout", "stderr", "stdin"] as const) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(io, k)?.get, "function", k);
  }
  assert.equal(io.stdout, io.stdout);
  assert.equal(io.stderr, io.stderr);
  assert.ok(io.writeDirect);
});

Deno.test({
  name: "main.ts: a run interrupted mid-request stops with exit 130 and one line",
  sanitizeResources: false,
  async fn() {
    // a registry that accepts the connection and never answers
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const held: Deno.Conn[] = [];
    const accepting = (async () => {
      for await (const c of listener) held.push(c);
    })().catch(() => {});
    const host = `127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL("./main.ts", import.meta.url).pathname,
        "--host",
        `reg=${host},tls=disabled`,
        "manifest",
        "head",
        `${host}/repo:v1`,
      ],
      env: { OCICTL_CONFIG: "/nonexistent/config.json", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    try {
      // wait for the request to be in flight
      for (let i = 0; i < 200 && held.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(held.length, 1, "the command never connected");
      await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGINT");
      const out = await child.output();
      assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
      assert.equal(new TextDecoder().decode(out.stderr), "ocictl: Cannot finish: interrupted\n");
      assert.equal(out.stdout.byteLength, 0);
    } finally {
      listener.close();
      for (const c of held) c.close();
      await accepting;
    }
  },
});
