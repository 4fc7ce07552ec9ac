import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { loadSyncConfig } from "./config.ts";
import { DEFAULT_MEDIA_TYPES } from "./config_types.ts";
import { regsyncExample } from "./_example_test_helper.ts";

const EXAMPLE = regsyncExample({
  mirror: "mirror.internal:5000",
  moreCreds: `  - registry: docker.io
    user: '{{ env "HUB_USER" }}'
    pass: '{{ file "/run/secrets/hub" }}'
`,
  image: ["busybox:1.36", "mirror.internal:5000/lib/busybox:1.36"],
  repo: ["ghcr.io/example/app", "mirror.internal:5000/example/app"],
  registry: ["src.internal:5000", "mirror.internal:5000/copy"],
});

Deno.test("loadSyncConfig() reads regsync's example: merge keys, defaults, creds templates", () => {
  const { config, warnings } = loadSyncConfig(EXAMPLE, {
    filename: "regsync.yml",
    env: { HUB_USER: "hubber" },
    readFile: (p) => (p === "/run/secrets/hub" ? "s3cret\n" : ""),
  });
  assert.deepEqual(warnings, []);
  assert.equal(config.creds[1]?.user, "hubber");
  assert.equal(config.creds[1]?.pass, "s3cret");
  assert.equal(config.creds[0]?.tls, "disabled");
  assert.equal(config.defaults.parallel, 3);
  const [img, repo, reg] = config.sync;
  assert.ok(img && repo && reg);
  assert.equal(img.schedule, "0 3 * * *");
  assert.equal(img.interval, undefined);
  assert.equal(repo.interval, "6h");
  assert.deepEqual(repo.tags.semverRange, [">=1.2.0 <2"]);
  assert.deepEqual(repo.tags.deny, [".*-rc.*"]);
  assert.equal(repo.referrers && repo.digestTags && repo.fastCheck, true);
  assert.equal(img.referrers, false);
  assert.deepEqual(reg.ratelimit, { min: 50, retry: "10m" });
  assert.equal(reg.backup, "prev-{{ .Ref.Tag }}");
  assert.deepEqual(reg.repos.allow, ["team-a/.*"]);
  assert.deepEqual(reg.mediaTypes, DEFAULT_MEDIA_TYPES);
  assert.equal(repo.line, 20);
});

Deno.test("loadSyncConfig() expands source and target templates with .Sync, in regsync's order", () => {
  const { config } = loadSyncConfig(
    `sync:
  - source: gcr.io/team/app
    target: 'registry:5000/gcr/{{ index (split .Sync.Source "gcr.io/") 1 }}'
    referrerSource: '{{ .Sync.Source }}-sigs'
    type: repository
`,
  );
  assert.equal(config.sync[0]?.target, "registry:5000/gcr/team/app");
  assert.equal(config.sync[0]?.referrerSource, "gcr.io/team/app-sigs");
});

Deno.test("loadSyncConfig() warns about unknown keys with their line, accepts x- keys and fastCopy", () => {
  const { config, warnings } = loadSyncConfig(
    `x-note: anything
defaults:
  fastCopy: true
  colour: blue
sync:
  - source: a.example/x
    target: b.example/x
    type: image
    x-owner: me
    tag: v1
    userAgent: me/1
`,
    { filename: "s.yml" },
  );
  assert.deepEqual(warnings, [
    's.yml:4: unknown key "colour" ignored',
    's.yml:10: unknown key "tag" ignored',
  ]);
  assert.equal(config.sync[0]?.userAgent, "me/1");
  assert.equal(config.sync[0]?.fastCheck, true);
  assert.equal(config.defaults.skipDockerConfig, false);
  assert.equal(config.sync[0]?.ratelimit.retry, "5m");
});

