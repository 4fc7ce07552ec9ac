import assert from "node:assert/strict";
import { parseTemplate } from "../template/template.ts";
import { parseRef } from "../types/ref.ts";
import { loadSyncConfig } from "./config.ts";
import { GoDuration, goRef, goStep } from "./go_template_data.ts";

Deno.test("goStep() gives every ConfigSync field under its Go name, durations printed as Go does", () => {
  const { config } = loadSyncConfig(
    "defaults: {schedule: '@daily', hooks: {post: {type: exec, params: [echo, hi]}}}\n" +
      "sync:\n  - {source: a.example/x, target: b.example/x, type: repository, " +
      "tagSets: [{allow: [a]}, {deny: [b]}], referrerFilters: [{artifactType: t}]}\n",
  );
  const step = goStep(config.sync[0]!);
  assert.deepEqual(Object.keys(step), [
    "Source",
    "Target",
    "Type",
    "Tags",
    "TagSets",
    "Repos",
    "DigestTags",
    "Referrers",
    "ReferrerFilters",
    "ReferrerSrc",
    "ReferrerTgt",
    "ReferrerSlow",
    "Platform",
    "Platforms",
    "FastCheck",
    "ForceRecursive",
    "IncludeExternal",
    "Backup",
    "Interval",
    "Schedule",
    "RateLimit",
    "MediaTypes",
    "Hooks",
  ]);
  const out = parseTemplate(
    "{{ .S.Schedule }} {{ .S.Interval }} {{ .S.RateLimit.Retry }} {{ index .S.Hooks.Post.Params 1 }}" +
      " {{ len .S.TagSets }} {{ (index .S.ReferrerFilters 0).ArtifactType }}",
  ).execute({ S: step });
  assert.equal(out, "@daily 0s 5m0s hi 2 t");
});

Deno.test("GoDuration prints as time.Duration and goRef() keeps the reference as written", () => {
  assert.equal(new GoDuration(5_400_000).String(), "1h30m0s");
  assert.equal(new GoDuration(90_000).Minutes(), 1.5);
  const r = goRef(parseRef("busybox:1.36"), "busybox:1.36");
  assert.equal(r.Reference, "busybox:1.36");
  assert.equal(r.Repository, "library/busybox");
  assert.equal(r.CommonName(), "docker.io/library/busybox:1.36");
});
