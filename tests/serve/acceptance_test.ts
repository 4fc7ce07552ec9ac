/**
 * Acceptance suite of `ocictl serve` over HTTP: every item of the checklist
 * in oci-spec.md §2.4, against a server on 127.0.0.1 with a temp directory.
 *
 * @module
 */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { createHash } from "node:crypto";
import { startRegistryServer } from "../../src/serve/server.ts";
import { parseHtpasswd } from "../../src/serve/htpasswd.ts";
import { digestOf } from "../../src/types/digest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import {
  buildImage,
  jsonBytes,
  pushBlob,
  pushImage,
  type Reply,
  resolveLocation,
  type Send,
  send,
  SPEC_CODES,
} from "./_client.ts";

const enc = new TextEncoder();
const http: Send = (req) => fetch(req);

/** Asserts an error reply: status, JSON content type, spec code. */
function assertError(r: Reply, status: number | number[], code?: string): void {
  const statuses = Array.isArray(status) ? status : [status];
  ok(statuses.includes(r.status), `status ${r.status}, want ${statuses.join("/")}: ${r.text}`);
  equal(r.headers.get("content-type"), "application/json");
  const body = JSON.parse(r.text) as { errors: { code: string; message: string }[] };
  ok(Array.isArray(body.errors) && body.errors.length > 0);
  for (const e of body.errors) ok(SPEC_CODES.has(e.code), `code ${e.code}`);
  if (code !== undefined) equal(body.errors[0]?.code, code);
}

