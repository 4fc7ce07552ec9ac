/**
 * Helpers of the `ocictl bot` tests: a registry (our own `serve` in-process,
 * or CNCF distribution) seeded with images, a runner for `bot once` with a
 * YAML config, the registry's state (every tag and its digest) for
 * before/after comparisons, and the regbot scripts the tests share.
 *
 * @module
 */
import { runCli, type RunCliResult } from "../cli_harness.ts";
import { Client } from "../../src/client.ts";
import { createTransportFactory } from "../../src/client.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { parseRef } from "../../src/types/ref.ts";
import { isRepoLister } from "../../src/transport/transport.ts";
import { startDistribution } from "../registry/_distribution.ts";

/** A registry under test. */
export interface BotRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Environment of the CLI runs (its own ocictl config file). */
  env: Record<string, string>;
  /** A scratch directory removed at the end. */
  dir: string;
  /** A client reaching the registry over plain http. */
  client: Client;
}

/** Which registry to run against. */
export type RegistryKind = "serve" | "distribution";

/**
 * Starts a registry on loopback, seeds `app` with `ci-1`…`ci-5` (each its own
 * image), `keep`, and `labeled`/`plain` images (label `promote=yes` on the
 * first), runs `fn`, then stops everything.
 *
 * @param kind our `serve` in-process or CNCF distribution
 * @param fn the test body
 * @returns nothing
 */
export async function withBotRegistry(
  kind: RegistryKind,
  fn: (r: BotRegistry) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bot-" });
  let stop: () => Promise<void>;
  let host: string;
  if (kind === "serve") {
    await Deno.mkdir(`${dir}/reg`);
    const server = await startRegistryServer({ dir: `${dir}/reg`, hostname: "127.0.0.1", port: 0 });
    host = `127.0.0.1:${server.addr.port}`;
    stop = () => server.shutdown();
  } else {
    const d = await startDistribution();
    host = `127.0.0.1:${d.port}`;
    stop = () => d.stop();
  }
  const env = { OCICTL_CONFIG: `${dir}/config.json`, DOCKER_CONFIG: `${dir}/docker` };
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env, hostFlags: [`reg=${host},tls=disabled`] },
  });
  try {
    const platform = { os: "linux", architecture: "amd64" };
    for (let i = 1; i <= 5; i++) {
      await createImage(client, parseRef(`${host}/app:ci-${i}`), {
        platform,
        labels: { build: String(i) },
        created: new Date(Date.UTC(2024, 0, i)),
      });
    }
    await createImage(client, parseRef(`${host}/app:keep`), { platform, labels: { build: "k" } });
    await createImage(client, parseRef(`${host}/app:labeled`), {
      platform,
      labels: { promote: "yes" },
    });
    await createImage(client, parseRef(`${host}/app:plain`), {
      platform,
      labels: { promote: "no" },
    });
    await fn({ host, env, dir, client });
  } finally {
    await client.close();
    await stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Writes a config and runs `ocictl bot once -c FILE [args…]`.
 *
 * @param r the registry (its `creds` entry is added: plain http)
 * @param scripts the `scripts:` items as YAML text (indented by two spaces)
 * @param options extra flags, `defaults:` lines
 * @returns the CLI's result
 */
export async function runBot(
  r: BotRegistry,
  scripts: string,
  options: { args?: string[]; defaults?: string } = {},
): Promise<RunCliResult> {
  const file = `${r.dir}/bot-${crypto.randomUUID()}.yml`;
  const yaml = `version: 1
creds:
  - registry: ${r.host}
    tls: disabled
defaults:
  parallel: 2
${options.defaults ?? ""}
scripts:
${scripts}`;
  await Deno.writeTextFile(file, yaml);
  return await runCli(["bot", "once", "-c", file, ...(options.args ?? [])], { env: r.env });
}

/**
 * Every tag of every repository and the digest it names.
 *
 * @param r the registry
 * @returns `repo:tag` → digest, sorted
 */
export async function registryState(r: BotRegistry): Promise<Record<string, string>> {
  const root = parseRef(`${r.host}/x`);
  const t = r.client.transport(root);
  if (!isRepoLister(t)) throw new Error("no repo listing");
  const out: Record<string, string> = {};
  for (const repo of await t.repoList({ ...root, repository: "" })) {
    let tags: string[];
    try {
      tags = await r.client.tagList(parseRef(`${r.host}/${repo}`));
    } catch {
      continue; // distribution lists repositories whose tags are all gone
    }
    for (const tag of tags) {
      out[`${repo}:${tag}`] = (await r.client.manifestHead(parseRef(`${r.host}/${repo}:${tag}`)))
        .digest;
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * regbot's retention example, in Lua 5.1 style: keep the newest `keep` of
 * the `ci-N` tags (by creation time in the config), delete the rest.
 *
 * @param host registry
 * @param keep how many to keep
 * @returns the YAML script item
 */
export function retentionScript(host: string, keep: number): string {
  return `  - name: retention
    script: |
      local repo = reference.new("${host}/app")
      local found = {}
      for _, t in ipairs(tag.ls(repo)) do
        if string.match(t, "^ci%-%d+$") then
          local r = reference.new(repo)
          r:tag(t)
          local ic = image.config(r)
          table.insert(found, { tag = t, created = ic.created })
        end
      end
      table.sort(found, function(a, b) return a.created > b.created end)
      for i = ${keep} + 1, table.getn(found) do
        local r = reference.new(repo)
        r:tag(found[i].tag)
        log("deleting " .. tostring(r))
        tag.delete(r)
      end
`;
}

/**
 * A promotion script: copy every `app` tag whose config label `promote` is
 * `yes` to `prod` (reading the label by its Go and its JSON name).
 *
 * @param host registry
 * @returns the YAML script item
 */
export function promotionScript(host: string): string {
  return `  - name: promotion
    script: |
      local tags = tag.ls("${host}/app")
      for i = 1, table.getn(tags) do
        local src = "${host}/app:" .. tags[i]
        local ic = image.config(src)
        local labels = ic.Config.Labels or {}
        assert(labels == ic.config.Labels)
        if labels["promote"] == "yes" then
          image.copy(src, "${host}/prod:" .. tags[i])
          log("promoted " .. src)
        end
      end
`;
}
