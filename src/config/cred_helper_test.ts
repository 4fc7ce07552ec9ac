import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { CredHelperCache, credHelperGet, credHelperList, HELPER_RETRY_MS } from "./cred_helper.ts";
import { denoConfigIo } from "./deno_config_io.ts";
import type { ConfigIo } from "./config_io.ts";

const SCRIPT = `#!/bin/sh
server=$(cat)
echo "$1 $server" >> "$HELPER_LOG"
case "$1" in
get)
  case "$server" in
  good.example) echo '{"ServerURL":"good.example","Username":"u","Secret":"s"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"hub","Username":"hubuser","Secret":"hubpass"}' ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"tok"}' ;;
  missing.example) echo "credentials not found in native keychain"; exit 1 ;;
  fail.example) echo "boom" >&2; exit 3 ;;
  junk.example) echo "hello there" ;;
  array.example) echo '[1]' ;;
  nosecret.example) echo '{"Username":"u"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
  esac ;;
list)
  if [ -n "$LIST_JUNK" ]; then echo "junk"; else echo '{"good.example":"u"}'; fi ;;
*) exit 2 ;;
esac
`;

interface Fixture {
  io: ConfigIo;
  dir: string;
  runs(): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function fixture(extraEnv: Record<string, string> = {}): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-cred-helper-" });
  const helper = `${dir}/docker-credential-fake`;
  await Deno.writeTextFile(helper, SCRIPT, { mode: 0o755 });
  await Deno.chmod(helper, 0o755);
  const log = `${dir}/log`;
  const io = denoConfigIo({
    env: { PATH: `${dir}:/usr/bin:/bin`, HELPER_LOG: log, ...extraEnv },
    runTimeout: 20_000,
  });
  return {
    io,
    dir,
    async runs() {
      const text = await Deno.readTextFile(log).catch(() => "");
      return text.split("\n").filter((l) => l !== "").length;
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function isConfigError(err: unknown): boolean {
  return err instanceof ConfigError && err.code === ErrorCode.CONFIG;
}

Deno.test("credHelperGet() returns user and password from the helper", async () => {
  await using f = await fixture();
  assert.deepEqual(await credHelperGet(f.io, "docker-credential-fake", "good.example"), {
    user: "u",
    pass: "s",
  });
  assert.deepEqual(
    await credHelperGet(f.io, "docker-credential-fake", "https://index.docker.io/v1/"),
    { user: "hubuser", pass: "hubpass" },
  );
});

Deno.test("credHelperGet() reads Username <token> as an identity token", async () => {
  await using f = await fixture();
  assert.deepEqual(await credHelperGet(f.io, "docker-credential-fake", "token.example"), {
    token: "tok",
  });
});

Deno.test("credHelperGet() returns undefined when the helper has no credentials", async () => {
  await using f = await fixture();
  assert.equal(await credHelperGet(f.io, "docker-credential-fake", "missing.example"), undefined);
});

Deno.test("credHelperGet() rejects a helper that exits non-zero", async () => {
  await using f = await fixture();
  await assert.rejects(
    credHelperGet(f.io, "docker-credential-fake", "fail.example"),
    isConfigError,
  );
});

Deno.test("credHelperGet() rejects a helper that prints junk", async () => {
  await using f = await fixture();
  for (const server of ["junk.example", "array.example", "nosecret.example"]) {
    await assert.rejects(credHelperGet(f.io, "docker-credential-fake", server), isConfigError);
  }
});

Deno.test("credHelperGet() rejects a helper that is not on PATH", async () => {
  await using f = await fixture();
  await assert.rejects(
    credHelperGet(f.io, "docker-credential-absent", "good.example"),
    isConfigError,
  );
});

Deno.test("credHelperList() returns the servers of the helper", async () => {
  await using f = await fixture();
  assert.deepEqual(await credHelperList(f.io, "docker-credential-fake"), { "good.example": "u" });
});

Deno.test("credHelperList() rejects junk output and failures", async () => {
  await using f = await fixture({ LIST_JUNK: "1" });
  await assert.rejects(credHelperList(f.io, "docker-credential-fake"), isConfigError);
  await assert.rejects(credHelperList(f.io, "docker-credential-absent"), isConfigError);
});

Deno.test("CredHelperCache reuses an answer until credExpire passes", async () => {
  await using f = await fixture();
  let now = 1_000;
  const cache = new CredHelperCache(f.io, { now: () => now });
  const a = cache.get("docker-credential-fake", "good.example", 60_000);
  const b = cache.get("docker-credential-fake", "good.example", 60_000);
  assert.deepEqual(await a, { user: "u", pass: "s" });
  assert.deepEqual(await b, { user: "u", pass: "s" });
  assert.equal(await f.runs(), 1);
  now += 59_000;
  await cache.get("docker-credential-fake", "good.example", 60_000);
  assert.equal(await f.runs(), 1);
  now += 2_000;
  await cache.get("docker-credential-fake", "good.example", 60_000);
  assert.equal(await f.runs(), 2);
});

Deno.test("CredHelperCache remembers a failure for 5 s, then retries", async () => {
  await using f = await fixture();
  let now = 0;
  const cache = new CredHelperCache(f.io, { now: () => now });
  await assert.rejects(cache.get("docker-credential-fake", "fail.example"), isConfigError);
  await assert.rejects(cache.get("docker-credential-fake", "fail.example"), isConfigError);
  assert.equal(await f.runs(), 1);
  now += HELPER_RETRY_MS + 1;
  await assert.rejects(cache.get("docker-credential-fake", "fail.example"), isConfigError);
  assert.equal(await f.runs(), 2);
});