async function withServer(
  fn: (base: string, dir: string) => Promise<void>,
  options: { readOnly?: boolean; noDelete?: boolean; htpasswd?: string } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-acc-" });
  const srv = await startRegistryServer({
    dir,
    hostname: "127.0.0.1",
    port: 0,
    readOnly: options.readOnly,
    noDelete: options.noDelete,
    auth: options.htpasswd === undefined ? undefined : parseHtpasswd(options.htpasswd),
    limits: { referrersBytes: 1024 },
  });
  try {
    await fn(`http://127.0.0.1:${srv.addr.port}`, dir);
  } finally {
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

function sha512Of(bytes: Uint8Array): string {
  return `sha512:${createHash("sha512").update(bytes).digest("hex")}`;
}

Deno.test("serve acceptance: base, blob pull and blob push (S-BASE, S-BPULL, S-BPUSH)", async (t) => {
  await withServer(async (base, dir) => {
    const blob = enc.encode("hello blob content 0123456789");
    const d = await digestOf(blob);

    await t.step("S-BASE-01 GET /v2/ answers 200 {} as JSON", async () => {
      const r = await send(http, "GET", `${base}/v2/`);
      equal(r.status, 200);
      equal(r.text, "{}");
      equal(r.headers.get("content-type"), "application/json");
    });

    await t.step("S-BASE-02 unknown route 404, wrong method 405 UNSUPPORTED", async () => {
      assertError(await send(http, "GET", `${base}/v3/x`), 404);
      assertError(await send(http, "GET", `${base}/v2/a/nothing/here`), 404);
      const r = await send(http, "POST", `${base}/v2/a/manifests/x`);
      assertError(r, 405, "UNSUPPORTED");
      ok(r.headers.get("allow")?.includes("PUT"));
    });

    await t.step(
      "S-BASE-03 invalid names answer 400 NAME_INVALID or 404, never escape",
      async () => {
        assertError(await send(http, "GET", `${base}/v2/Upper/tags/list`), 400, "NAME_INVALID");
        assertError(
          await send(http, "GET", `${base}/v2/a%2F..%2Fb/tags/list`),
          400,
          "NAME_INVALID",
        );
        assertError(await send(http, "GET", `${base}/v2/a//b/tags/list`), 400, "NAME_INVALID");
        assertError(await send(http, "GET", `${base}/v2/a/tags/list/`), 404);
        const esc = await send(http, "PUT", `${base}/v2/..%2F..%2Fescape/manifests/x`, {
          body: jsonBytes({}),
        });
        assertError(esc, [400, 404]);
        equal(await Deno.stat(`${dir}/../escape`).catch(() => undefined), undefined);
      },
    );

    await t.step("S-BPUSH-02 POST ?digest= with body → 201, Location, digest", async () => {
      const r = await pushBlob(http, base, "acc/blobs1", blob);
      equal(r.status, 201);
      equal(r.headers.get("docker-content-digest"), d);
      equal(r.headers.get("location"), `/v2/acc/blobs1/blobs/${d}`);
    });

    await t.step("S-BPULL-01 GET/HEAD blob: bytes, headers, empty HEAD body", async () => {
      const g = await send(http, "GET", `${base}/v2/acc/blobs1/blobs/${d}`);
      equal(g.status, 200);
      deepEqual(g.body, blob);
      equal(g.headers.get("docker-content-digest"), d);
      equal(g.headers.get("content-type"), "application/octet-stream");
      equal(g.headers.get("content-length"), String(blob.length));
      const h = await send(http, "HEAD", `${base}/v2/acc/blobs1/blobs/${d}`);
      equal(h.status, 200);
      equal(h.body.length, 0);
      equal(h.headers.get("content-length"), String(blob.length));
      equal(h.headers.get("docker-content-digest"), d);
    });

    await t.step("S-BPULL-02 missing blob 404 BLOB_UNKNOWN, malformed digest 400", async () => {
      const missing = await digestOf(enc.encode("never pushed"));
      assertError(
        await send(http, "GET", `${base}/v2/acc/blobs1/blobs/${missing}`),
        404,
        "BLOB_UNKNOWN",
      );
      assertError(
        await send(http, "GET", `${base}/v2/acc/blobs1/blobs/sha256:zz`),
        400,
        "DIGEST_INVALID",
      );
    });

    await t.step("S-BPULL-03 ranges: a-b, a-, -n, past EOF; unsatisfiable 416", async () => {
      const url = `${base}/v2/acc/blobs1/blobs/${d}`;
      const cases: [string, number, number][] = [
        ["bytes=2-5", 2, 5],
        ["bytes=3-", 3, blob.length - 1],
        ["bytes=-4", blob.length - 4, blob.length - 1],
        ["bytes=5-100000", 5, blob.length - 1],
      ];
      for (const [header, start, end] of cases) {
        const r = await send(http, "GET", url, { headers: { Range: header } });
        equal(r.status, 206, header);
        equal(r.headers.get("content-range"), `bytes ${start}-${end}/${blob.length}`);
        equal(r.headers.get("content-length"), String(end - start + 1));
        deepEqual(r.body, blob.slice(start, end + 1));
      }
      for (const header of ["bytes=500-0", `bytes=${blob.length}-`, "bytes=-0"]) {
        const r = await send(http, "GET", url, { headers: { Range: header } });
        equal(r.status, 416, header);
        equal(r.headers.get("content-range"), `bytes */${blob.length}`);
      }
    });

    await t.step("S-BPULL-04 a blob of another repo is 404 here", async () => {
      await pushBlob(http, base, "acc/other", enc.encode("other"));
      assertError(await send(http, "GET", `${base}/v2/acc/other/blobs/${d}`), 404, "BLOB_UNKNOWN");
    });

    await t.step("S-BPUSH-01 POST → 202 with unique Location per session", async () => {
      const a = await send(http, "POST", `${base}/v2/acc/blobs1/blobs/uploads/`);
      const b = await send(http, "POST", `${base}/v2/acc/blobs1/blobs/uploads/`);
      equal(a.status, 202);
      equal(b.status, 202);
      ok(a.headers.get("location")?.startsWith("/v2/acc/blobs1/blobs/uploads/"));
      notEqual(a.headers.get("location"), b.headers.get("location"));
      ok(a.headers.get("docker-upload-uuid"));
      for (const r of [a, b]) {
        equal(
          (await send(http, "DELETE", resolveLocation(base, r.headers.get("location")).href))
            .status,
          204,
        );
      }
    });

    await t.step("S-BPUSH-03 POST then PUT ?digest= with the body → 201", async () => {
      const data = enc.encode("post-put content");
      const p = await send(http, "POST", `${base}/v2/acc/pp/blobs/uploads/`);
      const loc = resolveLocation(base, p.headers.get("location"));
      loc.searchParams.set("digest", await digestOf(data));
      const r = await send(http, "PUT", loc.href, {
        headers: { "Content-Type": "application/octet-stream" },
        body: data,
      });
      equal(r.status, 201);
      const g = await send(http, "GET", resolveLocation(base, r.headers.get("location")).href);
      deepEqual(g.body, data);
    });

    await t.step("S-BPUSH-04/05/07 chunked PATCH, 416 recovery, last chunk in PUT", async () => {
      const data = enc.encode("0123456789abcdefghijklmnopqrstuvwxyz");
      const p = await send(http, "POST", `${base}/v2/acc/chunks/blobs/uploads/`, {
        headers: { "Content-Length": "0" },
      });
      let loc = resolveLocation(base, p.headers.get("location"));
      const chunk = async (start: number, end: number, method = "PATCH") =>
        await send(http, method, loc.href, {
          headers: {
            "Content-Range": `${start}-${end}`,
            "Content-Type": "application/octet-stream",
          },
          body: data.slice(start, end + 1),
        });
      // out of order first chunk
      const bad = await chunk(5, 9);
      assertError(bad, 416);
      equal(bad.headers.get("range"), "0-0");
      let r = await chunk(0, 9);
      equal(r.status, 202);
      equal(r.headers.get("range"), "0-9");
      loc = resolveLocation(base, r.headers.get("location"));
      // retrying the same chunk is out of order
      const again = await chunk(0, 9);
      assertError(again, 416);
      equal(again.headers.get("range"), "0-9");
      const status = await send(http, "GET", loc.href);
      equal(status.status, 204);
      equal(status.headers.get("range"), "0-9");
      ok(status.headers.get("location"));
      r = await chunk(10, 19);
      equal(r.status, 202);
      equal(r.headers.get("range"), "0-19");
      // an out-of-order final chunk in the PUT is refused and the session survives
      loc.searchParams.set("digest", await digestOf(data));
      assertError(await chunk(25, data.length - 1, "PUT"), 416);
      r = await chunk(20, data.length - 1, "PUT");
      equal(r.status, 201);
      equal(r.headers.get("docker-content-digest"), await digestOf(data));
      const g = await send(http, "GET", `${base}/v2/acc/chunks/blobs/${await digestOf(data)}`);
      deepEqual(g.body, data);

      // PUT with Content-Length 0 after chunks
      const p2 = await send(http, "POST", `${base}/v2/acc/chunks/blobs/uploads/`);
      loc = resolveLocation(base, p2.headers.get("location"));
      const other = enc.encode("two chunk blob!");
      r = await send(http, "PATCH", loc.href, {
        headers: { "Content-Range": "0-3" },
        body: other.slice(0, 4),
      });
      loc = resolveLocation(base, r.headers.get("location"));
      r = await send(http, "PATCH", loc.href, {
        headers: { "Content-Range": `4-${other.length - 1}` },
        body: other.slice(4),
      });
      equal(r.status, 202);
      loc.searchParams.set("digest", await digestOf(other));
      r = await send(http, "PUT", loc.href, { headers: { "Content-Length": "0" } });
      equal(r.status, 201);
    });

    await t.step(
      "S-BPUSH-06 streamed PATCH without Content-Length (chunked encoding)",
      async () => {
        const parts = [enc.encode("stream-"), enc.encode("ed "), enc.encode("body")];
        const whole = enc.encode("stream-ed body");
        const p = await send(http, "POST", `${base}/v2/acc/stream/blobs/uploads/`);
        let loc = resolveLocation(base, p.headers.get("location"));
        const r = await send(http, "PATCH", loc.href, { body: ReadableStream.from(parts) });
        equal(r.status, 202);
        equal(r.headers.get("range"), `0-${whole.length - 1}`);
        loc = resolveLocation(base, r.headers.get("location"));
        loc.searchParams.set("digest", await digestOf(whole));
        equal((await send(http, "PUT", loc.href)).status, 201);
      },
    );

    await t.step("S-BPUSH-08 digest mismatch → 400 DIGEST_INVALID, nothing stored", async () => {
      const data = enc.encode("mismatch me");
      const wrong = await digestOf(enc.encode("something else"));
      const mono = await send(http, "POST", `${base}/v2/acc/mm/blobs/uploads/?digest=${wrong}`, {
        body: data,
      });
      assertError(mono, 400, "DIGEST_INVALID");
      const p = await send(http, "POST", `${base}/v2/acc/mm/blobs/uploads/`);
      const loc = resolveLocation(base, p.headers.get("location"));
      loc.searchParams.set("digest", wrong);
      assertError(await send(http, "PUT", loc.href, { body: data }), 400, "DIGEST_INVALID");
      for (const dg of [wrong, await digestOf(data)]) {
        equal((await send(http, "HEAD", `${base}/v2/acc/mm/blobs/${dg}`)).status, 404);
      }
    });

    await t.step("S-BPUSH-09 unsupported algorithm → 400", async () => {
      assertError(
        await send(http, "POST", `${base}/v2/acc/mm/blobs/uploads/?digest-algorithm=md5`),
        400,
      );
      assertError(
        await send(http, "POST", `${base}/v2/acc/mm/blobs/uploads/?digest=md5:abcd`, { body: "x" }),
        400,
      );
    });

    await t.step("S-BPUSH-10/11 unknown session 404; DELETE ends a session", async () => {
      const unknown = `${base}/v2/acc/mm/blobs/uploads/${"0".repeat(32)}`;
      assertError(await send(http, "PATCH", unknown, { body: "x" }), 404, "BLOB_UPLOAD_UNKNOWN");
      const p = await send(http, "POST", `${base}/v2/acc/mm/blobs/uploads/`);
      const loc = resolveLocation(base, p.headers.get("location"));
      equal((await send(http, "DELETE", loc.href)).status, 204);
      assertError(await send(http, "PATCH", loc.href, { body: "x" }), 404, "BLOB_UPLOAD_UNKNOWN");
    });

    await t.step("S-BPUSH-12 Location query parameters survive adding digest", async () => {
      const data = enc.encode("query params");
      const p = await send(http, "POST", `${base}/v2/acc/qp/blobs/uploads/`);
      const loc = resolveLocation(base, p.headers.get("location"));
      const kept = [...loc.searchParams.entries()];
      loc.searchParams.set("digest", await digestOf(data));
      for (const [k, v] of kept) equal(loc.searchParams.get(k), v);
      equal((await send(http, "PUT", loc.href, { body: data })).status, 201);
    });

    await t.step("S-BPUSH-13 0-byte and {} blobs round-trip", async () => {
      for (const data of [new Uint8Array(0), enc.encode("{}")]) {
        const p = await send(http, "POST", `${base}/v2/acc/small/blobs/uploads/`);
        const loc = resolveLocation(base, p.headers.get("location"));
        loc.searchParams.set("digest", await digestOf(data));
        equal((await send(http, "PUT", loc.href, { body: data })).status, 201);
        const g = await send(http, "GET", `${base}/v2/acc/small/blobs/${await digestOf(data)}`);
        equal(g.status, 200);
        deepEqual(g.body, data);
      }
    });

    await t.step("S-BPUSH-14 sha512 uploads, with and without digest-algorithm", async () => {
      for (const query of ["", "?digest-algorithm=sha512"]) {
        const data = enc.encode(`sha512 data ${query}`);
        const p = await send(http, "POST", `${base}/v2/acc/s512/blobs/uploads/${query}`);
        equal(p.status, 202);
        const loc = resolveLocation(base, p.headers.get("location"));
        loc.searchParams.set("digest", sha512Of(data));
        const r = await send(http, "PUT", loc.href, { body: data });
        equal(r.status, 201);
        equal(r.headers.get("docker-content-digest"), sha512Of(data));
        const hex = sha512Of(data).slice(7);
        deepEqual(await Deno.readFile(`${dir}/acc/s512/blobs/sha512/${hex}`), data);
      }
    });

    await t.step("S-BPUSH-15 no OCI-Chunk-Min-Length: 1-byte chunks are accepted", async () => {
      const p = await send(http, "POST", `${base}/v2/acc/tiny/blobs/uploads/`);
      equal(p.headers.get("oci-chunk-min-length"), null);
      let loc = resolveLocation(base, p.headers.get("location"));
      const data = enc.encode("abc");
      for (let i = 0; i < data.length; i++) {
        const r = await send(http, "PATCH", loc.href, {
          headers: { "Content-Range": `${i}-${i}` },
          body: data.slice(i, i + 1),
        });
        equal(r.status, 202);
        loc = resolveLocation(base, r.headers.get("location"));
      }
      loc.searchParams.set("digest", await digestOf(data));
      equal((await send(http, "PUT", loc.href)).status, 201);
    });

    await t.step("S-BPUSH-16 mount: 201 from a repo that has it, else 202", async () => {
      const r = await send(
        http,
        "POST",
        `${base}/v2/acc/mounted/blobs/uploads/?mount=${d}&from=acc/blobs1`,
      );
      equal(r.status, 201);
      equal(r.headers.get("location"), `/v2/acc/mounted/blobs/${d}`);
      equal(r.headers.get("docker-content-digest"), d);
      deepEqual((await send(http, "GET", `${base}/v2/acc/mounted/blobs/${d}`)).body, blob);
      const missing = await digestOf(enc.encode("not anywhere"));
      const m = await send(
        http,
        "POST",
        `${base}/v2/acc/mounted/blobs/uploads/?mount=${missing}&from=acc/blobs1`,
      );
      equal(m.status, 202);
      ok(m.headers.get("location")?.startsWith("/v2/acc/mounted/blobs/uploads/"));
      const noFrom = await send(http, "POST", `${base}/v2/acc/fresh/blobs/uploads/?mount=${d}`);
      equal(noFrom.status, 202);
    });

    await t.step("S-BPUSH-17 concurrent uploads of one digest both succeed", async () => {
      const data = enc.encode("x".repeat(100_000));
      const rs = await Promise.all([1, 2].map(() => pushBlob(http, base, "acc/conc", data)));
      for (const r of rs) equal(r.status, 201);
      const names = [];
      for await (const e of Deno.readDir(`${dir}/acc/conc/blobs/sha256`)) names.push(e.name);
      deepEqual(names, [(await digestOf(data)).slice(7)]);
    });

    await t.step("S-BASE-04 error bodies are spec JSON (HEAD has no body)", async () => {
      const r = await send(http, "GET", `${base}/v2/acc/none/manifests/nope`);
      assertError(r, 404);
    });
  });
});

Deno.test("serve acceptance: manifests, tags, referrers, delete, layout (S-MAN, S-TAG, S-REF, S-DEL, S-LAY)", async (t) => {
  await withServer(async (base, dir) => {
    const repo = "acc/images";
    const img = await buildImage("one");

    await t.step("S-MAN-01 PUT by tag and by digest → 201 with Location and digest", async () => {
      const r = await pushImage(http, base, repo, "v1", img);
      equal(r.status, 201, r.text);
      equal(r.headers.get("location"), `/v2/${repo}/manifests/${img.digest}`);
      equal(r.headers.get("docker-content-digest"), img.digest);
      const byDigest = await send(http, "PUT", `${base}/v2/${repo}/manifests/${img.digest}`, {
        headers: { "Content-Type": MediaType.OCI_MANIFEST },
        body: img.manifest,
      });
      equal(byDigest.status, 201);
    });

    await t.step("S-MAN-02 GET/HEAD by tag and digest: exact bytes and headers", async () => {
      for (const ref of ["v1", img.digest]) {
        const g = await send(http, "GET", `${base}/v2/${repo}/manifests/${ref}`, {
          headers: { Accept: MediaType.OCI_MANIFEST },
        });
        equal(g.status, 200);
        deepEqual(g.body, img.manifest);
        equal(g.headers.get("content-type"), MediaType.OCI_MANIFEST);
        equal(g.headers.get("docker-content-digest"), img.digest);
        const h = await send(http, "HEAD", `${base}/v2/${repo}/manifests/${ref}`);
        equal(h.status, 200);
        equal(h.body.length, 0);
        equal(h.headers.get("content-length"), String(img.manifest.length));
        equal(h.headers.get("docker-content-digest"), img.digest);
      }
    });

    await t.step("S-MAN-03 mismatching or malformed digests → 400", async () => {
      const spaced = new Uint8Array([...img.manifest, 32, 32]);
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/${img.digest}`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: spaced,
        }),
        400,
        "DIGEST_INVALID",
      );
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/sha256:baddigeststring`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: img.manifest,
        }),
        400,
      );
      assertError(await send(http, "GET", `${base}/v2/${repo}/manifests/sha256:baddigeststring`), [
        400,
        404,
      ]);
      equal(
        (await send(http, "HEAD", `${base}/v2/${repo}/manifests/${await digestOf(spaced)}`)).status,
        404,
      );
    });

    await t.step("S-MAN-04 media types: four accepted, others and mismatches 400", async () => {
      const docker = await buildImage("docker");
      for (const b of docker.blobs) await pushBlob(http, base, repo, b);
      const dockerJson = JSON.parse(new TextDecoder().decode(docker.manifest));
      dockerJson.mediaType = MediaType.DOCKER_MANIFEST;
      dockerJson.config.mediaType = MediaType.DOCKER_CONFIG;
      dockerJson.layers[0].mediaType = MediaType.DOCKER_LAYER_GZIP;
      const dockerRaw = jsonBytes(dockerJson);
      const r = await send(http, "PUT", `${base}/v2/${repo}/manifests/docker`, {
        headers: { "Content-Type": MediaType.DOCKER_MANIFEST },
        body: dockerRaw,
      });
      equal(r.status, 201, r.text);
      const list = jsonBytes({
        schemaVersion: 2,
        mediaType: MediaType.DOCKER_MANIFEST_LIST,
        manifests: [{
          mediaType: MediaType.DOCKER_MANIFEST,
          digest: await digestOf(dockerRaw),
          size: dockerRaw.length,
          platform: { os: "linux", architecture: "amd64" },
        }],
      });
      equal(
        (await send(http, "PUT", `${base}/v2/${repo}/manifests/dlist`, {
          headers: { "Content-Type": MediaType.DOCKER_MANIFEST_LIST },
          body: list,
        })).status,
        201,
      );
      const g = await send(http, "GET", `${base}/v2/${repo}/manifests/dlist`);
      equal(g.headers.get("content-type"), MediaType.DOCKER_MANIFEST_LIST);
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/mismatch`, {
          headers: { "Content-Type": MediaType.OCI_INDEX },
          body: img.manifest,
        }),
        400,
        "MANIFEST_INVALID",
      );
      const schema1 = jsonBytes({ schemaVersion: 1, name: "x", tag: "y", fsLayers: [] });
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/s1`, {
          headers: { "Content-Type": MediaType.DOCKER_SCHEMA1 },
          body: schema1,
        }),
        400,
        "MANIFEST_INVALID",
      );
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/junk`, { body: "not json" }),
        400,
        "MANIFEST_INVALID",
      );
    });

    await t.step(
      "S-MAN-05 missing blobs → one MANIFEST_BLOB_UNKNOWN each; foreign exempt",
      async () => {
        const lost = await buildImage("lost");
        const r = await send(http, "PUT", `${base}/v2/${repo}/manifests/lost`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: lost.manifest,
        });
        assertError(r, 400, "MANIFEST_BLOB_UNKNOWN");
        equal((JSON.parse(r.text) as { errors: unknown[] }).errors.length, 2);
        const idx = jsonBytes({
          schemaVersion: 2,
          mediaType: MediaType.OCI_INDEX,
          manifests: [{ mediaType: MediaType.OCI_MANIFEST, digest: lost.digest, size: 10 }],
        });
        assertError(
          await send(http, "PUT", `${base}/v2/${repo}/manifests/lostidx`, {
            headers: { "Content-Type": MediaType.OCI_INDEX },
            body: idx,
          }),
          400,
          "MANIFEST_BLOB_UNKNOWN",
        );
        const cfg = img.blobs[0] as Uint8Array;
        const foreign = jsonBytes({
          schemaVersion: 2,
          mediaType: MediaType.OCI_MANIFEST,
          config: {
            mediaType: MediaType.OCI_CONFIG,
            digest: await digestOf(cfg),
            size: cfg.length,
          },
          layers: [
            {
              mediaType: MediaType.OCI_LAYER_FOREIGN_GZIP,
              digest: await digestOf(enc.encode("far away")),
              size: 8,
              urls: ["https://example.com/layer"],
            },
          ],
        });
        equal(
          (await send(http, "PUT", `${base}/v2/${repo}/manifests/foreign`, {
            headers: { "Content-Type": MediaType.OCI_MANIFEST },
            body: foreign,
          })).status,
          201,
        );
        equal((await send(http, "HEAD", `${base}/v2/${repo}/manifests/lost`)).status, 404);
      },
    );

    const subjectDigest = img.digest;
    const refs: { digest: string; artifactType: string }[] = [];

    await t.step("S-MAN-06 a dangling subject is accepted with OCI-Subject", async () => {
      const dangling = await digestOf(enc.encode("missing content"));
      const a = await buildImage("dangling", {
        artifactType: "application/vnd.example.dangling",
        subject: { mediaType: MediaType.OCI_MANIFEST, digest: dangling, size: 123 },
      });
      const r = await pushImage(http, base, repo, a.digest, a);
      equal(r.status, 201, r.text);
      equal(r.headers.get("oci-subject"), dangling);
      const list = await send(http, "GET", `${base}/v2/${repo}/referrers/${dangling}`);
      equal((JSON.parse(list.text) as { manifests: unknown[] }).manifests.length, 1);
    });

    await t.step("S-MAN-07 a ~4 MiB manifest is accepted; above the limit 413", async () => {
      const cfg = img.blobs[0] as Uint8Array;
      const make = async (pad: number) =>
        jsonBytes({
          schemaVersion: 2,
          mediaType: MediaType.OCI_MANIFEST,
          config: {
            mediaType: MediaType.OCI_CONFIG,
            digest: await digestOf(cfg),
            size: cfg.length,
          },
          layers: [],
          annotations: { pad: "x".repeat(pad) },
        });
      const big = await make(4 * 1024 * 1024 - 400);
      ok(big.length <= 4 * 1024 * 1024 && big.length > 4 * 1024 * 1024 - 1000);
      const r = await send(http, "PUT", `${base}/v2/${repo}/manifests/big`, {
        headers: { "Content-Type": MediaType.OCI_MANIFEST },
        body: big,
      });
      equal(r.status, 201, r.text);
      deepEqual((await send(http, "GET", `${base}/v2/${repo}/manifests/big`)).body, big);
      const huge = await make(4 * 1024 * 1024);
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/huge`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: huge,
        }),
        413,
      );
    });

    await t.step(
      "S-MAN-08 unknown fields, data, empty layers and manifests kept byte-exact",
      async () => {
        const cfg = img.blobs[0] as Uint8Array;
        const odd = enc.encode(
          `{ "schemaVersion": 2, "mediaType": "${MediaType.OCI_MANIFEST}", "custom": {"z": 1},\n` +
            `"config": {"mediaType": "${MediaType.OCI_CONFIG}", "digest": "${await digestOf(
              cfg,
            )}", ` +
            `"size": ${cfg.length}, "data": "${
              btoa(new TextDecoder().decode(cfg))
            }"}, "layers": [] }`,
        );
        const empty = enc.encode(
          `{"schemaVersion":2,"mediaType":"${MediaType.OCI_INDEX}","manifests":[],"extra":true}`,
        );
        for (
          const [tag, raw, type] of [["odd", odd, MediaType.OCI_MANIFEST], [
            "empty",
            empty,
            MediaType.OCI_INDEX,
          ]] as const
        ) {
          const r = await send(http, "PUT", `${base}/v2/${repo}/manifests/${tag}`, {
            headers: { "Content-Type": type },
            body: raw,
          });
          equal(r.status, 201, r.text);
          deepEqual((await send(http, "GET", `${base}/v2/${repo}/manifests/${tag}`)).body, raw);
        }
      },
    );

    await t.step("S-MAN-09 ?tag= params give OCI-Tag; invalid tag or tag ref 400", async () => {
      const r = await send(
        http,
        "PUT",
        `${base}/v2/${repo}/manifests/${img.digest}?tag=ta&tag=tb`,
        {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: img.manifest,
        },
      );
      equal(r.status, 201);
      deepEqual(r.headers.get("oci-tag")?.split(",").map((s) => s.trim()), ["ta", "tb"]);
      for (const tg of ["ta", "tb"]) {
        equal((await send(http, "HEAD", `${base}/v2/${repo}/manifests/${tg}`)).status, 200);
      }
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/${img.digest}?tag=-bad`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: img.manifest,
        }),
        400,
      );
      assertError(
        await send(http, "PUT", `${base}/v2/${repo}/manifests/v1?tag=other`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: img.manifest,
        }),
        400,
      );
    });

    await t.step(
      "S-MAN-01 sha512: an index and children pushed by sha512 digest only",
      async () => {
        const child = await buildImage("sha512-child");
        for (const b of child.blobs) {
          const p = await send(
            http,
            "POST",
            `${base}/v2/${repo}/blobs/uploads/?digest-algorithm=sha512`,
          );
          const loc = resolveLocation(base, p.headers.get("location"));
          loc.searchParams.set("digest", sha512Of(b));
          equal((await send(http, "PUT", loc.href, { body: b })).status, 201);
        }
        const cj = JSON.parse(new TextDecoder().decode(child.manifest));
        cj.config.digest = sha512Of(child.blobs[0] as Uint8Array);
        cj.layers[0].digest = sha512Of(child.blobs[1] as Uint8Array);
        const childRaw = jsonBytes(cj);
        const put = await send(http, "PUT", `${base}/v2/${repo}/manifests/${sha512Of(childRaw)}`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: childRaw,
        });
        equal(put.status, 201, put.text);
        equal(put.headers.get("docker-content-digest"), sha512Of(childRaw));
        const idx = jsonBytes({
          schemaVersion: 2,
          mediaType: MediaType.OCI_INDEX,
          manifests: [{
            mediaType: MediaType.OCI_MANIFEST,
            digest: sha512Of(childRaw),
            size: childRaw.length,
            platform: { os: "linux", architecture: "amd64" },
          }],
        });
        const r = await send(http, "PUT", `${base}/v2/${repo}/manifests/${sha512Of(idx)}`, {
          headers: { "Content-Type": MediaType.OCI_INDEX },
          body: idx,
        });
        equal(r.status, 201, r.text);
        equal(r.headers.get("location"), `/v2/${repo}/manifests/${sha512Of(idx)}`);
        const g = await send(http, "GET", `${base}/v2/${repo}/manifests/${sha512Of(idx)}`);
        equal(g.status, 200);
        deepEqual(g.body, idx);
        equal(g.headers.get("docker-content-digest"), sha512Of(idx));
        ok((await Deno.stat(`${dir}/${repo}/blobs/sha512/${sha512Of(idx).slice(7)}`)).isFile);
      },
    );

    await t.step("S-MAN-10 re-pushing a tag moves it; the old digest stays", async () => {
      const two = await buildImage("two");
      equal((await pushImage(http, base, repo, "moving", img)).status, 201);
      equal((await pushImage(http, base, repo, "moving", two)).status, 201);
      const g = await send(http, "GET", `${base}/v2/${repo}/manifests/moving`);
      equal(g.headers.get("docker-content-digest"), two.digest);
      equal((await send(http, "GET", `${base}/v2/${repo}/manifests/${img.digest}`)).status, 200);
    });

    await t.step(
      "S-MAN-11 manifests are served whatever Accept says (both forms parse)",
      async () => {
        const one = await send(http, "GET", `${base}/v2/${repo}/manifests/v1`, {
          headers: { Accept: `${MediaType.DOCKER_MANIFEST}, ${MediaType.OCI_INDEX}` },
        });
        equal(one.status, 200);
        equal(one.headers.get("content-type"), MediaType.OCI_MANIFEST);
        const h = new Headers();
        h.append("Accept", MediaType.OCI_INDEX);
        h.append("Accept", MediaType.OCI_MANIFEST);
        const two = await http(new Request(`${base}/v2/${repo}/manifests/v1`, { headers: h }));
        equal(two.status, 200);
        await two.body?.cancel();
      },
    );

    await t.step("S-TAG-01 tags list sorted; empty repo []; unknown repo 404", async () => {
      const r = await send(http, "GET", `${base}/v2/${repo}/tags/list`);
      equal(r.status, 200);
      const body = JSON.parse(r.text) as { name: string; tags: string[] };
      equal(body.name, repo);
      deepEqual(body.tags, [...body.tags].sort());
      ok(body.tags.includes("v1"));
      await pushBlob(http, base, "acc/untagged", enc.encode("x"));
      const e = await send(http, "GET", `${base}/v2/acc/untagged/tags/list`);
      deepEqual(JSON.parse(e.text), { name: "acc/untagged", tags: [] });
      assertError(await send(http, "GET", `${base}/v2/acc/unknown/tags/list`), 404, "NAME_UNKNOWN");
    });

    await t.step("S-TAG-02/03/04 n, last, n=0, bad n, Link walk", async () => {
      const all = (JSON.parse((await send(http, "GET", `${base}/v2/${repo}/tags/list`)).text) as {
        tags: string[];
      }).tags;
      ok(all.length >= 5);
      const p = await send(http, "GET", `${base}/v2/${repo}/tags/list?n=2`);
      deepEqual((JSON.parse(p.text) as { tags: string[] }).tags, all.slice(0, 2));
      equal(p.headers.get("link"), `</v2/${repo}/tags/list?n=2&last=${all[1]}>; rel="next"`);
      const zero = await send(http, "GET", `${base}/v2/${repo}/tags/list?n=0`);
      deepEqual((JSON.parse(zero.text) as { tags: string[] }).tags, []);
      equal(zero.headers.get("link"), null);
      for (const bad of ["-1", "abc", "1.5"]) {
        assertError(await send(http, "GET", `${base}/v2/${repo}/tags/list?n=${bad}`), 400);
      }
      const after = await send(http, "GET", `${base}/v2/${repo}/tags/list?last=${all[2]}`);
      deepEqual((JSON.parse(after.text) as { tags: string[] }).tags, all.slice(3));
      const seen: string[] = [];
      let next: string | undefined = `/v2/${repo}/tags/list?n=2`;
      for (let i = 0; i < 100 && next !== undefined; i++) {
        const r: Reply = await send(http, "GET", `${base}${next}`);
        seen.push(...(JSON.parse(r.text) as { tags: string[] }).tags);
        next = r.headers.get("link")?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      }
      deepEqual(seen, all);
    });

    await t.step("S-REF-01 unknown digest → 200 empty index; malformed → 400", async () => {
      const r = await send(
        http,
        "GET",
        `${base}/v2/${repo}/referrers/${await digestOf(enc.encode("nobody"))}`,
      );
      equal(r.status, 200);
      equal(r.headers.get("content-type"), MediaType.OCI_INDEX);
      deepEqual(JSON.parse(r.text), {
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: [],
      });
      assertError(await send(http, "GET", `${base}/v2/${repo}/referrers/sha256:nope`), 400);
      equal((await send(http, "GET", `${base}/v2/acc/norepo/referrers/${img.digest}`)).status, 200);
    });

    await t.step("S-REF-02/03 entries carry artifactType and annotations; filter", async () => {
      const subject = {
        mediaType: MediaType.OCI_MANIFEST,
        digest: subjectDigest,
        size: img.manifest.length,
      };
      for (let i = 0; i < 4; i++) {
        const artifactType = i % 2 === 0
          ? "application/vnd.example.sbom"
          : "application/vnd.example.sig";
        const a = await buildImage(`ref${i}`, {
          artifactType,
          subject,
          annotations: { "org.example.n": String(i) },
        });
        const r = await pushImage(http, base, repo, a.digest, a);
        equal(r.status, 201, r.text);
        equal(r.headers.get("oci-subject"), subjectDigest);
        refs.push({ digest: a.digest, artifactType });
      }
      const configTyped = await buildImage("cfgtyped", { subject });
      const cj = JSON.parse(new TextDecoder().decode(configTyped.manifest));
      cj.config.mediaType = "application/vnd.example.config";
      const cRaw = jsonBytes(cj);
      for (const b of configTyped.blobs) await pushBlob(http, base, repo, b);
      equal(
        (await send(http, "PUT", `${base}/v2/${repo}/manifests/${await digestOf(cRaw)}`, {
          headers: { "Content-Type": MediaType.OCI_MANIFEST },
          body: cRaw,
        })).status,
        201,
      );
      const idxRaw = jsonBytes({
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: [],
        subject,
      });
      equal(
        (await send(http, "PUT", `${base}/v2/${repo}/manifests/${await digestOf(idxRaw)}`, {
          headers: { "Content-Type": MediaType.OCI_INDEX },
          body: idxRaw,
        })).status,
        201,
      );
      const all: {
        digest: string;
        artifactType?: string;
        annotations?: Record<string, string>;
        size: number;
        mediaType: string;
      }[] = [];
      let next: string | undefined = `/v2/${repo}/referrers/${subjectDigest}`;
      let pages = 0;
      for (; pages < 50 && next !== undefined; pages++) {
        const r: Reply = await send(http, "GET", `${base}${next}`);
        equal(r.status, 200);
        all.push(...(JSON.parse(r.text) as { manifests: typeof all }).manifests);
        next = r.headers.get("link")?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      }
      ok(pages > 1, "S-REF-05: the small referrers limit pages the list");
      equal(all.length, 6);
      for (const x of refs) {
        const e = all.find((m) => m.digest === x.digest);
        equal(e?.artifactType, x.artifactType);
        ok(e?.annotations?.["org.example.n"] !== undefined);
        equal(e?.mediaType, MediaType.OCI_MANIFEST);
      }
      const cDigest = await digestOf(cRaw);
      equal(
        all.find((m) => m.digest === cDigest)?.artifactType,
        "application/vnd.example.config",
      );
      const idxDigest = await digestOf(idxRaw);
      const idxEntry = all.find((m) => m.digest === idxDigest);
      equal(idxEntry?.artifactType, undefined);
      equal(idxEntry?.size, idxRaw.length);
      const f = await send(
        http,
        "GET",
        `${base}/v2/${repo}/referrers/${subjectDigest}?artifactType=application/vnd.example.sig`,
      );
      equal(f.headers.get("oci-filters-applied"), "artifactType");
      const filtered = (JSON.parse(f.text) as { manifests: { artifactType: string }[] }).manifests;
      equal(filtered.length, 2);
      for (const m of filtered) equal(m.artifactType, "application/vnd.example.sig");
    });

    await t.step("S-REF-04 deleting a referrer removes it from the list", async () => {
      const gone = refs[0]?.digest ?? "";
      equal((await send(http, "DELETE", `${base}/v2/${repo}/manifests/${gone}`)).status, 202);
      const r = await send(
        http,
        "GET",
        `${base}/v2/${repo}/referrers/${subjectDigest}?artifactType=application/vnd.example.sbom`,
      );
      const list = (JSON.parse(r.text) as { manifests: { digest: string }[] }).manifests;
      deepEqual(list.map((m) => m.digest), [refs[2]?.digest]);
    });

    await t.step("S-REF-06 a fallback tag index already in the layout is listed", async () => {
      const other = await buildImage("fallback-subject");
      await pushImage(http, base, "acc/fb", "s", other);
      const art = await buildImage("fb-art", { artifactType: "application/vnd.example.fb" });
      await pushImage(http, base, "acc/fb", art.digest, art);
      const fallback = jsonBytes({
        schemaVersion: 2,
        mediaType: MediaType.OCI_INDEX,
        manifests: [{
          mediaType: MediaType.OCI_MANIFEST,
          digest: art.digest,
          size: art.manifest.length,
          artifactType: "application/vnd.example.fb",
        }],
      });
      const tag = other.digest.replace(":", "-");
      equal(
        (await send(http, "PUT", `${base}/v2/acc/fb/manifests/${tag}`, {
          headers: { "Content-Type": MediaType.OCI_INDEX },
          body: fallback,
        })).status,
        201,
      );
      const r = await send(http, "GET", `${base}/v2/acc/fb/referrers/${other.digest}`);
      deepEqual(
        (JSON.parse(r.text) as { manifests: { digest: string }[] }).manifests.map((m) => m.digest),
        [art.digest],
      );
    });

    await t.step("S-DEL-01 DELETE tag → 202, tag 404, digest stays", async () => {
      equal((await pushImage(http, base, repo, "deltag", img)).status, 201);
      equal((await send(http, "DELETE", `${base}/v2/${repo}/manifests/deltag`)).status, 202);
      assertError(
        await send(http, "GET", `${base}/v2/${repo}/manifests/deltag`),
        404,
        "MANIFEST_UNKNOWN",
      );
      equal((await send(http, "HEAD", `${base}/v2/${repo}/manifests/${img.digest}`)).status, 200);
    });

    await t.step("S-DEL-02 DELETE digest → 202; digest and its tags 404", async () => {
      const x = await buildImage("delme");
      await pushImage(http, base, repo, "delme1", x);
      await pushImage(http, base, repo, "delme2", x);
      equal((await send(http, "DELETE", `${base}/v2/${repo}/manifests/${x.digest}`)).status, 202);
      for (const ref of [x.digest, "delme1", "delme2"]) {
        equal((await send(http, "HEAD", `${base}/v2/${repo}/manifests/${ref}`)).status, 404);
      }
      assertError(await send(http, "DELETE", `${base}/v2/${repo}/manifests/${x.digest}`), 404);
    });

    await t.step("S-DEL-03 DELETE blob → 202 → 404", async () => {
      const data = enc.encode("delete this blob");
      await pushBlob(http, base, repo, data);
      equal(
        (await send(http, "DELETE", `${base}/v2/${repo}/blobs/${await digestOf(data)}`)).status,
        202,
      );
      equal(
        (await send(http, "HEAD", `${base}/v2/${repo}/blobs/${await digestOf(data)}`)).status,
        404,
      );
      assertError(
        await send(http, "DELETE", `${base}/v2/${repo}/blobs/${await digestOf(data)}`),
        404,
        "BLOB_UNKNOWN",
      );
    });

    await t.step(
      "S-LAY-01/02 the repository is a valid OCI layout with ref.name tags",
      async () => {
        const path = `${dir}/${repo}`;
        deepEqual(JSON.parse(await Deno.readTextFile(`${path}/oci-layout`)), {
          imageLayoutVersion: "1.0.0",
        });
        const index = JSON.parse(await Deno.readTextFile(`${path}/index.json`)) as {
          schemaVersion: number;
          manifests: { digest: string; annotations?: Record<string, string> }[];
        };
        equal(index.schemaVersion, 2);
        ok(
          index.manifests.some((m) =>
            m.digest === img.digest && m.annotations?.["org.opencontainers.image.ref.name"] === "v1"
          ),
        );
        for (const alg of ["sha256", "sha512"]) {
          const folder = `${path}/blobs/${alg}`;
          if (
            (await Deno.stat(folder).catch(() => undefined)) === undefined
          ) continue;
          for await (const e of Deno.readDir(folder)) {
            const bytes = await Deno.readFile(`${folder}/${e.name}`);
            equal(createHash(alg).update(bytes).digest("hex"), e.name);
          }
        }
      },
    );

    await t.step("S-BASE catalog lists repositories with paging", async () => {
      const r = await send(http, "GET", `${base}/v2/_catalog`);
      const repos = (JSON.parse(r.text) as { repositories: string[] }).repositories;
      ok(repos.includes(repo) && repos.includes("acc/fb") && repos.includes("acc/untagged"));
      const p = await send(http, "GET", `${base}/v2/_catalog?n=1`);
      deepEqual((JSON.parse(p.text) as { repositories: string[] }).repositories, repos.slice(0, 1));
      ok(p.headers.get("link")?.endsWith('; rel="next"'));
    });
  });
});

Deno.test("serve acceptance: a restarted server keeps everything, and serves other tools' layouts (S-LAY-02/03/04)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-acc-" });
  try {
    const img = await buildImage("persist");
    let srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    let base = `http://127.0.0.1:${srv.addr.port}`;
    equal((await pushImage(http, base, "keep/me", "t1", img)).status, 201);
    await srv.shutdown();
    // a foreign file and a tag written as a full image name, like other tools do
    await Deno.writeTextFile(`${dir}/keep/me/README`, "unknown top-level file");
    const index = JSON.parse(await Deno.readTextFile(`${dir}/keep/me/index.json`));
    index.manifests.push({
      mediaType: MediaType.OCI_MANIFEST,
      digest: img.digest,
      size: img.manifest.length,
      annotations: { "org.opencontainers.image.ref.name": "example.com/keep/me:full" },
    });
    await Deno.writeTextFile(`${dir}/keep/me/index.json`, JSON.stringify(index));
    // a crashed push leaves temp files behind; they are ignored
    await Deno.writeTextFile(`${dir}/keep/me/index.json.123.tmp`, "{broken");
    srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${srv.addr.port}`;
    try {
      for (const ref of ["t1", "full", img.digest]) {
        const g = await send(http, "GET", `${base}/v2/keep/me/manifests/${ref}`);
        equal(g.status, 200, ref);
        deepEqual(g.body, img.manifest);
      }
      const tags = await send(http, "GET", `${base}/v2/keep/me/tags/list`);
      deepEqual((JSON.parse(tags.text) as { tags: string[] }).tags, ["full", "t1"]);
    } finally {
      await srv.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve acceptance: read-only answers 403 DENIED to writes and still reads (S-DEL-04)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-serve-acc-" });
  try {
    const img = await buildImage("ro");
    let srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    equal(
      (await pushImage(http, `http://127.0.0.1:${srv.addr.port}`, "ro/repo", "v1", img)).status,
      201,
    );
    await srv.shutdown();
    srv = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0, readOnly: true });
    const base = `http://127.0.0.1:${srv.addr.port}`;
    try {
      equal((await send(http, "GET", `${base}/v2/ro/repo/manifests/v1`)).status, 200);
      assertError(await send(http, "POST", `${base}/v2/ro/repo/blobs/uploads/`), 403, "DENIED");
      assertError(
        await send(http, "PUT", `${base}/v2/ro/repo/manifests/v2`, { body: img.manifest }),
        403,
        "DENIED",
      );
      assertError(await send(http, "DELETE", `${base}/v2/ro/repo/manifests/v1`), 403, "DENIED");
      assertError(
        await send(http, "DELETE", `${base}/v2/ro/repo/blobs/${img.digest}`),
        403,
        "DENIED",
      );
    } finally {
      await srv.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve acceptance: no-delete answers 405 UNSUPPORTED to deletes (S-DEL-03)", async () => {
  await withServer(async (base) => {
    const img = await buildImage("nd");
    equal((await pushImage(http, base, "nd/repo", "v1", img)).status, 201);
    assertError(await send(http, "DELETE", `${base}/v2/nd/repo/manifests/v1`), 405, "UNSUPPORTED");
    assertError(
      await send(http, "DELETE", `${base}/v2/nd/repo/manifests/${img.digest}`),
      405,
      "UNSUPPORTED",
    );
    const layer = img.blobs[1] as Uint8Array;
    assertError(
      await send(http, "DELETE", `${base}/v2/nd/repo/blobs/${await digestOf(layer)}`),
      405,
      "UNSUPPORTED",
    );
    equal((await send(http, "HEAD", `${base}/v2/nd/repo/manifests/v1`)).status, 200);
  }, { noDelete: true });
});

Deno.test("serve acceptance: Basic auth challenges without valid credentials (S-BASE-01)", async () => {
  const out = await new Deno.Command("htpasswd", { args: ["-nbB", "-C", "5", "alice", "s3cret"] })
    .output();
  equal(out.code, 0, "install apache2-utils (htpasswd)");
  await withServer(async (base) => {
    const none = await send(http, "GET", `${base}/v2/`);
    assertError(none, 401, "UNAUTHORIZED");
    equal(none.headers.get("www-authenticate"), 'Basic realm="ocictl"');
    const wrong = await send(http, "GET", `${base}/v2/`, {
      headers: { Authorization: `Basic ${btoa("alice:nope")}` },
    });
    assertError(wrong, 401, "UNAUTHORIZED");
    const good = await send(http, "GET", `${base}/v2/`, {
      headers: { Authorization: `Basic ${btoa("alice:s3cret")}` },
    });
    equal(good.status, 200);
  }, { htpasswd: new TextDecoder().decode(out.stdout) });
});
