/**
 * A chunked upload to `ocictl serve` resumes after the server restarts
 * (olareg's sessions do not survive): the session state lives beside its
 * temp file under `--dir`.
 *
 * @module
 */
import { equal } from "node:assert/strict";
import { startRegistryServer } from "../../src/serve/server.ts";
import { digestOf } from "../../src/types/digest.ts";
import { randomBytes } from "../registry/_image.ts";
import { resolveLocation, send } from "./_client.ts";

Deno.test("serve: a chunked upload resumes after a restart of the server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-upload-restart-" });
  const blob = randomBytes(300_000, 16);
  const start = () => startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  try {
    let server = await start();
    let base = `http://127.0.0.1:${server.addr.port}`;
    const post = await send(fetch, "POST", `${base}/v2/team/app/blobs/uploads/`);
    equal(post.status, 202);
    const path = resolveLocation(base, post.headers.get("location")).pathname;
    const first = await send(fetch, "PATCH", `${base}${path}`, {
      headers: { "Content-Range": "0-99999", "Content-Type": "application/octet-stream" },
      body: blob.subarray(0, 100_000),
    });
    equal(first.status, 202);
    await server.shutdown();

    server = await start();
    base = `http://127.0.0.1:${server.addr.port}`;
    const status = await send(fetch, "GET", `${base}${path}`);
    equal(status.status, 204);
    equal(status.headers.get("range"), "0-99999");
    const second = await send(fetch, "PATCH", `${base}${path}`, {
      headers: { "Content-Range": "100000-299999", "Content-Type": "application/octet-stream" },
      body: blob.subarray(100_000),
    });
    equal(second.status, 202);
    const done = await send(fetch, "PUT", `${base}${path}?digest=${await digestOf(blob)}`);
    equal(done.status, 201, done.text);
    const got = await send(fetch, "GET", `${base}/v2/team/app/blobs/${await digestOf(blob)}`);
    equal(await digestOf(got.body), await digestOf(blob));
    await server.shutdown();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
