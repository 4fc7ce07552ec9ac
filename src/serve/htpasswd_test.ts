import { deepEqual, equal, ok, throws } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { ConfigError } from "../errors.ts";
import { parseBasicAuth, parseHtpasswd } from "./htpasswd.ts";

Deno.test("parseHtpasswd() reads $2y$ $2a$ $2b$ users and verifies passwords", async () => {
  const h2b = bcrypt.hashSync("one", 4);
  const h2a = h2b.replace(/^\$2b\$/, "$2a$");
  const h2y = bcrypt.hashSync("three", 4).replace(/^\$2b\$/, "$2y$");
  const h = parseHtpasswd(`# users\n\nann:${h2b}\r\nbea:${h2a}\ncid:${h2y}\n`);
  deepEqual(h.users, ["ann", "bea", "cid"]);
  ok(await h.verify("ann", "one"));
  ok(await h.verify("bea", "one"));
  ok(await h.verify("cid", "three"));
  ok(!(await h.verify("cid", "one")));
  ok(!(await h.verify("nobody", "one")));
});

Deno.test("parseHtpasswd() reads a file made by htpasswd -B", async () => {
  const out = await new Deno.Command("htpasswd", { args: ["-nbB", "-C", "4", "dan", "pw"] })
    .output();
  equal(out.code, 0, "install apache2-utils (htpasswd)");
  const h = parseHtpasswd(new TextDecoder().decode(out.stdout));
  ok(await h.verify("dan", "pw"));
});

Deno.test("parseHtpasswd() refuses non-bcrypt hashes, bad lines and duplicate users", () => {
  const hash = bcrypt.hashSync("x", 4);
  for (
    const text of [
      "user:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=",
      "user:$apr1$abc$def",
      "user:plain",
      "no-colon",
      `:${hash}`,
      `a:${hash}\na:${hash}`,
    ]
  ) {
    throws(
      () => parseHtpasswd(text),
      (err: unknown) => err instanceof ConfigError && err.code === "CONFIG",
      text,
    );
  }
});

Deno.test("parseBasicAuth() decodes user and password and ignores other schemes", () => {
  deepEqual(parseBasicAuth(`Basic ${btoa("u:p:q")}`), { user: "u", password: "p:q" });
  equal(parseBasicAuth(null), undefined);
  equal(parseBasicAuth("Bearer abc"), undefined);
  equal(parseBasicAuth(`Basic ${btoa("nocolon")}`), undefined);
  equal(parseBasicAuth("Basic @@@"), undefined);
});
