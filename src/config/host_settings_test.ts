import assert from "node:assert/strict";
import { DOCKER_HUB_API, resolveHost } from "./host_settings.ts";

Deno.test("resolveHost() turns an http:// prefix into tls disabled", () => {
  const h = resolveHost([], "http://localhost:5000");
  assert.equal(h.name, "localhost:5000");
  assert.equal(h.tls, "disabled");
});

Deno.test("resolveHost() sends Docker Hub to its API host and keeps a configured hostname", () => {
  assert.equal(resolveHost([], "index.docker.io").hostname, DOCKER_HUB_API);
  assert.equal(resolveHost([{ name: "a", hostname: "b:1" }], "a").hostname, "b:1");
});
