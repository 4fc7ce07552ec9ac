import { equal, throws } from "node:assert/strict";
import { ConfigError } from "../errors.ts";
import { parseAccessRules, repoPattern } from "./access.ts";

Deno.test("repoPattern(): * stays within a component, ** crosses them, the rest is literal", () => {
  const one = repoPattern("team/*");
  equal(one.test("team/app"), true);
  equal(one.test("team/app/sub"), false);
  equal(repoPattern("team/**").test("team/app/sub"), true);
  equal(repoPattern("a.b").test("axb"), false);
  equal(repoPattern("**").test("any/thing"), true);
});

Deno.test("parseAccessRules(): groups, '*' users and anonymous", () => {
  const p = parseAccessRules(
    `groups:\n  devs: [ann, ben]\nrules:\n` +
      `  - groups: [devs]\n    repos: ["team/**"]\n    actions: [pull, push]\n` +
      `  - users: ["*"]\n    repos: [shared]\n    actions: [pull]\n` +
      `  - users: [anonymous]\n    repos: ["pub/*"]\n    actions: [pull]\n`,
    ["ann", "ben", "cat"],
  );
  equal(p.allows("ben", "team/x/y", "push"), true);
  equal(p.allows("ben", "team/x", "delete"), false);
  equal(p.allows("cat", "shared", "pull"), true);
  equal(p.allows("anonymous", "shared", "pull"), false);
  equal(p.allows("anonymous", "pub/a", "pull"), true);
  equal(p.hasAnyRule("anonymous"), true);
});

Deno.test("parseAccessRules() refuses what it cannot enforce with ConfigError", () => {
  for (
    const text of [
      "",
      "rules: x",
      "rules: []",
      "other: 1\nrules: [{users: [ann], repos: [x], actions: [pull]}]",
      "rules: [{users: [zed], repos: [x], actions: [pull]}]",
      "rules: [{groups: [nope], repos: [x], actions: [pull]}]",
      "rules: [{users: [ann], repos: [x], actions: [admin]}]",
      "rules: [{users: [ann], repos: [], actions: [pull]}]",
      "rules: [{repos: [x], actions: [pull]}]",
      "rules: [{users: [ann], repos: [x], actions: [pull], extra: 1}]",
      "groups: {g: [zed]}\nrules: [{groups: [g], repos: [x], actions: [pull]}]",
      "rules: [\n",
    ]
  ) {
    throws(() => parseAccessRules(text, ["ann"]), ConfigError, text);
  }
});
