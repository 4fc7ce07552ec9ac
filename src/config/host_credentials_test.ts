import assert from "node:assert/strict";
import { memoryIo, type RunCall } from "./_memory_io_test_helper.ts";
import type { NamedHost } from "./config_host.ts";
import { hostCredentials } from "./host_credentials.ts";

const hosts = (...list: NamedHost[]): Map<string, NamedHost> =>
  new Map(list.map((h) => [h.name, h]));

Deno.test("hostCredentials() answers a host's own credentials and nothing for others", async () => {
  const lookup = hostCredentials(memoryIo(), {
    byName: hosts({ name: "r.example", token: "t" }, { name: "plain.example", tls: "disabled" }),
  });
  assert.deepEqual(await lookup("r.example"), { user: undefined, pass: undefined, token: "t" });
  assert.equal(await lookup("plain.example"), undefined);
  assert.equal(await lookup("other.example"), undefined);
});

Deno.test("hostCredentials() asks a helper under credHost, else the hostname, Hub's v1 key for docker.io", async () => {
  const calls: RunCall[] = [];
  const io = memoryIo({}, {}, (call) => {
    calls.push(call);
    return { code: 0, stdout: JSON.stringify({ Username: "u", Secret: call.stdin }), stderr: "" };
  });
  const lookup = hostCredentials(io, {
    byName: hosts(
      { name: "a.example", credHelper: "docker-credential-x", credHost: "https://a/" },
      { name: "b.example", credHelper: "docker-credential-x", hostname: "b-api.example" },
    ),
    hostDefault: { credHelper: "docker-credential-y" },
  });
  assert.deepEqual(await lookup("a.example"), { user: "u", pass: "https://a/" });
  assert.deepEqual(await lookup("b.example"), { user: "u", pass: "b-api.example" });
  assert.deepEqual(await lookup("index.docker.io"), {
    user: "u",
    pass: "https://index.docker.io/v1/",
  });
  assert.deepEqual(calls.map((c) => c.cmd), [
    "docker-credential-x",
    "docker-credential-x",
    "docker-credential-y",
  ]);
});

Deno.test("hostCredentials() warns and answers nothing when a helper fails", async () => {
  const notes: [string, Record<string, unknown>][] = [];
  const io = memoryIo({}, {}, () => ({ code: 1, stdout: "boom", stderr: "" }));
  const lookup = hostCredentials(io, {
    byName: hosts({ name: "r.example", credHelper: "docker-credential-x" }),
    warn: (m, d) => notes.push([m, d]),
  });
  assert.equal(await lookup("r.example"), undefined);
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.[0], "Cannot get credentials from helper; continuing anonymously");
  assert.deepEqual(
    { host: notes[0]?.[1].host, helper: notes[0]?.[1].helper },
    { host: "r.example", helper: "docker-credential-x" },
  );
});
