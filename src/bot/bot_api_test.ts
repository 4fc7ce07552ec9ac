import assert from "node:assert/strict";
import { Client } from "../client.ts";
import { createLogger } from "../cli/logger.ts";
import { ScriptError } from "../errors.ts";
import { buildSampleImages, type SampleSet } from "../sample/sample_images.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { digestOf } from "../types/digest.ts";
import { parseRef, type Ref } from "../types/ref.ts";
import { BotApi } from "./bot_api.ts";
import { SAMPLE_CREATED } from "../sample/sample_images.ts";
import { BOT_PRELUDE } from "./lua_prelude.ts";
import { runLua } from "./lua_runtime.ts";

const REPO = "example.com/app";

interface Run {
  out: string[];
  logs: string[];
  memory: MemoryTransport;
}

async function withSample(
  fn: (run: (src: string, dryRun?: boolean) => Promise<Run>, sample: SampleSet) => Promise<void>,
): Promise<void> {
  const memory = new MemoryTransport();
  const sample = await buildSampleImages(memory, parseRef(REPO));
  const run = async (source: string, dryRun = false): Promise<Run> => {
    const out: string[] = [];
    const logs: string[] = [];
    const client = new Client({ transports: () => memory });
    const api = new BotApi({
      script: "api",
      client,
      logger: createLogger({ level: "info", write: (l) => logs.push(l) }),
      dryRun,
      signal: new AbortController().signal,
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
    });
    try {
      await runLua(source, {
        name: "api",
        prelude: BOT_PRELUDE,
        print: (s) => out.push(s),
        globals: api.globals(),
      });
    } finally {
      await api.close();
      await client.close();
    }
    return { out, logs, memory };
  };
  await fn(run, sample);
}

