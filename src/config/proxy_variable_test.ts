import assert from "node:assert/strict";
import { proxyVariable } from "./proxy_variable.ts";

Deno.test("proxyVariable() names the variable of the URL's scheme, uppercase first", () => {
  const env = { HTTPS_PROXY: "http://up:1", "https_proxy": "http://low:1", "http_proxy": "p:2" };
  assert.deepEqual(proxyVariable(new URL("https://r.example/v2/"), env), {
    name: "HTTPS_PROXY",
    value: "http://up:1",
  });
  assert.deepEqual(proxyVariable(new URL("http://r.example/v2/"), env), {
    name: "HTTP_PROXY",
    value: "p:2",
  });
});

Deno.test("proxyVariable() is undefined when the scheme's variable is unset or empty", () => {
  const url = new URL("https://r.example/v2/");
  assert.equal(proxyVariable(url, {}), undefined);
  assert.equal(proxyVariable(url, { HTTPS_PROXY: "", https_proxy: "" }), undefined);
  // NO_PROXY and ALL_PROXY alone never select a proxy (as in proxyFor)
  assert.equal(proxyVariable(url, { NO_PROXY: "*", ALL_PROXY: "socks5://p:1" }), undefined);
  assert.equal(proxyVariable(new URL("ftp://r.example/"), { HTTP_PROXY: "p:1" }), undefined);
});
