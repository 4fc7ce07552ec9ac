/**
 * `ocictl bot once` end to end against our own `serve` on loopback: every
 * Lua API call, retention and promotion scripts, dry-run on every write,
 * timeouts, script errors, the sandbox and bad configs.
 */
import assert from "node:assert/strict";
import {
  checkPromotion,
  checkReads,
  checkRetention,
  checkWrites,
  registryState,
  retentionScript,
  runBot,
  withBotRegistry,
} from "./_bot_checks.ts";
import { runCli } from "../cli_harness.ts";
import { parseRef } from "../../src/types/ref.ts";
import { pathExists } from "../_files.ts";

Deno.test("bot once: a retention script keeps the newest tags", async () => {
  await withBotRegistry("serve", checkRetention);
});

Deno.test("bot once: a promotion script copies images whose label matches", async () => {
  await withBotRegistry("serve", checkPromotion);
});

Deno.test("bot once --dry-run: every write is skipped, logged, and nothing changes", async () => {
  await withBotRegistry("serve", checkWrites);
});

Deno.test("bot once: every read call of the API answers as regbot's does", async () => {
  await withBotRegistry("serve", checkReads);
});

Deno.test("bot once: API errors read as regbot's and fail the script with its line", async () => {
  await withBotRegistry("serve", async (r) => {
    const res = await runBot(
      r,
      `  - name: broken
    script: |
      log("before")
      local ok, err = pcall(image.copy, "${r.host}/app:missing", "${r.host}/app:x")
      print(ok, err)
      manifest.get("${r.host}/app:nope")
  - name: fine
    script: print("fine ran")
`,
    );
    assert.equal(res.code, 1);
    assert.match(
      res.stdout,
      new RegExp(`(^|\n)false\tFailed copying "${r.host}/app:missing" to "${r.host}/app:x": `),
    );
    assert.match(res.stdout, /fine ran/);
    assert.match(
      res.stderr,
      /Cannot finish script "broken": Lua error at line 4: Failed retrieving "\S+\/app:nope" manifest/,
    );
    assert.match(res.stderr, /level=info msg="User script message" script=broken message=before/);
    assert.match(res.stderr, /level=error msg="Error running script" script=broken/);
  });
});

Deno.test("bot once: an endless loop and a slow call are stopped at the timeout", async () => {
  await withBotRegistry("serve", async (r) => {
    const t0 = Date.now();
    const res = await runBot(
      r,
      `  - name: spin
    timeout: 300ms
    script: |
      local n = 0
      while true do n = n + 1 end
  - name: slow
    timeout: 300ms
    script: |
      sleep(60)
  - name: slowcall
    timeout: 300ms
    script: |
      while true do tag.ls("${r.host}/app") end
`,
      { defaults: "  timeout: 1h" },
    );
    assert.equal(res.code, 1);
    assert.ok(Date.now() - t0 < 20_000, "stopped late");
    for (const name of ["spin", "slow", "slowcall"]) {
      assert.match(
        res.stderr,
        new RegExp(
          `script=${name} error="Cannot finish script \\\\"${name}\\\\": stopped after its timeout of 300 ms`,
        ),
        name,
      );
    }
  });
});

Deno.test("bot once: the sandbox holds unless the config says unsafe", async () => {
  await withBotRegistry("serve", async (r) => {
    const script = `  - name: escape
    script: |
      print(os.execute == nil, io == nil, require == nil)
      os.execute("touch ${r.dir}/pwned")
`;
    const res = await runBot(r, script);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "true\ttrue\ttrue\n");
    assert.match(
      res.stderr,
      /Lua error at line 2: attempt to call a nil value \(field 'execute'\)/,
    );
    // OCI layouts are local files too.
    const layout = `ocidir://${r.dir}/layout`;
    const local = await runBot(
      r,
      `  - name: local\n    script: image.copy("${r.host}/app:keep", "${layout}:v1")\n`,
    );
    assert.equal(local.code, 1);
    assert.match(local.stderr, /local reference .* refused: .*defaults\.unsafe: true/);
    assert.equal(await pathExists(`${r.dir}/layout`), false);
    const unsafe = await runBot(
      r,
      `  - name: unsafe
    script: |
      print(io ~= nil, os.execute ~= nil)
      image.copy("${r.host}/app:keep", "${layout}:v1")
      print(table.concat(tag.ls("${layout}"), ","))
`,
      { defaults: "  unsafe: true" },
    );
    assert.equal(unsafe.code, 0, unsafe.stderr);
    assert.equal(unsafe.stdout, "true\ttrue\nv1\n");
  });
});

