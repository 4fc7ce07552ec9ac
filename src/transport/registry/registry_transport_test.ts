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
