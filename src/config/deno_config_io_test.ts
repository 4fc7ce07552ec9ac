import assert from "node:assert/strict";
import { ConfigError, ErrorCode, NotFoundError, SizeLimitError } from "../errors.ts";
import { denoConfigIo } from "./deno_config_io.ts";

async function tempDir(): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-config-io-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

Deno.test("denoConfigIo() writes atomically with the mode asked, creating parent directories", async () => {
  await using t = await tempDir();
  const io = denoConfigIo({ env: {} });
  const file = `${t.dir}/a/b/config.json`;
  await io.writeTextFileAtomic(file, "one", { mode: 0o600 });
  await io.writeTextFileAtomic(file, "two", { mode: 0o640 });
  assert.equal(await io.readTextFile(file), "two");
  const info = await io.stat(file);
  assert.equal(info?.isFile, true);
  if (Deno.build.os !== "windows") assert.equal(info?.mode, 0o640);
  assert.deepEqual((await io.readDir(`${t.dir}/a/b`)).map((e) => e.name), ["config.json"]);
  assert.equal((await io.stat(`${t.dir}/a`))?.isDirectory, true);
});

Deno.test("denoConfigIo() reports missing files as NotFoundError or undefined", async () => {
  await using t = await tempDir();
  const io = denoConfigIo({ env: {} });
  await assert.rejects(io.readTextFile(`${t.dir}/none`), NotFoundError);
  await assert.rejects(io.readDir(`${t.dir}/none`), NotFoundError);
  assert.equal(await io.stat(`${t.dir}/none`), undefined);
});

Deno.test("denoConfigIo() refuses files over the size cap", async () => {
  await using t = await tempDir();
  const io = denoConfigIo({ env: {}, maxFileSize: 4 });
  await Deno.writeTextFile(`${t.dir}/big`, "12345");
  await assert.rejects(
    io.readTextFile(`${t.dir}/big`),
    (e: unknown) => e instanceof SizeLimitError && e.code === ErrorCode.SIZE_LIMIT,
  );
});

Deno.test("denoConfigIo() runs a program from env PATH with stdin and only the given env", async () => {
  await using t = await tempDir();
  const prog = `${t.dir}/echo-prog`;
  await Deno.writeTextFile(
    prog,
    '#!/bin/sh\nin=$(cat)\necho "$1:$in:$FOO:$BAR"\necho err >&2\nexit 4\n',
  );
  await Deno.chmod(prog, 0o755);
  const io = denoConfigIo({ env: { PATH: `${t.dir}:/usr/bin:/bin`, FOO: "foo" } });
  const res = await io.run("echo-prog", ["get"], "host");
  assert.deepEqual(res, { code: 4, stdout: "get:host:foo:\n", stderr: "err\n" });
});

Deno.test("denoConfigIo() reports a missing program as NotFoundError", async () => {
  const io = denoConfigIo({ env: { PATH: "/nonexistent-dir" } });
  await assert.rejects(io.run("docker-credential-nope", ["get"], ""), NotFoundError);
});

Deno.test("denoConfigIo() kills a program that runs past the timeout", async () => {
  await using t = await tempDir();
  const prog = `${t.dir}/slow-prog`;
  await Deno.writeTextFile(prog, "#!/bin/sh\nexec sleep 10\n");
  await Deno.chmod(prog, 0o755);
  const io = denoConfigIo({ env: { PATH: `${t.dir}:/usr/bin:/bin` }, runTimeout: 200 });
  await assert.rejects(
    io.run("slow-prog", [], ""),
    (e: unknown) => e instanceof ConfigError && e.code === ErrorCode.CONFIG,
  );
});
