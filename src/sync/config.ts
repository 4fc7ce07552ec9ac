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
import { parseRef } from "../types/ref.ts";
import type { ReferrerFilter } from "../types/referrer.ts";
import { parsePlatform } from "../types/platform.ts";
import { MediaType } from "../types/media_type.ts";
import { compileTiming } from "../schedule/scheduler.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import { parseTemplate } from "../template/template.ts";
import { lineOfPath, yamlKeyLines } from "../config/yaml_lines.ts";
import { anchoredRegex, compileVersionRange, type TagFilter } from "./tag_filter.ts";

/** The three step types. */
export const SYNC_TYPES = ["registry", "repository", "image"] as const;
/** One of {@link SYNC_TYPES}. */
export type SyncType = typeof SYNC_TYPES[number];

/** Source manifest types copied when `mediaTypes` is not set (regsync's list). */
export const DEFAULT_MEDIA_TYPES: readonly string[] = [
  MediaType.DOCKER_MANIFEST,
  MediaType.DOCKER_MANIFEST_LIST,
  MediaType.OCI_MANIFEST,
  MediaType.OCI_INDEX,
];

/**
 * The wait between rate-limit checks when `ratelimit.retry` is unset (regsync
 * also raises shorter values to it; ocictl keeps them, with a warning).
 */
export const RATELIMIT_RETRY_MIN = "5m";
/** How long a hook may run unless its `timeout` says otherwise. */
export const DEFAULT_HOOK_TIMEOUT = "5m";

/** A `tags` object: regsync's filter plus `keepNewest`. */
export interface StepTags extends TagFilter {
  /** Keep only the newest N selected tags (0 = all). */
  keepNewest: number;
}

/** One hook (`type: exec` runs `params[0]` with the rest as arguments). */
export interface HookSpec {
  /** Only `exec`. */
  type: "exec";
  /** Command and arguments. */
  params: string[];
  /** Go duration after which the command is killed. @default DEFAULT_HOOK_TIMEOUT */
  timeout: string;
}

/** The hooks of a step. */
export interface StepHooks {
  /** Runs before a copy; a failure skips the copy. */
  pre?: HookSpec | undefined;
  /** Runs after a successful copy. */
  post?: HookSpec | undefined;
  /** Runs when the target was already up to date. */
  unchanged?: HookSpec | undefined;
}

/** A step with its defaults merged and templates expanded. */
export interface SyncStep {
  /** Position in `sync` (0-based). */
  index: number;
  /** Line of the step in the file. */
  line: number;
  /** Registry, repository or image reference (by `type`). */
  source: string;
  /** Registry, repository or image reference (by `type`). */
  target: string;
  /** Step type. */
  type: SyncType;
  /** Tag filter. */
  tags: StepTags;
  /** Tag sets (union). */
  tagSets: TagFilter[];
  /** Repository filter for `registry` steps. */
  repos: { allow: string[]; deny: string[] };
  /** Copy one platform. */
  platform?: string | undefined;
  /** Copy these platforms (filtered index). */
  platforms: string[];
  /** Backup tag or reference template. */
  backup?: string | undefined;
  /** Go duration between runs (`server`). */
  interval?: string | undefined;
  /** Cron line (`server`). */
  schedule?: string | undefined;
  /** Source rate-limit floor and wait. */
  ratelimit: { min: number; retry: string };
  /** Copy digest tags. */
  digestTags: boolean;
  /** Copy referrers. */
  referrers: boolean;
  /** Referrer filters (none = all). */
  referrerFilters: ReferrerFilter[];
  /** External referrer source repository. */
  referrerSource?: string | undefined;
  /** External referrer target repository. */
  referrerTarget?: string | undefined;
  /** Accepted for regsync compatibility (ocictl always lists referrers fully). */
  referrerSlow: boolean;
  /** Skip referrer and digest-tag checks of up-to-date images. */
  fastCheck: boolean;
  /** Walk every child even when the target has the manifest. */
  forceRecursive: boolean;
  /** Copy foreign layers. */
  includeExternal: boolean;
  /** Source manifest media types copied. */
  mediaTypes: string[];
  /** Hooks. */
  hooks: StepHooks;
  /** Delete target tags the filters no longer select (`repository`, `registry`). */
  prune: boolean;
  /** This step's own bound on concurrent copies (within the global `defaults.parallel`). */
  parallel?: number | undefined;
}

