import assert from "node:assert/strict";
import { ErrorCode, UsageError } from "../errors.ts";
import { collectHostFlag, parseHostFlag } from "./host_flag.ts";

function isUsageError(err: unknown): boolean {
  return err instanceof UsageError && err.code === ErrorCode.USAGE;
}

Deno.test("parseHostFlag() reads reg, user, pass and tls", () => {
  assert.deepEqual(parseHostFlag("reg=localhost:5000,user=u,pass=p,tls=disabled"), {
    name: "localhost:5000",
    user: "u",
    pass: "p",
    tls: "disabled",
  });
  assert.deepEqual(parseHostFlag("registry=docker.io"), { name: "docker.io" });
});

Deno.test("parseHostFlag() normalises the registry name", () => {
  assert.deepEqual(parseHostFlag("reg=https://index.docker.io/v1/,user=me"), {
    name: "docker.io",
    user: "me",
  });
  assert.deepEqual(parseHostFlag("reg=http://r:5000"), { name: "r:5000", tls: "disabled" });
  assert.deepEqual(parseHostFlag("reg=http://r:5000,tls=insecure"), {
    name: "r:5000",
    tls: "insecure",
  });
});

Deno.test("parseHostFlag() reads the other host keys, case-insensitively", () => {
  assert.deepEqual(
    parseHostFlag(
      "reg=r,hostname=h:1,credHelper=docker-credential-x,credhost=h,credExpire=10m,pathPrefix=/p/," +
        "mirror=m1,mirror=m2,repoAuth=true,reqConcurrent=2,reqPerSec=0.5,blobChunk=4096,blobMax=-1,token=t",
    ),
    {
      name: "r",
      hostname: "h:1",
      credHelper: "docker-credential-x",
      credHost: "h",
      credExpire: "10m",
      pathPrefix: "/p/",
      mirrors: ["m1", "m2"],
      repoAuth: true,
      reqConcurrent: 2,
      reqPerSec: 0.5,
      blobChunk: 4096,
      blobMax: -1,
      token: "t",
    },
  );
});

Deno.test("parseHostFlag() accepts CSV quoting for values with commas or quotes", () => {
  assert.deepEqual(parseHostFlag('reg=r,"pass=a,b""c"'), { name: "r", pass: 'a,b"c' });
});

Deno.test("parseHostFlag() rejects bad input with UsageError", () => {
  const bad = [
    "",
    "localhost:5000",
    "user=u",
    "reg=",
    "reg=r,=x",
    "reg=r,colour=blue",
    "reg=r,tls=maybe",
    "reg=r,reqConcurrent=many",
    "reg=r,reqConcurrent=",
    "reg=r,blobChunk=1.5",
    "reg=r,repoAuth=yes",
    "reg=r,credExpire=soon",
    "reg=ghcr.io/org/repo",
    'reg=r,"pass=unterminated',
    'reg=r,"pass=x"y',
    'reg=r,pa"ss=x',
  ];
  for (const value of bad) assert.throws(() => parseHostFlag(value), isUsageError, value);
});

Deno.test("collectHostFlag() appends in command-line order", () => {
  const first = collectHostFlag("reg=a", undefined);
  assert.deepEqual(collectHostFlag("reg=b", first).map((h) => h.name), ["a", "b"]);
});
