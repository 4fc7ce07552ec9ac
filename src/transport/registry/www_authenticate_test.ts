import assert from "node:assert/strict";
import { OciError } from "../../errors.ts";
import { parseWwwAuthenticate } from "./www_authenticate.ts";

Deno.test("parseWwwAuthenticate() reads a Bearer challenge with quoted params", () => {
  const got = parseWwwAuthenticate(
    'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"',
  );
  assert.deepEqual(got, [{
    scheme: "bearer",
    params: {
      realm: "https://auth.docker.io/token",
      service: "registry.docker.io",
      scope: "repository:library/alpine:pull,push",
    },
  }]);
});

Deno.test("parseWwwAuthenticate() reads several challenges and escapes", () => {
  const got = parseWwwAuthenticate(
    'Basic realm="a \\"quoted\\" realm", Bearer realm="https://x/t", error=insufficient_scope',
  );
  assert.equal(got.length, 2);
  assert.equal(got[0]?.scheme, "basic");
  assert.equal(got[0]?.params.realm, 'a "quoted" realm');
  assert.equal(got[1]?.scheme, "bearer");
  assert.equal(got[1]?.params.realm, "https://x/t");
  assert.equal(got[1]?.params.error, "insufficient_scope");
});

Deno.test("parseWwwAuthenticate() accepts a bare scheme and token68", () => {
  assert.deepEqual(parseWwwAuthenticate("Negotiate"), [{ scheme: "negotiate", params: {} }]);
  assert.deepEqual(parseWwwAuthenticate("Newauth abc123=="), [{
    scheme: "newauth",
    params: {},
    token68: "abc123==",
  }]);
});

Deno.test("parseWwwAuthenticate() lower-cases scheme and parameter names", () => {
  const [c] = parseWwwAuthenticate('BEARER Realm="r" , Service=svc');
  assert.equal(c?.scheme, "bearer");
  assert.deepEqual(c?.params, { realm: "r", service: "svc" });
});

Deno.test("parseWwwAuthenticate() throws a typed error on unparsable input", () => {
  for (
    const bad of ['Bearer realm="unterminated', "", 'Bearer realm=="x"', "Bearer ,=x", '"quoted"']
  ) {
    assert.throws(() => parseWwwAuthenticate(bad), (e: unknown) => {
      assert.ok(e instanceof OciError, `${bad}: ${String(e)}`);
      assert.equal(e.code, "UNAUTHORIZED");
      return true;
    });
  }
});