/** `defaults` as processed. */
export interface SyncDefaults {
  /** Concurrent image copies (0 = 1). */
  parallel: number;
  /** Memory chunk limit (accepted; ocictl streams). */
  blobLimit: number;
  /** Manifest cache entries (accepted). */
  cacheCount: number;
  /** Manifest cache time (accepted). */
  cacheTime?: string | undefined;
  /** Do not read docker's config. */
  skipDockerConfig: boolean;
  /** User-Agent for registry requests. */
  userAgent?: string | undefined;
}

/** A processed config. */
export interface SyncConfig {
  /** Always 1. */
  version: 1;
  /** Registry settings (templates expanded), with their registry names. */
  creds: (ConfigHost & { registry: string })[];
  /** Processed defaults. */
  defaults: SyncDefaults;
  /** Steps. */
  sync: SyncStep[];
}

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

type Kind =
  | "string"
  | "int"
  | "bool"
  | "duration"
  | "cron"
  | "strings"
  | "stringMap"
  | "any"
  | { map: Record<string, Kind> }
  | { list: Kind };

const TAGS: Kind = {
  map: { allow: "strings", deny: "strings", semverRange: "strings", keepNewest: "int" },
};
const HOOK: Kind = { map: { type: "string", params: "strings", timeout: "duration" } };
const COMMON: Record<string, Kind> = {
  backup: "string",
  interval: "duration",
  schedule: "cron",
  ratelimit: { map: { min: "int", retry: "duration" } },
  digestTags: "bool",
  referrers: "bool",
  referrerFilters: { list: { map: { artifactType: "string", annotations: "stringMap" } } },
  referrerSource: "string",
  referrerTarget: "string",
  referrerSlow: "bool",
  fastCheck: "bool",
  fastCopy: "bool",
  forceRecursive: "bool",
  includeExternal: "bool",
  mediaTypes: "strings",
  hooks: { map: { pre: HOOK, post: HOOK, unchanged: HOOK } },
  prune: "bool",
  parallel: "int",
  blobLimit: "int",
  cacheCount: "int",
  cacheTime: "duration",
  skipDockerConfig: "bool",
  userAgent: "string",
};
const CRED: Kind = {
  map: {
    registry: "string",
    name: "string",
    user: "string",
    pass: "string",
    token: "string",
    tls: "string",
    regcert: "string",
    clientCert: "string",
    clientKey: "string",
    hostname: "string",
    pathPrefix: "string",
    mirrors: "strings",
    priority: "int",
    repoAuth: "bool",
    blobChunk: "int",
    blobMax: "int",
    reqPerSec: "any",
    reqConcurrent: "int",
    credHelper: "string",
    credExpire: "duration",
    credHost: "string",
    apiOpts: "stringMap",
  },
};
const STEP: Kind = {
  map: {
    ...COMMON,
    source: "string",
    target: "string",
    type: "string",
    tags: TAGS,
    tagSets: { list: TAGS },
    repos: { map: { allow: "strings", deny: "strings" } },
    platform: "string",
    platforms: "strings",
  },
};
const ROOT: Kind = {
  map: { version: "int", creds: { list: CRED }, defaults: { map: COMMON }, sync: { list: STEP } },
};

type Obj = Record<string, unknown>;

class _Checker {
  warnings: string[] = [];
  #file: string;
  #lines: Map<string, number>;

  constructor(file: string, text: string) {
    this.#file = file;
    this.#lines = yamlKeyLines(text);
  }

