import assert from "node:assert/strict";
import { ConfigError, ErrorCode, UsageError } from "../errors.ts";
import { resolveHost } from "./host_settings.ts";
import { memoryIo, type RunCall } from "./_memory_io_test_helper.ts";
import type { RunResult } from "./config_io.ts";
import { resolveHosts } from "./resolve_hosts.ts";

const CFG = "/cfg/config.json";
const DOCKER = "/home/.docker/config.json";
const ENV = { OCICTL_CONFIG: CFG, HOME: "/home" };
const CERTS = "/certs.d";
const CA = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
const b64 = (s: string): string => btoa(s);

function helper(answers: Record<string, RunResult>): (call: RunCall) => RunResult {
  return (call) =>
    answers[call.stdin] ??
      { code: 1, stdout: "credentials not found in native keychain", stderr: "" };
}

Deno.test("resolveHosts() merges docker creds, then config hosts, then --host flags", async () => {
  const io = memoryIo({
    [DOCKER]: JSON.stringify({
      auths: {
        "r.example": { auth: b64("docker:d") },
        "only-docker.example": { auth: b64("od:p") },
      },
    }),
    [CFG]: JSON.stringify({
      hosts: { "r.example": { user: "cfg", pass: "c", tls: "insecure" }, "c.example": {} },
    }),
  }, ENV);
  const r = await resolveHosts(io, { flags: ["reg=r.example,user=flag,pass=f"], certsDir: CERTS });
  assert.equal(r.configFile, CFG);
  assert.deepEqual(r.hosts, [
    { name: "r.example", tls: "insecure", user: "flag", pass: "f" },
    { name: "only-docker.example", user: "od", pass: "p" },
    { name: "c.example" },
  ]);
  assert.equal(resolveHost(r.hosts, "r.example").tls, "insecure");
});

Deno.test("resolveHosts() skips docker creds when incDockerCred is false", async () => {
  const io = memoryIo({
    [DOCKER]: JSON.stringify({ auths: { "r.example": { auth: b64("u:p") } } }),
    [CFG]: JSON.stringify({ incDockerCred: false }),
  }, ENV);
  assert.deepEqual((await resolveHosts(io, { certsDir: CERTS })).hosts, []);
});

Deno.test("resolveHosts() with skipDocker reads neither docker creds nor certificate directories", async () => {
  const io = memoryIo({
    [DOCKER]: JSON.stringify({ auths: { "r.example": { auth: b64("u:p") } } }),
    [`${CERTS}/r.example/ca.crt`]: CA,
  }, ENV);
  assert.deepEqual((await resolveHosts(io, { certsDir: CERTS, skipDocker: true })).hosts, []);
  assert.notDeepEqual((await resolveHosts(io, { certsDir: CERTS })).hosts, []);
});

Deno.test("resolveHosts() applies given hosts over the config file and under the flags", async () => {
  const io = memoryIo({
    [CFG]: JSON.stringify({ hosts: { "r.example": { user: "cfg", pass: "c", tls: "insecure" } } }),
  }, ENV);
  const r = await resolveHosts(io, {
    certsDir: CERTS,
    hosts: [{ name: "r.example", user: "sync", pass: "s", apiOpts: { disableHead: "true" } }],
    flags: ["reg=r.example,pass=f"],
  });
  assert.deepEqual(r.hosts, [{
    name: "r.example",
    tls: "insecure",
    user: "sync",
    pass: "f",
    apiOpts: { disableHead: true },
  }]);
});

Deno.test("resolveHosts() runs a config credHelper for a host instead of docker creds", async () => {
  const io = memoryIo(
    {
      [DOCKER]: JSON.stringify({ auths: { "r.example": { auth: b64("docker:d") } } }),
      [CFG]: JSON.stringify({
        hosts: {
          "r.example": { credHelper: "docker-credential-fake" },
          "docker.io": { credHelper: "docker-credential-fake" },
          "alias.example": { credHelper: "docker-credential-fake", credHost: "https://alias" },
        },
      }),
    },
    ENV,
    helper({
      "r.example": { code: 0, stdout: '{"Username":"hu","Secret":"hs"}', stderr: "" },
      "https://index.docker.io/v1/": {
        code: 0,
        stdout: '{"Username":"<token>","Secret":"tok"}',
        stderr: "",
      },
      "https://alias": { code: 0, stdout: '{"Username":"a","Secret":"b"}', stderr: "" },
    }),
  );
  const r = await resolveHosts(io, { certsDir: CERTS });
  assert.deepEqual(r.hosts[0], { name: "r.example" });
  assert.deepEqual(await r.credentials("r.example"), { user: "hu", pass: "hs" });
  assert.deepEqual(await r.credentials("docker.io"), { token: "tok" });
  assert.deepEqual(await r.credentials("alias.example"), { user: "a", pass: "b" });
  assert.equal(await r.credentials("unknown.example"), undefined);
  assert.deepEqual(io.runs.map((c) => [c.cmd, c.args[0]]), [
    ["docker-credential-fake", "get"],
    ["docker-credential-fake", "get"],
    ["docker-credential-fake", "get"],
  ]);
});

