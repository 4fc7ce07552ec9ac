import { equal, rejects, throws } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { parseAccessRules } from "./access.ts";
import { Authorizer, routeAction } from "./_authorizer.ts";
import { ApiError } from "./errors_body.ts";
import { parseHtpasswd } from "./htpasswd.ts";

const req = (auth?: string) =>
  new Request("http://r/v2/", { headers: auth === undefined ? {} : { Authorization: auth } });

Deno.test("routeAction(): reads pull, writes push, manifest and blob deletes delete", () => {
  equal(routeAction({ kind: "tags", name: "a" }, "GET"), "pull");
  equal(routeAction({ kind: "uploadStart", name: "a" }, "POST"), "push");
  equal(routeAction({ kind: "upload", name: "a", id: "x" }, "DELETE"), "push");
  equal(routeAction({ kind: "blob", name: "a", digest: "d" }, "DELETE"), "delete");
});

Deno.test("Authorizer: open without auth; anonymous only where rules allow; 401 vs 403", async () => {
  equal(await new Authorizer(undefined, undefined).authenticate(req(), "c"), undefined);
  const auth = parseHtpasswd(`ann:${bcrypt.hashSync("pw", 4)}\n`);
  const access = parseAccessRules(
    "rules: [{users: [anonymous, ann], repos: [pub], actions: [pull]}]",
    auth.users,
  );
  const a = new Authorizer(auth, access);
  equal(await a.authenticate(req(), "c"), "anonymous");
  equal(await a.authenticate(req(`Basic ${btoa("ann:pw")}`), "c"), "ann");
  await rejects(a.authenticate(req(`Basic ${btoa("ann:no")}`), "c"), ApiError);
  const route = { kind: "manifest", name: "priv", reference: "v1" } as const;
  throws(() => a.authorize("anonymous", route, "GET"), (e) => (e as ApiError).status === 401);
  throws(() => a.authorize("ann", route, "GET"), (e) => (e as ApiError).status === 403);
  a.authorize("ann", { ...route, name: "pub" }, "GET");
  equal(a.mayPull("ann", "priv"), false);
  const closed = new Authorizer(auth, undefined);
  await rejects(closed.authenticate(req(), "c"), ApiError);
});
