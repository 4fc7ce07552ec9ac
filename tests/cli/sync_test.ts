/**
 * `ocictl sync` end to end: regsync configs against our own `serve` on
 * loopback and against CNCF distribution, through the CLI in-process.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { buildSampleImages, type SampleSet } from "../../src/sample/sample_images.ts";
import { parseRef, withDigest } from "../../src/types/ref.ts";
import { freePort, hasDistribution, startDistribution } from "../registry/_distribution.ts";
import { startProxy } from "../registry/_servers.ts";
import { regsyncExample } from "../../src/sync/_example_test_helper.ts";
import {
  creds,
  image,
  records,
  type Reg,
  registry,
  sync,
  withDistribution,
  withServe,
} from "./_sync_helpers.ts";

async function documentedExample(reg: Reg): Promise<void> {
  {
    const h = reg.host;
    const sample: SampleSet = await buildSampleImages(
      reg.client.transport(parseRef(`${h}/lib/busybox`)),
      parseRef(`${h}/lib/busybox`),
    );
    for (const [i, tag] of ["1.1.0", "1.2.0", "1.3.0-rc1", "1.9.9", "2.0.0", "latest"].entries()) {
      await image(reg, `example/app:${tag}`, i);
    }
    await image(reg, "team-a/one:v1", 10);
    await image(reg, "team-a/two:v1", 11);
    await image(reg, "team-b/three:v1", 12);
    const yaml = regsyncExample({
      mirror: h,
      reqPerSec: 1000,
      moreCreds: "",
      image: [`${h}/lib/busybox:v1`, `${h}/mirror/lib/busybox:v1`],
      repo: [`${h}/example/app`, `${h}/mirror/example/app`],
      registry: [h, `${h}/copy`],
    });
    const check = await sync(reg, ["check"], yaml);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /msg="Image sync needed" source=.*busybox:v1/);
    assert.deepEqual(await reg.tags("mirror/lib/busybox"), []);
    assert.deepEqual(await reg.tags("copy/team-a/one"), []);
    const once = await runCli(["--logopt", "json", "sync", "once", "-c", "-"], {
      env: reg.env,
      stdin: yaml,
    });
    assert.equal(once.code, 0, once.stderr);
    assert.equal(await reg.digest("mirror/lib/busybox:v1"), sample.index.digest);
    assert.deepEqual(await reg.tags("mirror/example/app"), ["1.2.0", "1.9.9"]);
    assert.deepEqual(await reg.tags("copy/team-a/one"), ["v1"]);
    assert.deepEqual(await reg.tags("copy/team-a/two"), ["v1"]);
    assert.deepEqual(await reg.tags("copy/team-b/three"), []);
    const recs = records(once.stderr);
    const copied = recs.filter((r) => r.msg === "Image copied");
    assert.equal(copied.length, 5);
    assert.ok(copied.every((r) => typeof r.digest === "string" && typeof r.source === "string"));
    const summary = recs.find((r) => r.msg === "Sync summary");
    assert.equal(summary?.copied, 5);
    assert.equal(summary?.failed, 0);
    const again = await sync(reg, ["once"], yaml);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /msg="Sync summary" checked=5 copied=0 skipped=5/);
  }
}

Deno.test("sync runs regsync's documented example shape end to end against serve", async () => {
  await withServe(documentedExample);
});

Deno.test({
  name: "sync runs regsync's documented example shape end to end against CNCF distribution",
  ignore: !hasDistribution,
  fn: () => withDistribution(documentedExample),
});

Deno.test({
  name:
    "sync registry step pages through _catalog past the first page (distribution, 100 per page)",
  ignore: !hasDistribution,
  fn: () =>
    withDistribution(async (reg) => {
      const names = Array.from({ length: 104 }, (_, i) => `p/${String(i).padStart(3, "0")}`);
      const digests = await Promise.all(names.map((n, i) => image(reg, `${n}:v1`, i)));
      const yaml = creds(reg.host) +
        `sync:\n  - {source: ${reg.host}, target: ${reg.host}/m, type: registry, repos: {allow: ["p/10[0-9]"]}}\n`;
      const r = await sync(reg, ["once"], yaml);
      assert.equal(r.code, 0, r.stderr);
      for (const n of ["p/100", "p/101", "p/102", "p/103"]) {
        assert.equal(await reg.digest(`m/${n}:v1`), digests[Number(n.slice(2))]);
      }
      assert.deepEqual(await reg.tags("m/p/099"), []);
    }),
});

Deno.test("sync tries every image and exits 1 when one failed; --abort-on-error stops at the first", async () => {
  await withServe(async (reg) => {
    await image(reg, "src:v1", 1);
    const proxy = startProxy(`http://${reg.host}`);
    proxy.set({
      before: (req, url) =>
        req.method !== "GET" && req.method !== "HEAD" && url.pathname.startsWith("/v2/denied/")
          ? new Response(JSON.stringify({ errors: [{ code: "DENIED", message: "no" }] }), {
            status: 403,
            headers: { "content-type": "application/json" },
          })
          : undefined,
    });
    try {
      const p = proxy.host;
      const yaml = creds(reg.host) + `  - registry: ${p}\n    tls: disabled\n` + `sync:
  - {source: ${p}/src:v1, target: ${p}/denied/a:v1, type: image}
  - {source: ${p}/src:v1, target: ${p}/ok/b:v1, type: image}
`;
      const aborted = await sync(reg, ["once", "--abort-on-error"], yaml);
      assert.equal(aborted.code, 1, aborted.stderr);
      assert.deepEqual(await reg.tags("ok/b"), []);
      const all = await sync(reg, ["once"], yaml);
      assert.equal(all.code, 1, all.stderr);
      assert.match(all.stderr, /msg="Failed to sync" source=\S+\/src:v1 target=\S+\/denied\/a:v1/);
      assert.match(all.stderr, /ocictl: Cannot sync 1 image/);
      assert.deepEqual(await reg.tags("ok/b"), ["v1"]);
      assert.deepEqual(await reg.tags("denied/a"), []);
    } finally {
      await proxy.close();
    }
  });
});

Deno.test("sync config prints the processed config without secrets; -c FILE reads a file", async () => {
  await withServe(async (reg) => {
    const file = `${reg.dir}/regsync.yml`;
    await Deno.writeTextFile(
      file,
      `creds:
  - registry: ${reg.host}
    user: '{{ env "SYNC_USER" }}'
    pass: hunter2
    tls: disabled
defaults: {referrers: true, fastCopy: true}
sync:
  - {source: ${reg.host}/a, target: '{{ .Sync.Source }}-copy', type: repository, x-team: blue, colour: red}
`,
    );
    const r = await runCli(["sync", "config", "-c", file], {
      env: { ...reg.env, SYNC_USER: "alice" },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /user: alice/);
    assert.doesNotMatch(r.stdout, /hunter2/);
    assert.match(r.stdout, new RegExp(`target: ${reg.host}/a-copy`));
    assert.match(r.stdout, /fastCheck: true/);
    assert.match(r.stdout, /referrers: true/);
    assert.match(r.stderr, /regsync\.yml:8: unknown key \\"colour\\" ignored/);
    assert.doesNotMatch(r.stderr, /x-team/);
  });
});

Deno.test("sync refuses bad configs with exit 2, one line naming the line, and copies nothing", async () => {
  await withServe(async (reg) => {
    await image(reg, "a:v1", 1);
    const ok = `  - {source: ${reg.host}/a:v1, target: ${reg.host}/b:v1, type: image}\n`;
    const bad: [string, RegExp][] = [
      ["  - {target: x.example/b, type: image}\n", /<stdin>:\d+: "sync\[1\]" needs "source"/],
      [
        "  - {source: a.example/a, target: x.example/b, type: mirror}\n",
        /"sync\[1\]\.type" is "mirror"/,
      ],
      [
        "  - {source: a.example/a, target: b.example/b, type: repository, tags: {allow: ['[']}}\n",
        /tags\.allow\[0\]/,
      ],
      [
        "  - {source: a.example/a, target: b.example/b, type: repository, tags: {semverRange: ['>=']}}\n",
        /semverRange\[0\]/,
      ],
      [
        "  - {source: a.example/a:v1, target: b.example/b:v1, type: image, interval: 5 minutes}\n",
        /interval/,
      ],
      [
        "  - {source: a.example/a:v1, target: b.example/b:v1, type: image, schedule: '0 25 * * *'}\n",
        /schedule/,
      ],
    ];
    for (const [step, want] of bad) {
      const r = await sync(reg, ["once"], creds(reg.host) + "sync:\n" + ok + step);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const v2 = await sync(reg, ["once"], "version: 2\nsync:\n" + ok);
    assert.equal(v2.code, 2);
    assert.match(v2.stderr, /<stdin>:1: "version" is 2/);
    assert.deepEqual(await reg.tags("b"), []);
    const missingFile = await runCli(["sync", "once", "-c", `${reg.dir}/none.yml`], {
      env: reg.env,
    });
    assert.equal(missingFile.code, 2);
  });
});

for (
  const [peer, within] of [["serve", withServe], ["CNCF distribution", withDistribution]] as const
) {
  Deno.test({
    name: `sync once --missing copies only absent tags; a changed tag is backed up (${peer})`,
    ignore: peer !== "serve" && !hasDistribution,
    fn: () => within(missingThenBackup),
  });
  Deno.test({
    name: `sync prune and keepNewest: check shows the deletions, once makes them (${peer})`,
    ignore: peer !== "serve" && !hasDistribution,
    fn: () => within(pruneKeepNewest),
  });
  Deno.test({
    name:
      `sync hooks run as commands: a failing pre hook skips the copy, post gets JSON and env (${peer})`,
    ignore: peer !== "serve" && !hasDistribution,
    fn: () => within(hooksRun),
  });
  Deno.test({
    name:
      `sync server copies missing images at start, runs on its interval without overlap, serves metrics, stops on signal (${peer})`,
    ignore: peer !== "serve" && !hasDistribution,
    fn: () => within(serverRuns),
  });
}

async function missingThenBackup(reg: Reg): Promise<void> {
  {
    const old = await image(reg, "src:v1", 1);
    const yaml = creds(reg.host) +
      `sync:\n  - {source: ${reg.host}/src, target: ${reg.host}/dst, type: repository, backup: 'bak-{{ .Ref.Tag }}'}\n`;
    assert.equal((await sync(reg, ["once"], yaml)).code, 0);
    const next = await image(reg, "src:v1", 2);
    await image(reg, "src:v2", 3);
    const missing = await sync(reg, ["once", "--missing"], yaml);
    assert.equal(missing.code, 0, missing.stderr);
    assert.equal(await reg.digest("dst:v1"), old);
    assert.deepEqual(await reg.tags("dst"), ["v1", "v2"]);
    const full = await sync(reg, ["once"], yaml);
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stderr, /msg="Saving backup" original=.*dst:v1 backup=.*dst:bak-v1/);
    assert.equal(await reg.digest("dst:v1"), next);
    assert.equal(await reg.digest("dst:bak-v1"), old);
  }
}

async function pruneKeepNewest(reg: Reg): Promise<void> {
  {
    for (const [i, tag] of ["1.0", "1.1", "1.2", "1.3"].entries()) {
      await image(reg, `src:${tag}`, i);
    }
    const base = creds(reg.host) +
      `sync:\n  - {source: ${reg.host}/src, target: ${reg.host}/dst, type: repository`;
    assert.equal((await sync(reg, ["once"], base + "}\n")).code, 0);
    await image(reg, "dstother:keep", 9);
    const yaml = base + ", prune: true, tags: {keepNewest: 2}}\n";
    const check = await sync(reg, ["check"], yaml);
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stderr.match(/Tag would be pruned/g)?.length, 2);
    assert.deepEqual(await reg.tags("dst"), ["1.0", "1.1", "1.2", "1.3"]);
    const once = await sync(reg, ["once"], yaml);
    assert.equal(once.code, 0, once.stderr);
    assert.deepEqual(await reg.tags("dst"), ["1.2", "1.3"]);
    assert.deepEqual(await reg.tags("dstother"), ["keep"]);
  }
}

async function hooksRun(reg: Reg): Promise<void> {
  {
    const d1 = await image(reg, "src:v1", 1);
    await image(reg, "src:v2", 2);
    const out = `${reg.dir}/post.log`;
    const pre = `${reg.dir}/pre.sh`;
    await Deno.writeTextFile(
      pre,
      `#!/bin/sh\ncase "$OCICTL_SYNC_SOURCE" in *:v2) echo refused; exit 4;; esac\nexit 0\n`,
    );
    const post = `${reg.dir}/post.sh`;
    await Deno.writeTextFile(
      post,
      `#!/bin/sh\ncat >> "$1"\necho "env $OCICTL_SYNC_EVENT $OCICTL_SYNC_TARGET" >> "$1"\n`,
    );
    await Deno.chmod(pre, 0o755);
    await Deno.chmod(post, 0o755);
    const yaml = creds(reg.host) + `defaults:
  hooks:
    pre: {type: exec, params: [${pre}]}
    post: {type: exec, params: [${post}, ${out}]}
sync:
  - {source: ${reg.host}/src, target: ${reg.host}/dst, type: repository}
`;
    const r = await sync(reg, ["once"], yaml);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await reg.tags("dst"), ["v1"]);
    assert.match(r.stderr, /msg="Hook failed" hook=pre .*code=4/);
    assert.match(r.stderr, /refused/);
    const lines = (await Deno.readTextFile(out)).trim().split("\n");
    const json = JSON.parse(lines[0] ?? "{}");
    assert.equal(json.event, "post");
    assert.equal(json.copiedDigest, d1);
    assert.equal(json.target, `${reg.host}/dst:v1`);
    assert.equal(lines[1], `env post ${reg.host}/dst:v1`);
  }
}

Deno.test("sync kills a hook that runs past its timeout and skips the copy", async () => {
  await withServe(async (reg) => {
    await image(reg, "src:v1", 1);
    const yaml = creds(reg.host) + `sync:
  - source: ${reg.host}/src
    target: ${reg.host}/dst
    type: repository
    hooks: {pre: {type: exec, params: [sleep, "30"], timeout: 300ms}}
`;
    const started = Date.now();
    const r = await sync(reg, ["once"], yaml);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - started < 10_000);
    assert.match(r.stderr, /msg="Hook failed" hook=pre command=sleep .*timedOut=true/);
    assert.deepEqual(await reg.tags("dst"), []);
  });
});

async function serverRuns(reg: Reg): Promise<void> {
  {
    await image(reg, "src:v1", 1);
    const port = freePort();
    const yaml = creds(reg.host) +
      `sync:\n  - {source: ${reg.host}/src, target: ${reg.host}/dst, type: repository, interval: 300ms}\n`;
    const stop = new AbortController();
    const run = runCli(
      ["--logopt", "json", "sync", "server", "-c", "-", "--metrics-addr", `127.0.0.1:${port}`],
      { env: reg.env, stdin: yaml, signal: stop.signal },
    );
    let metrics = "";
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        metrics = await res.text();
        if (/ocictl_sync_runs_total\{[^}]*\} [3-9]/.test(metrics)) break;
      } catch {
        // not listening yet
      }
    }
    await image(reg, "src:v2", 2);
    for (let i = 0; i < 50 && (await reg.tags("dst")).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(await health.text(), "ok\n");
    stop.abort();
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await reg.tags("dst"), ["v1", "v2"]);
    assert.match(metrics, /ocictl_sync_images_copied_total\{step="0",source="[^"]+"\} 1/);
    assert.match(metrics, /ocictl_sync_last_run_success\{step="0",[^}]*\} 1/);
    const finished = records(r.stderr).filter((x) => x.msg === "Step finished");
    assert.equal(finished[0]?.mode, "missing");
    assert.ok(finished.length >= 3);
    assert.ok(records(r.stderr).some((x) => x.msg === "Sync server stopped"));
  }
}

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  Deno.test(`ocictl sync server as a process stops cleanly on ${sig}`, () => serverStops(sig));
}

async function serverStops(sig: "SIGTERM" | "SIGINT"): Promise<void> {
  await withServe(async (reg) => {
    await image(reg, "src:v1", 1);
    const file = `${reg.dir}/server.yml`;
    await Deno.writeTextFile(
      file,
      creds(reg.host) +
        `sync:\n  - {source: ${reg.host}/src, target: ${reg.host}/dst, type: repository, interval: 1h}\n`,
    );
    const main = new URL("../../main.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", main, "sync", "server", "-c", file],
      env: reg.env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const deadline = Date.now() + 30_000;
    while (!text.includes("Step finished") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    child.kill(sig);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    assert.equal(status.code, 0, text);
    assert.match(text, /msg="Step finished" step=0 .*mode=missing copied=1/);
    assert.match(text, /msg="Sync server stopped"/);
    assert.deepEqual(await reg.tags("dst"), ["v1"]);
  });
}

Deno.test("sync once cancelled during a copy leaves no target tag, and a rerun completes", async () => {
  await withServe(async (reg) => {
    await buildSampleImages(
      reg.client.transport(parseRef(`${reg.host}/src`)),
      parseRef(`${reg.host}/src`),
    );
    const dir = await Deno.makeTempDir({ prefix: "ocictl-sync-dst-" });
    const dst = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
    const proxy = startProxy(`http://127.0.0.1:${dst.addr.port}`);
    const stop = new AbortController();
    proxy.set({
      before: async (req) => {
        if (req.method === "GET" || req.method === "HEAD") return undefined;
        // The first write: cancel the run while this request is in flight.
        stop.abort();
        await new Promise((r) => setTimeout(r, 100));
        return new Response(null, { status: 503 });
      },
    });
    const dstReg = registry(proxy.host, dir);
    try {
      const yaml = creds(reg.host) + `  - registry: ${proxy.host}\n    tls: disabled\n` +
        `sync:\n  - {source: ${reg.host}/src:v1, target: ${proxy.host}/dst:v1, type: image}\n`;
      const r = await sync(reg, ["once"], yaml, stop.signal);
      assert.equal(r.code, 130, r.stderr);
      proxy.set({});
      assert.equal(await dstReg.digest("dst:v1"), undefined);
      const again = await sync(reg, ["once"], yaml);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(
        await dstReg.digest("dst:v1"),
        await reg.digest("src:v1"),
      );
    } finally {
      await dstReg.close();
      await proxy.close();
      await dst.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test({
  name:
    "sync against CNCF distribution: platforms, referrers, rate-limit wait from RateLimit headers",
  ignore: !hasDistribution,
  fn: async () => {
    const d = await startDistribution();
    const proxy = startProxy(`http://${d.host}`);
    const reg = registry(d.host, d.dir);
    let remain = 1;
    proxy.set({
      after: (req, url, res) => {
        if (!/\/manifests\//.test(url.pathname) || !url.pathname.includes("/src/")) return res;
        const headers = new Headers(res.headers);
        headers.set("RateLimit-Limit", "100;w=21600");
        headers.set("RateLimit-Remaining", `${remain};w=21600`);
        if (req.method === "HEAD") remain += 1;
        return new Response(res.body, { status: res.status, headers });
      },
    });
    try {
      const sample = await buildSampleImages(
        reg.client.transport(parseRef(`${d.host}/src/app`)),
        parseRef(`${d.host}/src/app`),
      );
      const yaml = creds(d.host) + `  - registry: ${proxy.host}\n    tls: disabled\n` +
        `sync:
  - source: ${proxy.host}/src/app:v1
    target: ${d.host}/dst/app:v1
    type: image
    platforms: [linux/amd64]
    referrers: true
    ratelimit: {min: 3, retry: 1s}
`;
      const r = await runCli(["--logopt", "json", "sync", "once", "-c", "-"], {
        env: reg.env,
        stdin: yaml,
      });
      assert.equal(r.code, 0, r.stderr);
      const recs = records(r.stderr);
      assert.ok(recs.some((x) => x.msg === "Delaying for rate limit"), r.stderr);
      const idx = await reg.client.manifestGet(parseRef(`${d.host}/dst/app:v1`));
      const kept = (idx.json as { manifests: { platform?: { architecture: string } }[] }).manifests;
      assert.deepEqual(kept.map((m) => m.platform?.architecture), ["amd64"]);
      const refs = await reg.client.referrerList(
        withDigest(parseRef(`${d.host}/dst/app`), idx.digest),
      );
      assert.deepEqual(refs, []);
      assert.notEqual(idx.digest, sample.index.digest);
      const again = await runCli(["sync", "once", "-c", "-"], { env: reg.env, stdin: yaml });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /copied=0 skipped=1/);
    } finally {
      await reg.close();
      await proxy.close();
      await d.stop();
    }
  },
});
