import assert from "node:assert/strict";
import { OciError } from "../../errors.ts";
import { RegistryAuth } from "./auth.ts";
import { repoScope } from "./repo_scope.ts";
import { resolveHost } from "./host_config.ts";

Deno.test("repoScope() builds docker-style scopes", () => {
  assert.equal(repoScope("a/b", false), "repository:a/b:pull");
  assert.equal(repoScope("a/b", true), "repository:a/b:pull,push");
});

function auth(fetchFn: typeof fetch = () => Promise.reject(new Error("no network"))) {
  return new RegistryAuth({ fetch: fetchFn, now: () => 0, userAgent: "test" });
}

Deno.test("RegistryAuth answers Basic only with credentials and only once", async () => {
  const anon = auth();
  const host = resolveHost([], "reg.example");
  assert.equal(await anon.challenge(host, "", [{ scheme: "basic", params: {} }], []), false);
  const a = auth();
  const withCreds = resolveHost([{ name: "reg.example", user: "u", pass: "p" }], "reg.example");
  assert.equal(await a.header(withCreds, "", []), undefined);
  assert.equal(await a.challenge(withCreds, "", [{ scheme: "basic", params: {} }], []), true);
  assert.equal(await a.header(withCreds, "", []), `Basic ${btoa("u:p")}`);
  assert.equal(await a.challenge(withCreds, "", [{ scheme: "basic", params: {} }], []), false);
});

Deno.test("RegistryAuth refuses a token realm that downgrades https to http", async () => {
  const a = auth();
  const host = resolveHost([], "reg.example");
  await assert.rejects(
    a.challenge(
      host,
      "",
      [{ scheme: "bearer", params: { realm: "http://auth.example/token" } }],
      [],
    ),
    (e: unknown) => e instanceof OciError && e.code === "UNAUTHORIZED",
  );
  await assert.rejects(
    a.challenge(host, "", [{ scheme: "bearer", params: { realm: "not a url" } }], []),
    (e: unknown) => e instanceof OciError && e.code === "UNAUTHORIZED",
  );
});

Deno.test("RegistryAuth ignores unknown schemes", async () => {
  const a = auth();
  const host = resolveHost([], "reg.example");
  assert.equal(await a.challenge(host, "", [{ scheme: "negotiate", params: {} }], []), false);
});
