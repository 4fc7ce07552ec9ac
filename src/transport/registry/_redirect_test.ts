import assert from "node:assert/strict";
import { RegistryError } from "../../errors.ts";
import { followRedirect, MAX_REDIRECTS, type RedirectHop } from "./_redirect.ts";

const base: RedirectHop = {
  status: 307,
  location: "/v2/a/blobs/sha256:1?part=2",
  hop: 0,
  url: new URL("https://reg.example/v2/a/blobs/sha256:1"),
  method: "GET",
  streamed: false,
  action: "get blob",
  subject: "reg.example/a@sha256:1",
  registryHost: "reg.example",
};

Deno.test("followRedirect() resolves the Location and keeps the method, except 303", () => {
  assert.deepEqual(followRedirect(base), {
    url: new URL("https://reg.example/v2/a/blobs/sha256:1?part=2"),
    method: "GET",
    dropBody: false,
  });
  const put = followRedirect({ ...base, status: 303, method: "PUT", streamed: true });
  assert.deepEqual([put.method, put.dropBody], ["GET", true]);
  const head = followRedirect({ ...base, status: 303, method: "HEAD" });
  assert.deepEqual([head.method, head.dropBody], ["HEAD", false]);
});

Deno.test("followRedirect() refuses what it must not follow, naming why", () => {
  const refused: [Partial<RedirectHop>, RegExp][] = [
    [{ location: null }, /returned 307 without a Location/],
    [{ hop: MAX_REDIRECTS }, /more than 10 redirects/],
    [{ location: "http://[bad" }, /invalid URL "http:\/\/\[bad"/],
    [{ location: "ftp://x/" }, /unsupported URL "ftp:\/\/x\/"/],
    [{ location: "http://reg.example/x" }, /from https to http/],
    [{ location: "https://127.0.0.1/x" }, /local address "127.0.0.1"/],
    [{ streamed: true }, /streamed upload, which cannot be resent/],
  ];
  for (const [change, message] of refused) {
    assert.throws(() => followRedirect({ ...base, ...change }), (e: unknown) => {
      assert.ok(e instanceof RegistryError);
      assert.match(e.message, /^Cannot get blob "reg\.example\/a@sha256:1": /);
      assert.match(e.message, message);
      assert.equal(e.status, 307);
      return true;
    });
  }
  // a local registry may send the client to another local address
  const local = followRedirect({
    ...base,
    url: new URL("https://127.0.0.1:5000/v2/"),
    location: "https://[::1]:9000/x",
    registryHost: "127.0.0.1:5000",
  });
  assert.equal(local.url.host, "[::1]:9000");
});
