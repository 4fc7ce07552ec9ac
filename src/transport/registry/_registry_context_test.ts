import assert from "node:assert/strict";
import { parseRef } from "../../types/ref.ts";
import {
  hostOf,
  normRef,
  type RegistryContext,
  repoName,
  upstreamOf,
} from "./_registry_context.ts";

const CTX = { hosts: [{ name: "reg.example", tls: "disabled" }] } as unknown as RegistryContext;

Deno.test("normRef() adds Docker Hub's library/ prefix and leaves other registries alone", () => {
  assert.equal(normRef(CTX, parseRef("alpine")).repository, "library/alpine");
  assert.equal(normRef(CTX, parseRef("reg.example/app")).repository, "app");
  assert.equal(repoName(parseRef("reg.example/a/b")), "reg.example/a/b");
});

Deno.test("hostOf() and upstreamOf() use the configured host, never as a mirror", () => {
  const ref = parseRef("reg.example/app");
  assert.equal(hostOf(CTX, ref).tls, "disabled");
  assert.equal(upstreamOf(CTX, ref).mirror, false);
});
