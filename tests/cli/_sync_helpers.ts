/**
 * Shared parts of the `ocictl sync` CLI tests: a registry (our `serve` or
 * CNCF distribution) with a client, image pushes, regsync YAML for creds,
 * and an in-process `ocictl sync` runner.
 *
 * @module
 */
import { runCli } from "../cli_harness.ts";
import { Client, createTransportFactory } from "../../src/client.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { parseRef } from "../../src/types/ref.ts";
import { startDistribution } from "../registry/_distribution.ts";

/** A registry under test. */
export interface Reg {
  host: string;
  client: Client;
  env: Record<string, string>;
  dir: string;
  tags(repo: string): Promise<string[]>;
  digest(ref: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Runs `fn` with our `serve` on loopback.
 *
 * @param fn the test body
 */
export async function withServe(fn: (reg: Reg) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-sync-" });
  const srv = await startRegistryServer({ dir: `${dir}/reg`, hostname: "127.0.0.1", port: 0 });
  const host = `127.0.0.1:${srv.addr.port}`;
  const reg = registry(host, dir);
  try {
    await fn(reg);
  } finally {
    await reg.close();
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs `fn` with CNCF distribution on loopback.
 *
 * @param fn the test body
 */
export async function withDistribution(fn: (reg: Reg) => Promise<void>): Promise<void> {
  const d = await startDistribution();
  const reg = registry(d.host, d.dir);
  try {
    await fn(reg);
  } finally {
    await reg.close();
    await d.stop();
  }
}

/**
 * A client for a registry host.
 *
 * @param host `127.0.0.1:port`
 * @param dir scratch directory (config file, HOME)
 * @returns the registry handle
 */
export function registry(host: string, dir: string): Reg {
  const env = { OCICTL_CONFIG: `${dir}/config.json`, HOME: dir };
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env, hostFlags: [`reg=${host},tls=disabled`] },
  });
  return {
    host,
    client,
    env,
    dir,
    async tags(repo) {
      try {
        return (await client.tagList(parseRef(`${host}/${repo}`))).sort();
      } catch {
        return [];
      }
    },
    async digest(ref) {
      try {
        return (await client.manifestHead(parseRef(`${host}/${ref}`))).digest;
      } catch {
        return undefined;
      }
    },
    close: () => client.close(),
  };
}

/**
 * Pushes a scratch image.
 *
 * @param reg the registry
 * @param ref `repo:tag`
 * @param seed makes it unique
 * @param created creation time
 * @returns its digest
 */
export async function image(
  reg: Reg,
  ref: string,
  seed: number,
  created?: string,
): Promise<string> {
  const r = await createImage(reg.client, parseRef(`${reg.host}/${ref}`), {
    platform: { os: "linux", architecture: "amd64" },
    labels: { seed: String(seed) },
    ...(created ? { created: new Date(created) } : {}),
  });
  return r.descriptor.digest;
}

/**
 * regsync YAML naming a plain-HTTP registry in `creds`.
 *
 * @param host the registry
 * @returns the YAML head
 */
export function creds(host: string): string {
  return `version: 1\ncreds:\n  - registry: ${host}\n    tls: disabled\n`;
}

/**
 * Runs `ocictl sync ARGS -c -` in-process with YAML on stdin.
 *
 * @param reg the registry (its env)
 * @param args subcommand and flags
 * @param yaml the config
 * @param signal cancels the run
 * @returns the result
 */
export function sync(reg: Reg, args: string[], yaml: string, signal?: AbortSignal) {
  return runCli(["sync", ...args, "-c", "-"], {
    env: reg.env,
    stdin: yaml,
    ...(signal ? { signal } : {}),
  });
}

/**
 * The records of a `--logopt json` run.
 *
 * @param stderr its stderr
 * @returns one object per JSON line
 */
export function records(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}
