import assert from "node:assert/strict";
import { memoryIo } from "./_memory_io_test_helper.ts";
import { DEFAULT_CERTS_DIR, listCertsDirHosts } from "./certs_dir_hosts.ts";

Deno.test("listCertsDirHosts() lists only directories, sorted", async () => {
  const io = memoryIo({
    "/c/z.example/ca.crt": "",
    "/c/a.example:5000/ca.crt": "",
    "/c/stray.crt": "",
  });
  assert.deepEqual(await listCertsDirHosts(io, "/c"), ["a.example:5000", "z.example"]);
});

Deno.test("listCertsDirHosts() reads docker's root by default; a missing root lists nothing", async () => {
  const io = memoryIo({ [`${DEFAULT_CERTS_DIR}/r.example/ca.crt`]: "" });
  assert.deepEqual(await listCertsDirHosts(io), ["r.example"]);
  assert.deepEqual(await listCertsDirHosts(memoryIo()), []);
});

Deno.test("listCertsDirHosts() passes on an error other than a missing root", async () => {
  const io = memoryIo();
  io.readDir = () => Promise.reject(new Error("permission denied"));
  await assert.rejects(listCertsDirHosts(io, "/c"), /permission denied/);
});
