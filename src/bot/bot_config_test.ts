import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parseBotConfig } from "./bot_config.ts";

const GOOD = `version: 1
creds:
  - registry: localhost:5000
    tls: disabled
    user: '{{ env "BOT_USER" }}'
    pass: "p,a\\"ss"
x-common: &common
  timeout: 2m
defaults:
  parallel: 2
  interval: 1h
  timeout: 30s
scripts:
  - name: first
    script: log("a")
  - <<: *common
    name: second
    schedule: "0 3 * * *"
    script: |
      log("b")
  - name: first
    script: 'log("duplicate keys: the last one wins")'
    name: third
`;

Deno.test("parseBotConfig() applies defaults, merges, templates and keeps lines", () => {
  const c = parseBotConfig(GOOD, { env: { BOT_USER: "robot" } });
  assert.equal(c.version, 1);
  assert.equal(c.defaults.parallel, 2);
  assert.deepEqual(c.scripts.map((s) => [s.name, s.intervalMs, s.schedule, s.timeoutMs, s.line]), [
    ["first", 3_600_000, "", 30_000, 14],
    ["second", 0, "0 3 * * *", 120_000, 16],
    ["third", 3_600_000, "", 30_000, 21],
  ]);
  assert.equal(c.creds[0]?.registry, "localhost:5000");
  assert.equal(c.creds[0]?.host.user, "robot");
  assert.equal(c.creds[0]?.host.pass, 'p,a"ss');
  assert.equal(c.creds[0]?.host.tls, "disabled");
  assert.deepEqual(c.ignored, []);
  assert.deepEqual(parseBotConfig("").scripts, []);
  assert.deepEqual(
    parseBotConfig(
      "defaults:\n  timout: 1m\nscripts:\n  - name: a\n    frequency: 1h\n    script: x\nextra: 1\n",
    ).ignored,
    ["line 7: extra", "line 2: defaults.timout", "line 5: scripts[0].frequency"],
  );
  assert.equal(
    parseBotConfig("defaults:\n  schedule: '@every 5m'\nscripts:\n  - {name: a, script: x}\n")
      .scripts[0]?.schedule,
    "@every 5m",
  );
});

Deno.test("parseBotConfig() expands templates in user, pass, regcert, clientCert and clientKey only", () => {
  const files: Record<string, string> = { "/ca.pem": "CA PEM", "/c.pem": "CERT", "/k.pem": "KEY" };
  const text = `creds:
  - registry: r.example:5000
    user: '{{ env "U" }}'
    pass: '{{ env "P" }}'
    regcert: '{{ file "/ca.pem" }}'
    clientCert: '{{ file "/c.pem" }}'
    clientKey: '{{ file "/k.pem" }}'
    repoAuth: true
`;
  const c = parseBotConfig(text, {
    env: { U: "user1", P: "secret" },
    readFile: (path) => {
      const v = files[path];
      if (v === undefined) throw new Error(`no file ${path}`);
      return v;
    },
  });
  const host = c.creds[0]?.host;
  assert.equal(c.creds[0]?.registry, "r.example:5000");
  assert.deepEqual(
    [host?.user, host?.pass, host?.regcert, host?.clientCert, host?.clientKey],
    ["user1", "secret", "CA PEM", "CERT", "KEY"],
  );
  // A bad template names its line.
  assert.throws(
    () => parseBotConfig("creds:\n  - registry: r\n    pass: '{{ env }}'\n", { env: {} }),
    (e) => e instanceof UsageError && /line 3: creds\[0\]\.pass has a bad template/.test(e.message),
  );
});

Deno.test("parseBotConfig() refuses bad configs, naming the line", () => {
  const cases: [string, RegExp][] = [
    ["version: 2\n", /line 1: version 2 is not supported/],
    [
      "scripts:\n  - name: a\n    script: x\n    timeout: soon\n",
      /line 4: scripts\[0\]\.timeout "soon" is not a duration/,
    ],
    ["scripts:\n  - script: log('x')\n", /line 2: scripts\[0\] needs a name/],
    ["scripts:\n  - name: a\n", /line 2: scripts\[0\] \("a"\) needs a script/],
    [
      "scripts:\n  - name: a\n    script: x\n  - name: a\n    script: y\n",
      /line 4: scripts\[1\]\.name "a" is used twice/,
    ],
    ["defaults:\n  schedule: every day\n", /line 2: defaults\.schedule "every day" is not a cron/],
    ["defaults:\n  schedule: '@every never'\n", /line 2: defaults\.schedule "@every never"/],
    ["scripts:\n  - name: a\n    script: x\n    schedule: 61 * * * *\n", /line 4: .*not a cron/],
    ["defaults:\n  parallel: -1\n", /line 2: defaults\.parallel must be a whole number/],
    ["defaults:\n  unsafe: yes please\n", /line 2: defaults\.unsafe must be true or false/],
    ["creds:\n  - tls: disabled\n", /line 2: creds\[0\] needs a registry name/],
    ["creds:\n  - registry: r\n    tls: maybe\n", /line 2: creds\[0\] .*tls/],
    ["scripts: {a: 1}\n", /line 1: scripts must be a list/],
    ["scripts:\n  - name: a\n   script: x\n", /line 3:.*fix the YAML/],
    ["- just a list\n", /the document must be a mapping/],
  ];
  for (const [text, want] of cases) {
    assert.throws(
      () => parseBotConfig(text),
      (e) => e instanceof UsageError && e.code === "USAGE" && want.test(e.message),
      text,
    );
  }
});
