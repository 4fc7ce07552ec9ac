import assert from "node:assert/strict";
import { isLocalAddress } from "./local_address.ts";

Deno.test("isLocalAddress() knows loopback, private, link-local and public addresses", () => {
  for (
    const h of [
      "127.0.0.1",
      "127.9.9.9",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.0.1",
      "169.254.169.254",
      "0.0.0.0",
      "localhost",
      "a.localhost",
      "[::1]",
      "[::]",
      "[fe80::1]",
      "[fd12:3456::1]",
      "[::ffff:7f00:1]",
      "[::ffff:10.0.0.1]",
    ]
  ) {
    assert.equal(isLocalAddress(h), true, h);
  }
  for (
    const h of [
      "8.8.8.8",
      "172.32.0.1",
      "192.169.0.1",
      "registry-1.docker.io",
      "[2001:db8::1]",
      "[::ffff:8.8.8.8]",
      "1.2.3",
      "[zz::1]",
    ]
  ) {
    assert.equal(isLocalAddress(h), false, h);
  }
});