Deno.test("BotApi refuses bad arguments with regbot's wording at the script line", async () => {
  await withSample(async (run) => {
    const cases: [string, RegExp][] = [
      ["tag.ls(42)", /line 1: bad argument #1 \(reference expected\)/],
      ['reference.new("Bad Ref!")', /bad argument #1 \(reference parsing failed: Cannot parse/],
      ["repo.ls({})", /Expected registry name/],
      [`blob.put("${REPO}", {})`, /bad argument #2 \(blob content expected\)/],
      [`tag.ls("${REPO}", 5)`, /bad argument #2 \(table expected\)/],
      [`image.config(manifest.getList("${REPO}:v1"))`, /Image methods are not available/],
      [`image.ratelimitWait("${REPO}:v1", 1, "soon")`, /Failed parsing rate limit frequency soon/],
      ["log({})", /bad argument #1 \(string expected\)/],
      ["sleep()", /seconds expected/],
    ];
    for (const [src, want] of cases) {
      await assert.rejects(
        run(src),
        (e) => e instanceof ScriptError && e.script === "api" && want.test(e.message),
        src,
      );
    }
  });
});

Deno.test("BotApi takes a string, reference, manifest or config wherever a reference goes", async () => {
  await withSample(async (run, sample) => {
    const { out, memory } = await run(`
local m = manifest.get("${REPO}:single")
local ic = image.config(m)
local r = reference.new("${REPO}:single")
for _, v in ipairs({ "${REPO}:single", r, m, ic }) do
  print(tostring(reference.new(v)), #tag.ls(v), manifest.head(v):descriptor().digest)
end
print(pcall(tag.ls, blob.head("${REPO}", m.config.digest)))
`);
    const single = await memory.manifestHead(sample.refs.single);
    const tags = await memory.tagList(parseRef(REPO));
    const line = `${REPO}:single\t${tags.length}\t${single.digest}`;
    assert.deepEqual(out.slice(0, 4), [line, line, line, line]);
    assert.match(out[4] ?? "", /^false\t.*bad argument #1 \(reference expected\)/);
  });
});

Deno.test("BotApi resolves an index to the host platform, or the one asked for", async () => {
  await withSample(async (run, sample) => {
    const { out } = await run(`
print(manifest.get("${REPO}:v1"):descriptor().digest)
print(manifest.get("${REPO}:v1", "linux/amd64"):descriptor().digest)
print(manifest.getList("${REPO}:v1"):descriptor().digest)
`);
    assert.deepEqual(out, [
      sample.images[1]!.manifest.digest,
      sample.images[0]!.manifest.digest,
      sample.index.digest,
    ]);
  });
});

Deno.test("BotApi m:export() of an unedited manifest is its compact JSON in regbot's field order", async () => {
  await withSample(async (run, sample) => {
    const { out, memory } = await run(`
local m = manifest.get("${REPO}:single")
print(m:export():descriptor().digest)
local l = manifest.getList("${REPO}:v1")
print(l:export():descriptor().digest)
`);
    // The samples are indented; export writes the same fields compactly, as Go does.
    const compact = async (ref: Ref) => {
      const raw = (await memory.manifestGet(ref)).raw;
      const text = JSON.stringify(JSON.parse(new TextDecoder().decode(raw)));
      return await digestOf(new TextEncoder().encode(text));
    };
    assert.deepEqual(out, [await compact(sample.refs.single), await compact(sample.refs.index)]);
  });
});

Deno.test("BotApi shows config times in Go's time.Time form and, as regbot, export keeps them", async () => {
  await withSample(async (run) => {
    const { out } = await run(`
local ic = image.config("${REPO}:single")
print(ic.created, ic.Created, ic.history[1].created, ic.History[3].Created)
ic.created = "2030-01-01T00:00:00Z"
ic.history[2].created = nil
local c = ic:export()
print(c.created, c.history[2].created, #c.history)
print(string.find(tostring(c), '"created": "${SAMPLE_CREATED}"', 1, true) ~= nil)
`);
    assert.equal(SAMPLE_CREATED, "2024-01-01T00:00:00Z");
    const go = "2024-01-01 00:00:00 +0000 UTC"; // what Go's time.Time.String prints for it
    assert.deepEqual(out, [`${go}\t${go}\t${go}\t${go}`, `${go}\tnil\t3`, "true"]);
  });
});

Deno.test("BotApi under dry-run logs each write and changes nothing", async () => {
  await withSample(async (run) => {
    const { logs, memory } = await run(
      `
tag.delete("${REPO}:v1")
manifest.getList("${REPO}:docker"):delete()
manifest.put(manifest.get("${REPO}:single"), "${REPO}:other")
image.copy("${REPO}:v1", "example.com/copy:v1")
print(blob.put("${REPO}", "x"))
`,
      true,
    );
    const client = new Client({ transports: () => memory });
    assert.deepEqual(await client.tagList(parseRef(REPO)), await client.tagList(parseRef(REPO)));
    const tags = await client.tagList(parseRef(REPO));
    assert.ok(tags.includes("v1") && tags.includes("docker") && !tags.includes("other"));
    await assert.rejects(client.tagList(parseRef("example.com/copy")));
    for (const w of ["delete tag", "delete manifest", "put manifest", "copy image", "put blob"]) {
      assert.ok(logs.some((l) => l.includes(`dry-run: would ${w}`)), w);
    }
    await client.close();
  });
});

Deno.test("BotApi releases objects the script can no longer reach", async () => {
  const memory = new MemoryTransport();
  await buildSampleImages(memory, parseRef(REPO));
  const client = new Client({ transports: () => memory });
  const api = new BotApi({
    script: "gc",
    client,
    logger: createLogger({ write: () => {} }),
    signal: new AbortController().signal,
    platform: { os: "linux", architecture: "amd64" },
  });
  let most = 0;
  const out: string[] = [];
  try {
    await runLua(
      `
local keep = manifest.head("${REPO}:v1")
for i = 1, 3000 do
  local m = manifest.head("${REPO}:v1")
  if i % 500 == 0 then collectgarbage() peak() end
end
collectgarbage()
peak()
print(keep:descriptor().digest ~= nil)
`,
      {
        name: "gc",
        prelude: BOT_PRELUDE,
        print: (t) => out.push(t),
        globals: {
          ...api.globals(),
          peak: () => {
            most = Math.max(most, api.objects);
          },
        },
      },
    );
    assert.ok(most < 600, `${most} objects kept`);
    // "keep" stayed reachable, so it still works; closing the engine released the rest.
    assert.deepEqual(out, ["true"]);
    assert.equal(api.objects, 0);
  } finally {
    await api.close();
    await client.close();
  }
});