  where(path: string): string {
    const line = lineOfPath(this.#lines, path);
    return line === undefined ? this.#file : `${this.#file}:${line}`;
  }

  line(path: string): number {
    return lineOfPath(this.#lines, path) ?? 0;
  }

  fail(path: string, detail: string): UsageError {
    return new UsageError(`Cannot load sync config ${this.where(path)}: ${_key(path)} ${detail}`);
  }

  /** Checks types; drops unknown keys with a warning (and `x-` keys silently). */
  check(value: unknown, kind: Kind, path: string): unknown {
    if (value === null || value === undefined) return undefined;
    if (typeof kind === "object" && "map" in kind) {
      if (typeof value !== "object" || Array.isArray(value)) {
        throw this.fail(path, "must be a mapping");
      }
      const out: Obj = {};
      for (const [k, v] of Object.entries(value as Obj)) {
        const p = path === "" ? k : `${path}.${k}`;
        const sub = kind.map[k];
        if (sub === undefined) {
          if (!k.startsWith("x-")) {
            this.warnings.push(`${this.where(p)}: unknown key "${k}" ignored`);
          }
          continue;
        }
        const checked = this.check(v, sub, p);
        if (checked !== undefined) out[k] = checked;
      }
      return out;
    }
    if (typeof kind === "object") {
      if (!Array.isArray(value)) throw this.fail(path, "must be a list");
      return value.map((v, i) => this.check(v, kind.list, `${path}.${i}`) ?? {});
    }
    switch (kind) {
      case "any":
        return value;
      case "string":
        if (typeof value === "number" || typeof value === "boolean") return String(value);
        if (typeof value !== "string") throw this.fail(path, "must be a string");
        return value;
      case "int":
        if (typeof value !== "number" || !Number.isInteger(value)) {
          throw this.fail(path, "must be a whole number");
        }
        return value;
      case "bool":
        if (typeof value !== "boolean") throw this.fail(path, "must be true or false");
        return value;
      case "strings":
        if (!Array.isArray(value)) throw this.fail(path, "must be a list of strings");
        return value.map((v, i) => {
          if (typeof v === "string") return v;
          if (typeof v === "number" || typeof v === "boolean") return String(v);
          throw this.fail(`${path}.${i}`, "must be a string");
        });
      case "stringMap": {
        if (typeof value !== "object" || Array.isArray(value)) {
          throw this.fail(path, "must be a mapping of strings");
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value as Obj)) {
          if (typeof v === "object" && v !== null) {
            throw this.fail(`${path}.${k}`, "must be a string");
          }
          out[k] = String(v ?? "");
        }
        return out;
      }
      case "duration": {
        const text = typeof value === "number" && value === 0 ? "0" : value;
        if (typeof text !== "string" || parseGoDuration(text) === undefined) {
          throw this.fail(
            path,
            `must be a Go duration such as 90m or 6h, not ${JSON.stringify(value)}`,
          );
        }
        return text;
      }
      case "cron":
        if (typeof value !== "string") throw this.fail(path, "must be a cron line");
        try {
          compileTiming({ schedule: value }, "x");
        } catch (err) {
          throw this.fail(path, _detail(err));
        }
        return value;
    }
  }
}

function _key(path: string): string {
  return `"${path.replace(/\.(\d+)(?=\.|$)/g, "[$1]")}"`;
}

function _detail(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^Cannot [^:]*: /, "");
}

function _tags(raw: unknown): StepTags {
  const o = (raw ?? {}) as Obj;
  return {
    allow: (o.allow as string[] | undefined) ?? [],
    deny: (o.deny as string[] | undefined) ?? [],
    semverRange: (o.semverRange as string[] | undefined) ?? [],
    keepNewest: (o.keepNewest as number | undefined) ?? 0,
  };
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
  const steps = ((root.sync as Obj[] | undefined) ?? []).map((s, i) => _step(c, s, d, i, render));
  return { config: { version: 1, creds, defaults, sync: steps }, warnings: c.warnings };
}

function _bool(s: Obj, d: Obj, key: string, alias?: string): boolean {
  const v = s[key] ?? (alias ? s[alias] : undefined) ?? d[key] ?? (alias ? d[alias] : undefined);
  return v === true;
}

function _retry(c: _Checker, value: string | undefined, path: string): string {
  if (value === undefined || (parseGoDuration(value) ?? 0) <= 0) return RATELIMIT_RETRY_MIN;
  if ((parseGoDuration(value) ?? 0) < (parseGoDuration(RATELIMIT_RETRY_MIN) ?? 0)) {
    c.warnings.push(
      `${
        c.where(path)
      }: ratelimit retry "${value}" is shorter than regsync's floor of ${RATELIMIT_RETRY_MIN}; ocictl waits ${value}`,
    );
  }
  return value;
}

