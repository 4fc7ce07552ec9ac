import assert from "node:assert/strict";
import { HUB_NAME, normaliseHostName } from "./host_name.ts";

Deno.test("normaliseHostName() maps every Docker Hub alias to docker.io", () => {
  for (
    const alias of [
      "docker.io",
      "registry-1.docker.io",
      "index.docker.io",
      "https://index.docker.io/v1/",
      "https://index.docker.io/v1",
      "Docker.IO",
    ]
  ) {
    const n = normaliseHostName(alias);
    assert.equal(n.name, HUB_NAME, alias);
    assert.equal(n.hasPath, false, alias);
    assert.equal(n.tlsDisabled, false, alias);
  }
});

Deno.test("normaliseHostName() notes an http:// prefix as TLS disabled", () => {
  assert.deepEqual(normaliseHostName("http://localhost:5000/"), {
    name: "localhost:5000",
    tlsDisabled: true,
    hasPath: false,
  });
  assert.equal(normaliseHostName("https://ghcr.io").tlsDisabled, false);
});

Deno.test("normaliseHostName() flags a repository path", () => {
  assert.equal(normaliseHostName("ghcr.io/org/repo").hasPath, true);
  assert.equal(normaliseHostName("ghcr.io/org/repo").name, "ghcr.io");
  assert.equal(normaliseHostName("https://quay.io/v1/").hasPath, true);
  assert.equal(normaliseHostName("docker.io/library").hasPath, true);
});
