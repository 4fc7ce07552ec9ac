/**
 * Redirect safety: a registry on a public name may not redirect to a
 * loopback, link-local or private address; a local registry may. Public
 * names are mapped to 127.0.0.1 servers by the injected fetch.
 */
import assert from "node:assert/strict";
import { RegistryError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { parseRef } from "../../src/types/ref.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { collect } from "./_image.ts";
import { serve, type TestServer } from "./_servers.ts";

const BLOB = new TextEncoder().encode("redirected blob");
const DIGEST = await digestOf(BLOB);

/** Storage answering the blob; counts its requests. */
function startStorage(): TestServer & { hits: number } {
  const s = {
    hits: 0,
    ...serve(() => {
      s.hits++;
      return new Response(BLOB);
    }),
  };
  return s;
}

/** A registry that redirects blob GETs to `target`. */
function startRedirector(target: () => string): TestServer {
  return serve(() => new Response(null, { status: 307, headers: { location: target() } }));
}

/** fetch that sends `names` (host → 127.0.0.1 host) to local servers. */
function mapped(names: Record<string, string>): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const to = names[url.host];
    if (to) url.host = to;
    return fetch(url, init);
  }) as typeof fetch;
}

Deno.test("a public registry redirecting a blob GET to 127.0.0.1 is refused", async () => {
  const storage = startStorage();
  const reg = startRedirector(() => `${storage.origin}/blob`);
  const t = new RegistryTransport({
    hosts: [{ name: "registry.example.com", tls: "disabled" }],
    fetch: mapped({ "registry.example.com": reg.host }),
  });
  try {
    await assert.rejects(
      t.blobGet(parseRef(`registry.example.com/repo/a`), DIGEST),
      (err: unknown) => err instanceof RegistryError && err.code === "REGISTRY",
    );
    assert.equal(storage.hits, 0);
  } finally {
    await t.close();
    await reg.close();
    await storage.close();
  }
});

Deno.test("a public registry may redirect to a public storage host", async () => {
  const storage = startStorage();
  const reg = startRedirector(() => "http://storage.example.com/blob");
  const t = new RegistryTransport({
    hosts: [{ name: "registry.example.com", tls: "disabled" }],
    fetch: mapped({ "registry.example.com": reg.host, "storage.example.com": storage.host }),
  });
  try {
    const r = await t.blobGet(parseRef(`registry.example.com/repo/a`), DIGEST);
    assert.deepEqual(await collect(r.body), BLOB);
    assert.equal(storage.hits, 1);
  } finally {
    await t.close();
    await reg.close();
    await storage.close();
  }
});

Deno.test("a local registry may redirect to another local address", async () => {
  const storage = startStorage();
  const reg = startRedirector(() => `${storage.origin}/blob`);
  const t = new RegistryTransport({ hosts: [{ name: reg.host, tls: "disabled" }] });
  try {
    const r = await t.blobGet(parseRef(`${reg.host}/repo/a`), DIGEST);
    assert.deepEqual(await collect(r.body), BLOB);
    assert.equal(storage.hits, 1);
  } finally {
    await t.close();
    await reg.close();
    await storage.close();
  }
});
