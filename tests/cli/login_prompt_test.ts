/**
 * `registry login` prompts on a terminal: the user name is echoed, the
 * password is not. A pseudo-terminal comes from util-linux `script`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  seen: { text: string },
  want: string,
): Promise<void> {
  for (let i = 0; i < 200 && !seen.text.includes(want); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    seen.text += value;
  }
  assert.ok(
    seen.text.includes(want),
    `never saw ${JSON.stringify(want)} in ${JSON.stringify(seen.text)}`,
  );
}

/** Starts `registry login` for 127.0.0.1:5999 on a pseudo-terminal, config in `dir`. */
function loginOnPty(dir: string): {
  child: Deno.ChildProcess;
  reader: ReadableStreamDefaultReader<string>;
  writer: WritableStreamDefaultWriter<Uint8Array>;
} {
  const cmd =
    `${Deno.execPath()} run -A --quiet ${MAIN} registry login --skip-check 127.0.0.1:5999`;
  const child = new Deno.Command("script", {
    args: ["-qec", cmd, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    env: { OCICTL_CONFIG: `${dir}/config.json`, NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  return { child, reader, writer: child.stdin.getWriter() };
}

Deno.test("registry login prompts for the user with echo and for the password without", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-login-" });
  const { child, reader, writer } = loginOnPty(dir);
  const seen = { text: "" };
  try {
    await readUntil(reader, seen, "Username: ");
    await writer.write(new TextEncoder().encode("alice\r"));
    await readUntil(reader, seen, "Password: ");
    const before = seen.text.length;
    await writer.write(new TextEncoder().encode("s3cret-pw\r"));
    await writer.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen.text += value;
    }
    const status = await child.status;
    assert.equal(status.code, 0, seen.text);
    assert.ok(seen.text.slice(0, before).includes("alice"), "the user name is echoed");
    assert.ok(!seen.text.slice(before).includes("s3cret-pw"), "the password must not be echoed");
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    assert.deepEqual(config.hosts["127.0.0.1:5999"], { user: "alice", pass: "s3cret-pw" });
    assert.equal((await Deno.stat(`${dir}/config.json`)).mode! & 0o777, 0o600);
  } finally {
    await reader.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registry login offers the stored user and keeps it on an empty answer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-login-" });
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({ hosts: { "127.0.0.1:5999": { user: "bob", pass: "old" } } }),
  );
  const { child, reader, writer } = loginOnPty(dir);
  const seen = { text: "" };
  try {
    await readUntil(reader, seen, "Enter Username [bob]: ");
    await writer.write(new TextEncoder().encode("\r"));
    await readUntil(reader, seen, "Password: ");
    await writer.write(new TextEncoder().encode("new-pw\r"));
    await writer.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen.text += value;
    }
    assert.equal((await child.status).code, 0, seen.text);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    assert.deepEqual(config.hosts["127.0.0.1:5999"], { user: "bob", pass: "new-pw" });
  } finally {
    await reader.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