function _step(
  c: _Checker,
  s: Obj,
  d: Obj,
  index: number,
  render: (tmpl: string, data: unknown, path: string) => string,
): SyncStep {
  const path = `sync.${index}`;
  const type = s.type as string | undefined;
  if (type === undefined) throw c.fail(`${path}`, `needs "type" (registry, repository or image)`);
  if (!(SYNC_TYPES as readonly string[]).includes(type)) {
    throw c.fail(`${path}.type`, `is "${type}": use registry, repository or image`);
  }
  for (const k of ["source", "target"]) {
    if (typeof s[k] !== "string" || s[k] === "") throw c.fail(path, `needs "${k}"`);
  }
  const dr = (d.ratelimit ?? {}) as Obj;
  const sr = (s.ratelimit ?? {}) as Obj;
  const hooksRaw = { ...((d.hooks ?? {}) as Obj), ...((s.hooks ?? {}) as Obj) };
  const hooks: StepHooks = {};
  for (const name of ["pre", "post", "unchanged"] as const) {
    const h = hooksRaw[name] as Obj | undefined;
    if (h === undefined) continue;
    const where = s.hooks && (s.hooks as Obj)[name]
      ? `${path}.hooks.${name}`
      : `defaults.hooks.${name}`;
    if (h.type !== "exec") {
      throw c.fail(
        `${where}.type`,
        `is ${JSON.stringify(h.type ?? "")}: the only hook type is "exec"`,
      );
    }
    const params = (h.params as string[] | undefined) ?? [];
    if (params.length === 0) throw c.fail(`${where}.params`, "must name the command to run");
    hooks[name] = {
      type: "exec",
      params,
      timeout: (h.timeout as string | undefined) ?? DEFAULT_HOOK_TIMEOUT,
    };
  }
  const interval = s.schedule === undefined && s.interval === undefined
    ? (d.schedule === undefined ? d.interval as string | undefined : undefined)
    : s.interval as string | undefined;
  const schedule = s.schedule === undefined && s.interval === undefined
    ? d.schedule as string | undefined
    : s.schedule as string | undefined;
  const step: SyncStep = {
    index,
    line: c.line(path),
    source: s.source as string,
    target: s.target as string,
    type: type as SyncType,
    tags: _tags(s.tags),
    tagSets: ((s.tagSets as Obj[] | undefined) ?? []).map(_tags).map((
      { allow, deny, semverRange },
    ) => ({
      allow,
      deny,
      semverRange,
    })),
    repos: {
      allow: (((s.repos ?? {}) as Obj).allow as string[] | undefined) ?? [],
      deny: (((s.repos ?? {}) as Obj).deny as string[] | undefined) ?? [],
    },
    platform: s.platform as string | undefined,
    platforms: (s.platforms as string[] | undefined) ?? [],
    backup: (s.backup ?? d.backup) as string | undefined,
    interval,
    schedule,
    ratelimit: {
      min: ((sr.min ?? dr.min) as number | undefined) ?? 0,
      retry: _retry(
        c,
        (sr.retry ?? dr.retry) as string | undefined,
        sr.retry !== undefined ? `${path}.ratelimit.retry` : "defaults.ratelimit.retry",
      ),
    },
    digestTags: _bool(s, d, "digestTags"),
    referrers: _bool(s, d, "referrers"),
    referrerFilters: ((s.referrerFilters ?? d.referrerFilters) as ReferrerFilter[] | undefined) ??
      [],
    referrerSource: (s.referrerSource ?? d.referrerSource) as string | undefined,
    referrerTarget: (s.referrerTarget ?? d.referrerTarget) as string | undefined,
    referrerSlow: _bool(s, d, "referrerSlow"),
    fastCheck: _bool(s, d, "fastCheck", "fastCopy"),
    forceRecursive: _bool(s, d, "forceRecursive"),
    includeExternal: _bool(s, d, "includeExternal"),
    mediaTypes: ((s.mediaTypes ?? d.mediaTypes) as string[] | undefined) ??
      [...DEFAULT_MEDIA_TYPES],
    hooks,
    prune: _bool(s, d, "prune"),
    parallel: s.parallel as number | undefined,
  };
  for (const k of ["blobLimit", "cacheCount", "cacheTime", "skipDockerConfig", "userAgent"]) {
    if (s[k] !== undefined) {
      c.warnings.push(
        `${c.where(`${path}.${k}`)}: "${k}" only takes effect in defaults; ignored here`,
      );
    }
  }
  if (step.parallel !== undefined && step.parallel < 1) {
    throw c.fail(`${path}.parallel`, "must be 1 or more");
  }
  if (step.mediaTypes.length === 0) step.mediaTypes = [...DEFAULT_MEDIA_TYPES];
  // Templates, in regsync's order, each seeing the values expanded so far.
  const data = { Sync: goStep(step) };
  step.source = render(step.source, data, `${path}.source`).trim();
  data.Sync = goStep(step);
  if (step.referrerSource !== undefined) {
    step.referrerSource = render(step.referrerSource, data, `${path}.referrerSource`).trim();
    data.Sync = goStep(step);
  }
  step.target = render(step.target, data, `${path}.target`).trim();
  data.Sync = goStep(step);
  if (step.referrerTarget !== undefined) {
    step.referrerTarget = render(step.referrerTarget, data, `${path}.referrerTarget`).trim();
  }
  _validateStep(c, step, path, s);
  return step;
}