Deno.test("loadSyncConfig() refuses bad configs with one usage error naming the line", () => {
  const head = "sync:\n  - source: a.example/x\n    target: b.example/x\n";
  const cases: [string, RegExp][] = [
    ["sync:\n  - target: b.example/x\n    type: image\n", /s\.yml:2: "sync\[0\]" needs "source"/],
    [head + "    type: mirror\n", /s\.yml:4: "sync\[0\]\.type" is "mirror"/],
    [
      head + "    type: repository\n    tags: {allow: ['(']}\n",
      /s\.yml:5: "sync\[0\]\.tags\.allow\[0\]"/,
    ],
    [
      head + "    type: repository\n    tags:\n      semverRange: ['>=x']\n",
      /s\.yml:6: .*semverRange\[0\]/,
    ],
    [head + "    type: image\n    interval: 1d\n", /s\.yml:5: .*interval.*Go duration/],
    [head + "    type: image\n    schedule: '61 * * * *'\n", /s\.yml:5: .*schedule.*minute/],
    [head + "    type: image\n    schedule: '* * *'\n", /s\.yml:5: .*schedule.*5 cron fields/],
    ["version: 2\n" + head + "    type: image\n", /s\.yml:1: "version" is 2/],
    [head + "    type: image\n    platform: linux/\n", /s\.yml:5: .*platform/],
    [head + "    type: image\n    backup: '{{ .Ref.Tag '\n", /s\.yml:5: .*backup.*template/],
    [head + "    type: image\n    referrers: maybe\n", /s\.yml:5: .*referrers.*true or false/],
    ["sync: [\n", /Cannot parse sync config s\.yml/],
    ["creds:\n  - user: x\n", /s\.yml:2: "creds\[0\]" needs "registry"/],
    ["creds:\n  - registry: r.example\n    tls: maybe\n", /s\.yml:2: "creds\[0\]".*tls/],
    [head + "    type: image\n    hooks: {pre: {type: http, params: [x]}}\n", /hooks\.pre\.type/],
    [head + "    type: image\n    prune: true\n", /prune/],
  ];
  for (const [text, want] of cases) {
    assert.throws(() => loadSyncConfig(text, { filename: "s.yml" }), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, want);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    }, text);
  }
});

Deno.test("loadSyncConfig() knows every key of creds, defaults and steps (no warnings)", () => {
  const common = `backup: 'b-{{ .Ref.Tag }}'
    interval: 90m
    ratelimit: {min: 10, retry: 6m}
    digestTags: true
    referrers: true
    referrerFilters:
      - artifactType: application/x-sig
        annotations: {team: a}
    referrerSource: r.example/sigs
    referrerTarget: m.example/sigs
    referrerSlow: true
    fastCheck: true
    forceRecursive: true
    includeExternal: true
    mediaTypes: [application/vnd.oci.image.manifest.v1+json]
    hooks:
      pre: {type: exec, params: [gate], timeout: 30s}
      post: {type: exec, params: [notify, --done]}
      unchanged: {type: exec, params: [same]}
    prune: true
    parallel: 2`;
  const globalOnly = `
  blobLimit: 1048576
  cacheCount: 10
  cacheTime: 5m
  skipDockerConfig: true
  userAgent: mirror/1`;
  const text = `version: 1
creds:
  - registry: r.example
    user: u
    pass: p
    token: t
    tls: insecure
    regcert: CERT
    clientCert: CC
    clientKey: CK
    hostname: mirror.r.example
    pathPrefix: prefix
    mirrors: [m1.example]
    priority: 2
    repoAuth: true
    blobChunk: 1000000
    blobMax: 2000000
    reqPerSec: 1.5
    reqConcurrent: 3
    credHelper: docker-credential-x
    credExpire: 10m
    credHost: r.example
    apiOpts: {disableHead: "true"}
defaults:
  schedule: "@daily"
  ${common.replace(/\n {4}/g, "\n  ")}${globalOnly}
sync:
  - source: r.example/app
    target: m.example/app
    type: repository
    tags: {allow: [v.*], deny: [v0.*], semverRange: [">=1"], keepNewest: 3}
    tagSets: [{allow: [latest]}]
    repos: {allow: [a], deny: [b]}
    platforms: [linux/amd64]
    schedule: "0 * * * *"
    ${common}
  - {source: r.example/app:v1, target: m.example/app:v1, type: image, platform: linux/arm64}
`;
  const { config, warnings } = loadSyncConfig(text, { filename: "all.yml" });
  assert.deepEqual(warnings, []);
  const c = config.creds[0];
  assert.equal(c?.registry, "r.example");
  assert.equal(c?.hostname, "mirror.r.example");
  assert.deepEqual(c?.mirrors, ["m1.example"]);
  assert.equal(c?.reqPerSec, 1.5);
  assert.deepEqual(c?.apiOpts, { disableHead: "true" });
  assert.deepEqual(config.defaults, {
    parallel: 2,
    blobLimit: 1048576,
    cacheCount: 10,
    cacheTime: "5m",
    skipDockerConfig: true,
    userAgent: "mirror/1",
  });
  const [repo, img] = config.sync;
  assert.ok(repo && img);
  assert.deepEqual(repo.tags, {
    allow: ["v.*"],
    deny: ["v0.*"],
    semverRange: [">=1"],
    keepNewest: 3,
  });
  assert.deepEqual(repo.tagSets, [{ allow: ["latest"], deny: [], semverRange: [] }]);
  assert.equal(repo.schedule, "0 * * * *");
  assert.equal(repo.interval, "90m");
  assert.deepEqual(repo.hooks.pre, { type: "exec", params: ["gate"], timeout: "30s" });
  assert.deepEqual(repo.referrerFilters, [{
    artifactType: "application/x-sig",
    annotations: { team: "a" },
  }]);
  assert.equal(repo.referrerSource, "r.example/sigs");
  assert.equal(
    repo.prune && repo.forceRecursive && repo.includeExternal && repo.referrerSlow,
    true,
  );
  assert.equal(img.schedule, "@daily");
  assert.equal(img.backup, "b-{{ .Ref.Tag }}");
  assert.deepEqual(img.ratelimit, { min: 10, retry: "6m" });
  assert.equal(img.platform, "linux/arm64");
  assert.deepEqual(img.hooks.post, { type: "exec", params: ["notify", "--done"], timeout: "5m" });
  assert.equal(img.prune, false);
  assert.equal(repo.parallel, 2);
  assert.equal(img.parallel, undefined);
});

