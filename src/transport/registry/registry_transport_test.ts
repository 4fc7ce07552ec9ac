import assert from "node:assert/strict";
import { InvalidReferenceError } from "../../errors.ts";
import { parseRef } from "../../types/ref.ts";
import { RegistryTransport } from "./registry_transport.ts";

Deno.test("RegistryTransport sends docker.io requests to registry-1.docker.io with a User-Agent", async () => {
  const seen: string[] = [];
  const t = new RegistryTransport({
    userAgent: "ocictl-test",
    fetch: (input, init) => {
      const r = new Request(input, init);
      seen.push(`${r.method} ${r.url} ${r.headers.get("user-agent")}`);
      return Promise.resolve(new Response("{}"));
    },
  });
  await t.ping(parseRef("alpine"));
  assert.deepEqual(seen, ["GET https://registry-1.docker.io/v2/ ocictl-test"]);
  assert.equal(t.scheme, "reg");
});

Deno.test("manifestDelete() and tagDelete() need a digest and a tag", async () => {
  const t = new RegistryTransport({ fetch: () => Promise.reject(new Error("no network")) });
  await assert.rejects(t.manifestDelete(parseRef("localhost:5000/a:v1")), InvalidReferenceError);
  await assert.rejects(
    t.tagDelete(parseRef(`localhost:5000/a@sha256:${"a".repeat(64)}`)),
    InvalidReferenceError,
  );
});

Deno.test("RegistryTransport adds library/ to single-segment Docker Hub repositories in URLs and scopes", async () => {
  const seen: string[] = [];
  const digest = `sha256:${"b".repeat(64)}`;
  const t = new RegistryTransport({
    fetch: (input, init) => {
      const r = new Request(input, init);
      seen.push(`${r.method} ${r.url}`);
      const url = new URL(r.url);
      if (url.host === "auth.example") {
        return Promise.resolve(Response.json({ token: "t1", expires_in: 300 }));
      }
      if (r.headers.get("authorization") !== "Bearer t1") {
        return Promise.resolve(
          new Response(null, {
            status: 401,
            headers: {
              "www-authenticate":
                'Bearer realm="https://auth.example/token",service="registry.docker.io"',
            },
          }),
        );
      }
      return Promise.resolve(
        new Response(null, {
          headers: {
            "content-type": "application/vnd.oci.image.index.v1+json",
            "docker-content-digest": digest,
            "content-length": "100",
          },
        }),
      );
    },
  });
  // A Ref as another transport might build it: single segment, no library/.
  const ref = { ...parseRef("docker.io/library/alpine:3"), repository: "alpine" };
  const desc = await t.manifestHead(ref);
  assert.equal(desc.digest, digest);
  assert.deepEqual(seen, [
    "HEAD https://registry-1.docker.io/v2/library/alpine/manifests/3",
    "GET https://auth.example/token?service=registry.docker.io&scope=repository%3Alibrary%2Falpine%3Apull",
    "HEAD https://registry-1.docker.io/v2/library/alpine/manifests/3",
  ]);
  // Other registries keep single-segment names.
  seen.length = 0;
  await t.manifestHead({ ...ref, registry: "reg.example" }).catch(() => {});
  assert.equal(seen[0], "HEAD https://reg.example/v2/alpine/manifests/3");
});
