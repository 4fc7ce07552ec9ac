import assert from "node:assert/strict";
import { decodeTokenResponse, TokenCache, tokenKey } from "./token_cache.ts";

Deno.test("tokenKey() ignores scope order and duplicates", () => {
  assert.equal(tokenKey("r", "s", ["b", "a", "a"]), tokenKey("r", "s", ["a", "b"]));
  assert.notEqual(tokenKey("r", "s", ["a"]), tokenKey("r", "t", ["a"]));
});

Deno.test("decodeTokenResponse() accepts token or access_token with default lifetime", () => {
  assert.deepEqual(decodeTokenResponse({ token: "t" }, 1000), { token: "t", expiresAt: 61_000 });
  assert.deepEqual(
    decodeTokenResponse({ access_token: "a", expires_in: 300, refresh_token: "r" }, 0),
    {
      token: "a",
      expiresAt: 300_000,
      refreshToken: "r",
    },
  );
  assert.equal(decodeTokenResponse({ expires_in: 5 }, 0), undefined);
  assert.equal(decodeTokenResponse("x", 0), undefined);
  assert.equal(decodeTokenResponse({ token: "" }, 0), undefined);
});

Deno.test("TokenCache renews before expiry and keeps the refresh token", () => {
  let now = 0;
  const c = new TokenCache(() => now);
  c.set("k", { token: "t", expiresAt: 10_000, refreshToken: "r" });
  now = 4_000;
  assert.equal(c.get("k")?.token, "t");
  now = 5_000;
  assert.equal(c.get("k"), undefined);
  assert.equal(c.refreshToken("k"), "r");
  c.delete("k");
  assert.equal(c.refreshToken("k"), undefined);
});
