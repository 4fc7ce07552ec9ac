import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { memoryIo } from "./_memory_io_test_helper.ts";
import { addDockerCerts, loadCertsDir } from "./certs_dir.ts";
import { listCertsDirHosts } from "./certs_dir_hosts.ts";
import type { NamedHost } from "./config_host.ts";

const DIR = "/certs.d";
const pem = (label: string, body: string): string =>
  `-----BEGIN ${label}-----\n${btoa(body)}\n-----END ${label}-----\n`;
const CA1 = pem("CERTIFICATE", "ca-one");
const CA2 = pem("CERTIFICATE", "ca-two");
const CLIENT = pem("CERTIFICATE", "client");
const KEY = pem("PRIVATE KEY", "key");

function isConfigError(err: unknown): boolean {
  return err instanceof ConfigError && err.code === ErrorCode.CONFIG;
}

Deno.test("loadCertsDir() joins every *.crt and reads a client cert/key pair", async () => {
  const io = memoryIo({
    [`${DIR}/reg:5000/ca.crt`]: CA1,
    [`${DIR}/reg:5000/extra.crt`]: CA2.trimEnd(),
    [`${DIR}/reg:5000/client.cert`]: CLIENT,
    [`${DIR}/reg:5000/client.key`]: KEY,
    [`${DIR}/reg:5000/README`]: "ignored",
  });
  assert.deepEqual(await loadCertsDir(io, "reg:5000", DIR), {
    regcert: CA1 + CA2,
    clientCert: CLIENT,
    clientKey: KEY,
  });
});

Deno.test("loadCertsDir() returns nothing for a host without a directory", async () => {
  const io = memoryIo({ [`${DIR}/other/ca.crt`]: CA1 });
  assert.deepEqual(await loadCertsDir(io, "reg:5000", DIR), {});
  assert.deepEqual(await loadCertsDir(io, "../other", DIR), {});
});

Deno.test("loadCertsDir() rejects a .cert without its .key and the reverse", async () => {
  const noKey = memoryIo({ [`${DIR}/r/client.cert`]: CLIENT });
  await assert.rejects(loadCertsDir(noKey, "r", DIR), isConfigError);
  const noCert = memoryIo({ [`${DIR}/r/client.key`]: KEY });
  await assert.rejects(loadCertsDir(noCert, "r", DIR), isConfigError);
});

Deno.test("loadCertsDir() rejects files that hold no PEM data", async () => {
  await assert.rejects(
    loadCertsDir(memoryIo({ [`${DIR}/r/ca.crt`]: "garbage" }), "r", DIR),
    isConfigError,
  );
  await assert.rejects(
    loadCertsDir(
      memoryIo({ [`${DIR}/r/c.cert`]: CLIENT, [`${DIR}/r/c.key`]: "garbage" }),
      "r",
      DIR,
    ),
    isConfigError,
  );
  await assert.rejects(
    loadCertsDir(memoryIo({ [`${DIR}/r/c.cert`]: "garbage", [`${DIR}/r/c.key`]: KEY }), "r", DIR),
    isConfigError,
  );
});

Deno.test("listCertsDirHosts() lists host directories, empty when the root is missing", async () => {
  const io = memoryIo({ [`${DIR}/b:1/ca.crt`]: CA1, [`${DIR}/a/ca.crt`]: CA1, [`${DIR}/f`]: "" });
  assert.deepEqual(await listCertsDirHosts(io, DIR), ["a", "b:1"]);
  assert.deepEqual(await listCertsDirHosts(io, "/missing"), []);
});

Deno.test("addDockerCerts() adds a host per new directory and appends its CA after a host's own", async () => {
  const io = memoryIo({
    [`${DIR}/own.example/ca.crt`]: CA2,
    [`${DIR}/own.example/c.cert`]: CLIENT,
    [`${DIR}/own.example/c.key`]: KEY,
    [`${DIR}/api.example/ca.crt`]: CA1,
    [`${DIR}/new.example/ca.crt`]: CA1,
  });
  const byName = new Map<string, NamedHost>([
    ["own.example", { name: "own.example", regcert: CA1.trimEnd(), clientCert: "mine" }],
    ["alias.example", { name: "alias.example", hostname: "api.example" }],
  ]);
  const dirs = ["api.example", "new.example", "own.example"];
  await addDockerCerts(io, { dir: DIR, dirs, byName, template: { tls: "insecure" } });
  assert.deepEqual([...byName.values()], [
    { name: "own.example", regcert: CA1 + CA2, clientCert: "mine" },
    { name: "alias.example", hostname: "api.example", regcert: CA1 },
    { name: "new.example", tls: "insecure", regcert: CA1 },
  ]);
});

Deno.test("addDockerCerts() warns about a broken directory and leaves its host alone", async () => {
  const io = memoryIo({ [`${DIR}/r/ca.crt`]: "garbage" });
  const byName = new Map<string, NamedHost>([["r", { name: "r", user: "u" }]]);
  const notes: [string, Record<string, unknown>][] = [];
  await addDockerCerts(io, {
    dir: DIR,
    dirs: ["r"],
    byName,
    template: {},
    warn: (m, d) => notes.push([m, d]),
  });
  assert.deepEqual([...byName.values()], [{ name: "r", user: "u" }]);
  assert.deepEqual(notes.map(([m, d]) => [m, d.dir]), [
    ["Cannot load docker certificates; skipping them", "r"],
  ]);
});