Deno.test("resolveHosts() uses hostDefault as the template, also for unknown hosts", async () => {
  const io = memoryIo(
    {
      [CFG]: JSON.stringify({
        hostDefault: { credHelper: "docker-credential-fake", reqConcurrent: 7 },
        hosts: { "pw.example": { user: "u", pass: "p" }, "plain.example": { tls: "disabled" } },
      }),
    },
    ENV,
    helper({ "new.example": { code: 0, stdout: '{"Username":"n","Secret":"s"}', stderr: "" } }),
  );
  const r = await resolveHosts(io, { certsDir: CERTS });
  assert.deepEqual(r.hosts, [
    { name: "pw.example", reqConcurrent: 7, user: "u", pass: "p" },
    { name: "plain.example", tls: "disabled", reqConcurrent: 7 },
  ]);
  assert.deepEqual(await r.credentials("new.example"), { user: "n", pass: "s" });
  assert.deepEqual(await r.credentials("pw.example"), { user: "u", pass: "p", token: undefined });
});

Deno.test("resolveHosts() answers undefined and warns when a helper fails", async () => {
  const notes: string[] = [];
  const io = memoryIo(
    { [CFG]: JSON.stringify({ hosts: { "r.example": { credHelper: "docker-credential-fake" } } }) },
    ENV,
    () => ({ code: 0, stdout: "not json", stderr: "" }),
  );
  const r = await resolveHosts(io, { certsDir: CERTS, warn: (m) => notes.push(m) });
  assert.equal(await r.credentials("r.example"), undefined);
  assert.equal(notes.length, 1);
});

Deno.test("resolveHosts() warns about a broken docker config and goes on", async () => {
  const notes: string[] = [];
  const io = memoryIo(
    { [DOCKER]: "{broken", [CFG]: JSON.stringify({ hosts: { "r.example": { user: "u" } } }) },
    ENV,
  );
  const r = await resolveHosts(io, { certsDir: CERTS, warn: (m) => notes.push(m) });
  assert.deepEqual(r.hosts, [{ name: "r.example", user: "u" }]);
  assert.equal(notes.length, 1);
});

Deno.test("resolveHosts() stops on a broken ocictl config or a bad --host flag", async () => {
  await assert.rejects(
    resolveHosts(memoryIo({ [CFG]: '{"version": 2}' }, ENV), { certsDir: CERTS }),
    (e: unknown) => e instanceof ConfigError && e.code === ErrorCode.CONFIG,
  );
  const io = memoryIo({}, ENV);
  await assert.rejects(
    resolveHosts(io, { flags: ["reg=r,tls=sometimes"], certsDir: CERTS }),
    (e: unknown) => e instanceof UsageError && e.code === ErrorCode.USAGE,
  );
});

Deno.test("resolveHosts() adds docker certificate directories as regcert", async () => {
  const io = memoryIo({
    [CFG]: JSON.stringify({
      hosts: { "r.example": { regcert: "CONFIGCA" }, "docker.io": {} },
    }),
    [`${CERTS}/r.example/ca.crt`]: CA,
    [`${CERTS}/registry-1.docker.io/ca.crt`]: CA,
    [`${CERTS}/other:5000/ca.crt`]: CA,
    [`${CERTS}/other:5000/client.cert`]: CA,
    [`${CERTS}/other:5000/client.key`]:
      "-----BEGIN RSA PRIVATE KEY-----\nSw==\n-----END RSA PRIVATE KEY-----\n",
  }, ENV);
  const r = await resolveHosts(io, { certsDir: CERTS });
  const byName = new Map(r.hosts.map((h) => [h.name, h]));
  assert.equal(byName.get("r.example")?.regcert, "CONFIGCA\n" + CA);
  assert.equal(byName.get("docker.io")?.regcert, CA);
  assert.equal(byName.get("other:5000")?.regcert, CA);
  assert.equal(byName.get("other:5000")?.clientCert, CA);
  assert.ok(byName.get("other:5000")?.clientKey?.includes("PRIVATE KEY"));
});

Deno.test("resolveHosts() skips certificates when incDockerCert is false or a directory is broken", async () => {
  const off = memoryIo({
    [CFG]: JSON.stringify({ incDockerCert: false }),
    [`${CERTS}/r.example/ca.crt`]: CA,
  }, ENV);
  assert.deepEqual((await resolveHosts(off, { certsDir: CERTS })).hosts, []);
  const notes: string[] = [];
  const broken = memoryIo({ [`${CERTS}/r.example/client.cert`]: CA }, ENV);
  const r = await resolveHosts(broken, { certsDir: CERTS, warn: (m) => notes.push(m) });
  assert.deepEqual(r.hosts, [{ name: "r.example" }]);
  assert.equal(notes.length, 1);
});
