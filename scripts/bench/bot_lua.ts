/**
 * Benchmark of `ocictl bot`: the start-up of a fresh Lua engine (what every
 * script run pays), and a regbot script that lists 200 tags and HEADs each
 * one against our `serve` in-process on 127.0.0.1, with its time and the
 * number of requests it made.
 *
 * @module
 */
import { Client, createTransportFactory } from "../../src/client.ts";
import { createLogger } from "../../src/cli/logger.ts";
import { runLua } from "../../src/bot/lua_runtime.ts";
import { runBotScript } from "../../src/bot/run_bot.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { parseRef } from "../../src/types/ref.ts";
import { median, type Metric, say } from "./_common.ts";

/** Options of {@link benchBotLua}. */
export interface BotLuaOptions {
  /** Tags listed and HEADed. @default 200 */
  tags?: number;
  /** Engine start-ups timed. @default 20 */
  starts?: number;
}

/**
 * Runs the benchmark.
 *
 * @param options tag count, start-ups timed
 * @returns the summary rows
 * @throws {Error} when the script fails
 */
export async function benchBotLua(options: BotLuaOptions = {}): Promise<Metric[]> {
  const tags = options.tags ?? 200;
  const starts = options.starts ?? 20;
  const t0 = performance.now();
  await runLua("", { name: "first" });
  const first = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t = performance.now();
    await runLua("local x = 1", { name: "start" });
    times.push(performance.now() - t);
  }
  const start = median(times);
  say(`bot_lua: first Lua engine ${first.toFixed(1)} ms, then ${start.toFixed(1)} ms each`);

  const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-bot-" });
  const server = await startRegistryServer({ dir, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${server.addr.port}`;
  const settings = {
    env: { OCICTL_CONFIG: `${dir}/none.json` },
    hostFlags: [`reg=${host},tls=disabled`],
  };
  const seed = new Client({ transports: createTransportFactory(), settings });
  try {
    const img = await createImage(seed, parseRef(`${host}/bench:t0`), {
      platform: { os: "linux", architecture: "amd64" },
    });
    for (let i = 1; i < tags; i++) {
      await seed.manifestPut(parseRef(`${host}/bench:t${i}`), img.manifest.raw, {
        mediaType: img.manifest.mediaType,
      });
    }
    let requests = 0;
    const script = `
local repo = reference.new("${host}/bench")
local n = 0
for _, t in ipairs(tag.ls(repo)) do
  local r = reference.new(repo)
  r:tag(t)
  local m = manifest.head(r)
  if m:descriptor().digest ~= "" then n = n + 1 end
end
if n ~= ${tags} then error("saw " .. n .. " tags") end
`;
    const t = performance.now();
    await runBotScript({
      name: "bench",
      script,
      intervalMs: 0,
      schedule: "",
      timeoutMs: 0,
      line: 0,
    }, {
      createClient: () => ({
        client: new Client({
          transports: createTransportFactory(),
          settings: { ...settings, onResponse: () => void requests++ },
        }),
        lastHeaders: () => undefined,
      }),
      logger: createLogger({ write: () => {} }),
      signal: new AbortController().signal,
      platform: { os: "linux", architecture: "amd64" },
    });
    const ms = performance.now() - t;
    say(`bot_lua: ${tags} tags listed and HEADed in ${ms.toFixed(0)} ms, ${requests} requests`);
    return [
      { name: "bot Lua first start, wasm load (ms)", ocictl: first, better: "lower", target: "-" },
      { name: "bot Lua engine start-up (ms)", ocictl: start, better: "lower", target: "-" },
      {
        name: `bot list + HEAD ${tags} tags (ms)`,
        ocictl: ms,
        better: "lower",
        target: "-",
      },
      {
        name: `bot list + HEAD ${tags} tags (requests)`,
        ocictl: requests,
        better: "lower",
        target: `<= ${tags + 2}`,
        ok: requests <= tags + 2,
      },
    ];
  } finally {
    await seed.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
