import assert from "node:assert/strict";
import { ConfigError, ErrorCode } from "../errors.ts";
import { proxyFor } from "./proxy_env.ts";

Deno.test("proxyFor() picks HTTPS_PROXY for https and HTTP_PROXY for http", () => {
  const env = { HTTPS_PROXY: "http://secure:3128", HTTP_PROXY: "plain:8080" };
  assert.equal(proxyFor("https://ghcr.io/v2/", env), "http://secure:3128");
  assert.equal(proxyFor(new URL("http://reg.example:5000/v2/"), env), "http://plain:8080");
  assert.equal(proxyFor("https://ghcr.io/", { HTTP_PROXY: "p:1" }), undefined);
  assert.equal(proxyFor("ftp://x/", env), undefined);
});

Deno.test("proxyFor() prefers the uppercase variable and falls back to lowercase", () => {
  assert.equal(
    proxyFor("https://a/", { HTTPS_PROXY: "http://up", https_proxy: "http://low" }),
    "http://up",
  );
  assert.equal(proxyFor("https://a/", { https_proxy: "http://low" }), "http://low");
});

Deno.test("proxyFor() never proxies localhost or loopback addresses", () => {
  const env = { HTTP_PROXY: "p:1", HTTPS_PROXY: "p:1" };
  for (const u of ["http://localhost:5000/", "http://127.0.0.1:5000/", "https://[::1]:5000/"]) {
    assert.equal(proxyFor(u, env), undefined, u);
  }
});

Deno.test("proxyFor() applies NO_PROXY hosts, suffixes, ports, CIDRs and *", () => {
  const base = { HTTPS_PROXY: "http://p:1", HTTP_PROXY: "http://p:1" };
  const withNo = (noProxy: string) => ({ ...base, NO_PROXY: noProxy });
  assert.equal(proxyFor("https://corp.example/", withNo("corp.example")), undefined);
  assert.equal(proxyFor("https://reg.corp.example/", withNo("corp.example")), undefined);
  assert.equal(proxyFor("https://notcorp.example/", withNo("corp.example")), "http://p:1");
  assert.equal(proxyFor("https://corp.example/", withNo(".corp.example")), "http://p:1");
  assert.equal(proxyFor("https://a.corp.example/", withNo(".corp.example")), undefined);
  assert.equal(proxyFor("https://a.corp.example/", withNo("*.corp.example")), undefined);
  assert.equal(proxyFor("http://r.example:5000/", withNo("r.example:5000")), undefined);
  assert.equal(proxyFor("http://r.example:6000/", withNo("r.example:5000")), "http://p:1");
  assert.equal(proxyFor("https://r.example/", withNo("r.example:443")), undefined);
  assert.equal(proxyFor("http://10.1.2.3/", withNo("10.0.0.0/8")), undefined);
  assert.equal(proxyFor("http://11.1.2.3/", withNo("10.0.0.0/8")), "http://p:1");
  assert.equal(proxyFor("http://10.1.2.3/", withNo("10.1.2.3")), undefined);
  assert.equal(proxyFor("https://anything/", withNo("*")), undefined);
  assert.equal(proxyFor("https://x.y/", withNo(" a.b , x.y ")), undefined);
  assert.equal(proxyFor("https://x.y/", { ...base, no_proxy: "x.y" }), undefined);
  assert.equal(proxyFor("https://[fd00::1]/", withNo("[fd00::1]")), undefined);
});

Deno.test("proxyFor() rejects a proxy value that is not a usable URL", () => {
  for (const bad of ["http://", "ftp://proxy:21", "http://[bad"]) {
    assert.throws(
      () => proxyFor("https://ghcr.io/", { HTTPS_PROXY: bad }),
      (e: unknown) => e instanceof ConfigError && e.code === ErrorCode.CONFIG,
      bad,
    );
  }
});
