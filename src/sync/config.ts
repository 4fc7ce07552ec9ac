/**
 * regsync's YAML config, unchanged: loading (anchors, aliases, `<<:` merge
 * keys, `x-` extension keys, duplicate keys as regsync allows them),
 * validation before anything runs (errors and unknown-key warnings name the
 * file, line and key), defaults merged into every step as regsync merges
 * them, and templates expanded where regsync expands them (creds; a step's
 * `source`, `referrerSource`, `target`, `referrerTarget` with `.Sync`).
 *
 * @module
 */
import { CORE_SCHEMA, load, mergeTag, YAMLException } from "js-yaml";
import { UsageError } from "../errors.ts";
import { type ConfigHost, parseConfigHost } from "../config/config_host.ts";
import { normaliseHostName } from "../config/host_name.ts";
import { parseTemplate } from "../template/template.ts";
import { _Checker, _detail, type Obj, ROOT } from "./_config_checker.ts";
import { buildStep, warnHalfCache } from "./_step_config.ts";
import type { SyncConfig, SyncDefaults } from "./config_types.ts";

/** What {@link loadSyncConfig} returns. */
export interface LoadedSyncConfig {
  /** The config. */
  config: SyncConfig;
  /** Unknown keys and ignored values, each naming the file and line. */
  warnings: string[];
}

/** Options of {@link loadSyncConfig}. */
export interface LoadSyncConfigOptions {
  /** Named in messages. @default "config" */
  filename?: string | undefined;
  /** Variables for `{{ env "X" }}`. @default {} */
  env?: Record<string, string> | undefined;
  /** Reads a file for `{{ file "/path" }}`. */
  readFile?: ((path: string) => string) | undefined;
}

/**
 * Loads, checks and processes a regsync config.
 *
 * @param text the YAML text
 * @param options file name for messages, env and file reader for templates
 * @returns the processed config and warnings
 * @throws {UsageError} for YAML that does not parse, `version` above 1, a
 *   wrong value type, a missing `source`/`target`, an unknown `type`, a bad
 *   regex, version range, duration, cron line, platform, reference or
 *   template, or a bad host entry: one message naming the file and line
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSyncConfig } from "./config.ts";
 * const { config, warnings } = loadSyncConfig(
 *   "defaults: {parallel: 2, backup: 'old-{{.Ref.Tag}}'}\n" +
 *     "sync:\n  - {source: a.example/x, target: b.example/x, type: repository, colour: red}\n",
 *   { filename: "sync.yml" },
 * );
 * assert.equal(config.sync[0]?.backup, "old-{{.Ref.Tag}}");
 * assert.deepEqual(warnings, ['sync.yml:3: unknown key "colour" ignored']);
 * ```
 */
export function loadSyncConfig(
  text: string,
  options: LoadSyncConfigOptions = {},
): LoadedSyncConfig {
  const file = options.filename ?? "config";
  let doc: unknown;
  try {
    doc = load(text, {
      filename: file,
      schema: CORE_SCHEMA.withTags(mergeTag),
      json: true,
      maxAliases: 1000,
    });
  } catch (err) {
    const detail = err instanceof YAMLException
      ? err.message.split("\n")[0] ?? err.message
      : String(err);
    throw new UsageError(`Cannot parse sync config ${file}: ${detail}`);
  }
  const c = new _Checker(file, text);
  const root = (c.check(doc ?? {}, ROOT, "") ?? {}) as Obj;
  const version = (root.version as number | undefined) ?? 1;
  if (version === 0 ? false : version !== 1) {
    throw c.fail("version", `is ${version}: only version 1 is supported`);
  }
  const render = (tmpl: string, data: unknown, path: string): string => {
    try {
      return parseTemplate(tmpl).execute(data, {
        env: options.env ?? {},
        ...(options.readFile ? { readFile: options.readFile } : {}),
      });
    } catch (err) {
      throw c.fail(path, `has a bad template: ${_detail(err)}`);
    }
  };
  const creds = ((root.creds as Obj[] | undefined) ?? []).map((raw, i) => {
    const path = `creds.${i}`;
    const name = (raw.registry ?? raw.name) as string | undefined;
    if (name === undefined || name === "") throw c.fail(path, `needs "registry" (the host name)`);
    const fields: Obj = { ...raw };
    delete fields.registry;
    delete fields.name;
    for (const k of ["user", "pass", "regcert", "clientCert", "clientKey"]) {
      if (typeof fields[k] === "string") {
        fields[k] = render(fields[k] as string, null, `${path}.${k}`);
      }
    }
    let host: ConfigHost;
    try {
      host = parseConfigHost(fields, "host");
    } catch (err) {
      throw c.fail(path, _detail(err));
    }
    const n = normaliseHostName(render(name, null, `${path}.registry`));
    if (n.name === "" || n.hasPath) {
      throw c.fail(`${path}.registry`, "must be a registry host name without a repository path");
    }
    if (n.tlsDisabled && host.tls === undefined) host.tls = "disabled";
    return { registry: n.name, ...host };
  });
  const d = (root.defaults ?? {}) as Obj;
  const defaults: SyncDefaults = {
    parallel: (d.parallel as number | undefined) ?? 0,
    blobLimit: (d.blobLimit as number | undefined) ?? 0,
    cacheCount: (d.cacheCount as number | undefined) ?? 0,
    cacheTime: d.cacheTime as string | undefined,
    skipDockerConfig: (d.skipDockerConfig as boolean | undefined) ?? false,
    userAgent: d.userAgent as string | undefined,
  };
  if (defaults.parallel < 0) throw c.fail("defaults.parallel", "must not be negative");
  if (defaults.blobLimit < 0) throw c.fail("defaults.blobLimit", "must not be negative");
  warnHalfCache(c, defaults.cacheCount, defaults.cacheTime, (set) => `defaults.${set}`);
  const steps = ((root.sync as Obj[] | undefined) ?? []).map((s, i) =>
    buildStep(c, s, d, i, render)
  );
  return { config: { version: 1, creds, defaults, sync: steps }, warnings: c.warnings };
}
