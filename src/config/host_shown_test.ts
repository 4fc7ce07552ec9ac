import assert from "node:assert/strict";
import { showHost } from "./host_shown.ts";

Deno.test("showHost() fills regctl's defaults in its field order and leaves secrets out", () => {
  const s = showHost({
    name: "r.example",
    reqConcurrent: 4,
    token: "t",
    clientKey: "k",
    apiOpts: { disableHead: "true" },
    tls: "insecure",
    repoAuth: true,
  });
  assert.deepEqual(Object.entries(s.json), [
    ["tls", "insecure"],
    ["hostname", "r.example"],
    ["repoAuth", true],
    ["apiOpts", { disableHead: "true" }],
    ["reqConcurrent", 4],
  ]);
  assert.equal(s.fields.Token, "");
  assert.equal(s.fields.ClientKey, "");
  assert.equal(s.fields.Name, "r.example");
});

Deno.test("showHost() gives Docker Hub its API host and credential key, and shows a helper's user", () => {
  const s = showHost({ name: "docker.io", credHelper: "docker-credential-x" }, "me");
  assert.equal(s.json.hostname, "registry-1.docker.io");
  assert.equal(s.json.credHost, "https://index.docker.io/v1/");
  assert.equal(s.json.user, "me");
  assert.equal(s.fields.CredExpire, "0s");
});