Deno.test("loadSyncConfig() normalises creds registry names as --host does", () => {
  const { config } = loadSyncConfig(
    "creds:\n  - {registry: 'http://Localhost:5000'}\n  - {registry: index.docker.io, tls: enabled}\n",
  );
  assert.deepEqual(config.creds, [
    { registry: "localhost:5000", tls: "disabled" },
    { registry: "docker.io", tls: "enabled" },
  ]);
  assert.throws(
    () => loadSyncConfig("creds:\n  - {registry: r.example/team}\n"),
    /creds\[0\]\.registry" must be a registry host name/,
  );
});

Deno.test("loadSyncConfig() merges the client keys of defaults into steps; a step overrides them", () => {
  const { config, warnings } = loadSyncConfig(
    `defaults:
  blobLimit: 1024
  cacheCount: 10
  cacheTime: 5m
  skipDockerConfig: true
  userAgent: fleet/1
sync:
  - {source: a.example/x, target: b.example/x, type: image}
  - source: a.example/y
    target: b.example/y
    type: image
    blobLimit: 2048
    cacheTime: 0s
    skipDockerConfig: false
    userAgent: one/2
`,
    { filename: "s.yml" },
  );
  const pick = (i: number) => {
    const s = config.sync[i]!;
    return [s.blobLimit, s.cacheCount, s.cacheTime, s.skipDockerConfig, s.userAgent];
  };
  assert.deepEqual(pick(0), [1024, 10, "5m", true, "fleet/1"]);
  assert.deepEqual(pick(1), [2048, 10, "0s", false, "one/2"]);
  assert.deepEqual(warnings, [
    's.yml:13: "cacheCount" needs "cacheTime" too; the manifest cache stays off',
  ]);
  assert.throws(
    () =>
      loadSyncConfig(
        "sync: [{source: a.example/x, target: b.example/x, type: image, blobLimit: -1}]",
      ),
    (e: unknown) => e instanceof UsageError && /blobLimit/.test(e.message),
  );
});

Deno.test("loadSyncConfig() treats a step's ratelimit.min of 0 and empty strings as unset, as regsync does", () => {
  const { config } = loadSyncConfig(`defaults: {ratelimit: {min: 50}}
sync:
  - {source: a.example/x, target: b.example/x, type: image, ratelimit: {min: 0}}
  - {source: a.example/x, target: b.example/y, type: image, ratelimit: {min: 7}}
`);
  assert.deepEqual(config.sync.map((s) => s.ratelimit.min), [50, 7]);
  // An empty backup or referrer repository is unset too: the default applies.
  const { config: c2 } = loadSyncConfig(
    `defaults: {backup: "old-{{ .Ref.Tag }}", referrerSource: r.example/sig}
sync:
  - {source: a.example/x, target: b.example/x, type: repository, backup: "", referrerSource: ""}
`,
  );
  assert.equal(c2.sync[0]?.backup, "old-{{ .Ref.Tag }}");
  assert.equal(c2.sync[0]?.referrerSource, "r.example/sig");
});
