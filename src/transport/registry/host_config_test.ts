import assert from "node:assert/strict";
import fc from "fast-check";
import {
  apiBase,
  DEFAULT_BLOB_CHUNK,
  DEFAULT_REQ_CONCURRENT,
  MAX_BLOB_CHUNK,
  orderPullHosts,
  pullUrl,
  registryRepository,
  repoUrl,
  resolveHost,
} from "./host_config.ts";

Deno.test("resolveHost() maps docker.io and index.docker.io to registry-1.docker.io", () => {
  for (const name of ["docker.io", "index.docker.io"]) {
    const h = resolveHost([], name);
    assert.equal(h.name, "docker.io");
    assert.equal(h.hostname, "registry-1.docker.io");
    assert.equal(apiBase(h).href, "https://registry-1.docker.io/v2/");
  }
});

Deno.test("resolveHost() applies defaults and the configured entry", () => {
  const d = resolveHost([], "reg.example");
  assert.equal(d.tls, "enabled");
  assert.equal(d.reqConcurrent, DEFAULT_REQ_CONCURRENT);
  assert.equal(d.blobChunk, DEFAULT_BLOB_CHUNK);
  assert.equal(d.blobMax, -1);
  assert.equal(d.disableHead, false);
  const c = resolveHost([{
    name: "reg.example",
    hostname: "mirror.example:8443",
    tls: "disabled",
    pathPrefix: "/ns/",
    reqConcurrent: 0,
    blobChunk: 2 * MAX_BLOB_CHUNK,
    apiOpts: { disableHead: true },
  }], "reg.example");
  assert.equal(c.hostname, "mirror.example:8443");
  assert.equal(c.reqConcurrent, DEFAULT_REQ_CONCURRENT);
  assert.equal(c.blobChunk, MAX_BLOB_CHUNK);
  assert.equal(c.disableHead, true);
  assert.equal(
    repoUrl(c, "a/b", "tags/list").href,
    "http://mirror.example:8443/v2/ns/a/b/tags/list",
  );
});

Deno.test("registryRepository() and pullUrl() build Docker Hub and mirror URLs", () => {
  const hub = resolveHost([], "docker.io");
  assert.equal(registryRepository(hub, "alpine"), "library/alpine");
  assert.equal(registryRepository(hub, "user/app"), "user/app");
  assert.equal(registryRepository(resolveHost([], "ghcr.io"), "app"), "app");
  const hosts = [
    { name: "docker.io", mirrors: ["mirror.local:5000"] },
    { name: "mirror.local:5000", tls: "disabled" as const, pathPrefix: "hub" },
  ];
  const [m, up] = orderPullHosts(hosts, resolveHost(hosts, "docker.io"), () => false);
  assert.ok(m && up);
  assert.equal(
    pullUrl(m, "library/alpine", "manifests/3").href,
    "http://mirror.local:5000/v2/hub/library/alpine/manifests/3?ns=docker.io",
  );
  assert.equal(
    pullUrl(up, "library/alpine", "manifests/3").href,
    "https://registry-1.docker.io/v2/library/alpine/manifests/3",
  );
});

Deno.test("repoUrl() gives what resolving against /v2/ gives, for any repository, path and prefix", () => {
  const hosts = [
    resolveHost([{ name: "localhost:5000", tls: "disabled" }], "localhost:5000"),
    resolveHost([{ name: "r.example", pathPrefix: "mirror/x" }], "r.example"),
  ];
  const piece = fc.string({
    unit: fc.constantFrom(
      "a",
      "b",
      "/",
      ".",
      ":",
      "?",
      "#",
      "\\",
      "%",
      "%2e",
      " ",
      "\t",
      "\n",
      "\x7f",
      "\0",
      "@",
      "é",
      "sha256:",
    ),
    maxLength: 12,
  });
  fc.assert(
    fc.property(fc.constantFrom(...hosts), piece, piece, (host, repository, path) => {
      const prefix = host.pathPrefix ? `${host.pathPrefix}/` : "";
      const outcome = (f: () => URL) => {
        try {
          return f().href;
        } catch (err) {
          return err instanceof TypeError ? "TypeError" : String(err);
        }
      };
      const want = outcome(() => new URL(`${prefix}${repository}/${path}`, apiBase(host)));
      assert.equal(outcome(() => repoUrl(host, repository, path)), want);
    }),
    { numRuns: 5000 },
  );
  // the appending path is taken for what registries are asked every day
  assert.equal(
    repoUrl(hosts[1]!, "library/alpine", "manifests/sha256:0123").href,
    "https://r.example/v2/mirror/x/library/alpine/manifests/sha256:0123",
  );
});