Deno.test("bot once: a bad config runs nothing and names the line", async () => {
  await withBotRegistry("serve", async (r) => {
    const before = await registryState(r);
    const res = await runBot(
      r,
      `${retentionScript(r.host, 0)}  - name: second\n    timeout: forever\n    script: log("x")\n`,
    );
    assert.equal(res.code, 2);
    assert.match(res.stderr, /line \d+: scripts\[1\]\.timeout "forever" is not a duration/);
    assert.deepEqual(await registryState(r), before);
    // A Lua syntax error in any script is refused before the first one runs.
    const syntax = await runBot(
      r,
      `${
        retentionScript(r.host, 0)
      }  - name: broken\n    script: |\n      log("a")\n      if then\n`,
    );
    assert.equal(syntax.code, 2);
    assert.match(
      syntax.stderr,
      /line \d+: script "broken" has a Lua syntax error at script line 2: unexpected symbol near 'then'/,
    );
    assert.deepEqual(await registryState(r), before);
    const missing = await runBot(r, "");
    assert.equal(missing.code, 0, missing.stderr);
    const noFile = await runBot(r, "", { args: ["-c", `${r.dir}/none.yml`] });
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /Cannot read bot config ".*none\.yml": no such file \(check -c\)/);
  });
});

Deno.test("bot once: the README's retention example works as written", async () => {
  await withBotRegistry("serve", async (r) => {
    const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
    const section = readme.slice(readme.indexOf("### Bot scripts"));
    const yaml = section.slice(section.indexOf("```yaml\n") + 8, section.indexOf("```\n", 10))
      .replaceAll("registry.example.com:5000/team/app", `${r.host}/app`)
      .replace("registry: registry.example.com:5000", `registry: ${r.host}\n    tls: disabled`);
    const m = await r.client.manifestGet(parseRef(`${r.host}/app:keep`));
    const nightly = ["20240101", "20240102", "20240103", "20240104", "20240105"];
    for (const d of nightly) {
      await r.client.manifestPut(parseRef(`${r.host}/app:nightly-${d}`), m.raw, {
        mediaType: m.mediaType,
      });
    }
    const file = `${r.dir}/readme.yml`;
    await Deno.writeTextFile(file, yaml);
    const res = await runCli(["bot", "once", "-c", file], {
      env: { ...r.env, BOT_USER: "", BOT_PASS: "" },
    });
    assert.equal(res.code, 0, res.stderr);
    const tags = await r.client.tagList(parseRef(`${r.host}/app`));
    assert.deepEqual(tags.filter((t) => t.startsWith("nightly-")), [
      "nightly-20240103",
      "nightly-20240104",
      "nightly-20240105",
    ]);
  });
});

Deno.test("bot once --logopt json: each record is a JSON line carrying the script name", async () => {
  await withBotRegistry("serve", async (r) => {
    const res = await runBot(r, `  - name: json\n    script: log("hello")\n`, {
      args: ["--logopt", "json"],
    });
    assert.equal(res.code, 0, res.stderr);
    const records = res.stderr.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      records.map((x) => [x.level, x.msg, x.script, x.message]),
      [["info", "User script message", "json", "hello"]],
    );
  });
});

Deno.test("bot once -c -: the config comes from stdin; defaults.memory bounds each script", async () => {
  await withBotRegistry("serve", async (r) => {
    const yaml = `defaults:
  memory: 4000000
scripts:
  - name: hog
    script: |
      local t = {}
      for i = 1, 1e8 do t[i] = string.rep("x", 100) .. i end
  - name: small
    script: print(#tag.ls("${r.host}/app"))
creds:
  - registry: ${r.host}
    tls: disabled
`;
    const res = await runCli(["bot", "once", "-c", "-"], { env: r.env, stdin: yaml });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, "8\n");
    assert.match(res.stderr, /Cannot finish script \\"hog\\": it used more memory than allowed/);
  });
});

Deno.test("bot once: unknown config keys are ignored as regbot does, with a warning", async () => {
  await withBotRegistry("serve", async (r) => {
    const res = await runBot(r, `  - name: a\n    frequency: 1h\n    script: print("ran")\n`);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "ran\n");
    assert.match(
      res.stderr,
      /level=warn msg="Unknown config key ignored \(check its spelling\)" key="line \d+: scripts\[0\]\.frequency"/,
    );
  });
});

Deno.test("bot once: defaults.skipDockerConfig leaves docker's config unread", async () => {
  await withBotRegistry("serve", async (r) => {
    await Deno.mkdir(`${r.dir}/docker`, { recursive: true });
    await Deno.writeTextFile(`${r.dir}/docker/config.json`, "{not json");
    const script = `  - name: d\n    script: print(#tag.ls("${r.host}/app"))\n`;
    const read = await runBot(r, script);
    assert.equal(read.code, 0, read.stderr);
    assert.match(read.stderr, /Cannot load docker credentials/);
    const skipped = await runBot(r, script, { defaults: "  skipDockerConfig: true" });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.equal(skipped.stdout, "8\n");
    assert.doesNotMatch(skipped.stderr, /docker/);
  });
});