function _validateStep(c: _Checker, step: SyncStep, path: string, raw: Obj): void {
  const refPath = (k: string) => (raw[k] !== undefined ? `${path}.${k}` : path);
  for (const k of ["source", "target"] as const) {
    const value = step[k];
    try {
      if (step.type === "registry") {
        if (value.includes("://")) parseRef(value);
        else parseRef(`${value}/x`);
      } else parseRef(value);
    } catch (err) {
      throw c.fail(`${path}.${k}`, `is not a ${step.type} reference: ${_detail(err)}`);
    }
  }
  for (const k of ["referrerSource", "referrerTarget"] as const) {
    const v = step[k];
    if (v === undefined || v === "") continue;
    try {
      parseRef(v);
    } catch (err) {
      throw c.fail(refPath(k), `is not a repository reference: ${_detail(err)}`);
    }
  }
  const sets = [step.tags, ...step.tagSets];
  sets.forEach((set, i) => {
    const where = i === 0 ? `${path}.tags` : `${path}.tagSets.${i - 1}`;
    set.allow.forEach((r, j) => _regex(c, r, `${where}.allow.${j}`));
    set.deny.forEach((r, j) => _regex(c, r, `${where}.deny.${j}`));
    set.semverRange.forEach((r, j) => {
      try {
        compileVersionRange(r);
      } catch (err) {
        throw c.fail(`${where}.semverRange.${j}`, _detail(err));
      }
    });
  });
  if (step.tags.keepNewest < 0) throw c.fail(`${path}.tags.keepNewest`, "must not be negative");
  step.repos.allow.forEach((r, j) => _regex(c, r, `${path}.repos.allow.${j}`));
  step.repos.deny.forEach((r, j) => _regex(c, r, `${path}.repos.deny.${j}`));
  const plats = step.platform === undefined ? step.platforms : [step.platform, ...step.platforms];
  for (const p of plats) {
    try {
      parsePlatform(p);
    } catch (err) {
      throw c.fail(`${path}.${step.platform === p ? "platform" : "platforms"}`, _detail(err));
    }
  }
  if (step.platform !== undefined && step.platforms.length > 0) {
    throw c.fail(`${path}.platforms`, `cannot be used with "platform" (choose one)`);
  }
  if (step.backup !== undefined) {
    try {
      parseTemplate(step.backup);
    } catch (err) {
      throw c.fail(
        raw.backup !== undefined ? `${path}.backup` : "defaults.backup",
        `has a bad template: ${_detail(err)}`,
      );
    }
  }
  if (step.prune && step.type === "image") {
    // A default applies to the steps it can; set on an image step it is a mistake.
    if (raw.prune === true) {
      throw c.fail(`${path}.prune`, "works on repository and registry steps only");
    }
    step.prune = false;
  }
  if (step.ratelimit.min < 0) throw c.fail(`${path}.ratelimit.min`, "must not be negative");
}

function _regex(c: _Checker, re: string, path: string): void {
  try {
    anchoredRegex(re, "a");
  } catch (err) {
    throw c.fail(path, _detail(err));
  }
}

/**
 * The step as Go templates see it (`.Sync.Source`, `.Step.Target`, …:
 * regsync's field names).
 *
 * @param step a step
 * @returns an object with Go-named fields
 */
export function goStep(step: SyncStep): Record<string, unknown> {
  return {
    Source: step.source,
    Target: step.target,
    Type: step.type,
    Tags: { Allow: step.tags.allow, Deny: step.tags.deny, SemverRange: step.tags.semverRange },
    Repos: { Allow: step.repos.allow, Deny: step.repos.deny },
    Platform: step.platform ?? "",
    Platforms: step.platforms,
    Backup: step.backup ?? "",
    Interval: step.interval ?? "",
    Schedule: step.schedule ?? "",
    ReferrerSrc: step.referrerSource ?? "",
    ReferrerTgt: step.referrerTarget ?? "",
    DigestTags: step.digestTags,
    Referrers: step.referrers,
    FastCheck: step.fastCheck,
    ForceRecursive: step.forceRecursive,
    IncludeExternal: step.includeExternal,
    MediaTypes: step.mediaTypes,
  };
}
