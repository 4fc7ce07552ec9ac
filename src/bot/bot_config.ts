/**
 * regbot's YAML config: `version`, `creds`, `defaults` and `scripts`, parsed
 * and checked before any script runs. Every problem names its line. YAML
 * anchors, `<<` merges and duplicate keys (the last wins) work as in regbot;
 * unknown keys are ignored, as regbot does.
 *
 * @module
 */
import { constructFromEvents, CORE_SCHEMA, mergeTag, parseEvents, YAMLException } from "js-yaml";
import { UsageError } from "../errors.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import { type ConfigHost, parseConfigHost } from "../config/config_host.ts";
import { compileTiming } from "../schedule/scheduler.ts";
import { lineOfPath, yamlKeyLines } from "../config/yaml_lines.ts";
import { renderFormat } from "../template/template.ts";

/** One script of the config, defaults applied. */
export interface BotScript {
  /** Its name (in logs and errors). */
  name: string;
  /** The Lua source. */
  script: string;
  /** Run every this many milliseconds in `server` (0: not by interval). */
  intervalMs: number;
  /** Cron schedule in `server` ("" for none; beats the interval; `@every 1h` allowed). */
  schedule: string;
  /** Stop the script after this many milliseconds (0: no timeout). */
  timeoutMs: number;
  /** Line of the script's entry in the config. */
  line: number;
}

/** A `creds` entry: a registry name and its host settings. */
export interface BotCred {
  /** Registry name (`registry` or `name` key). */
  registry: string;
  /** Its settings, templates expanded. */
  host: ConfigHost;
}

/** The `defaults` section. */
export interface BotDefaults {
  /** Scripts run at once by `once`, and heavy calls at once (0: one at a time). */
  parallel: number;
  /** Default interval in milliseconds (0: none). */
  intervalMs: number;
  /** Default cron schedule. */
  schedule: string;
  /** Default timeout in milliseconds (0: none). */
  timeoutMs: number;
  /** Do not read docker's credentials and certificates. */
  skipDockerConfig: boolean;
  /** User-Agent ("" for ocictl's). */
  userAgent: string;
  /** regbot's blob size limit (bytes, 0: none). */
  blobLimit: number;
  /** Keep the whole Lua standard library (no sandbox). ocictl's addition. */
  unsafe: boolean;
  /** Memory bound of one script's Lua heap in bytes (0: the default). ocictl's addition. */
  memoryBytes: number;
}

/** A parsed config. */
export interface BotConfig {
  /** Config version (1). */
  version: number;
  /** Registry settings. */
  creds: BotCred[];
  /** Defaults. */
  defaults: BotDefaults;
  /** Scripts, defaults applied. */
  scripts: BotScript[];
  /**
   * Keys that regbot ignores and so does ocictl, each with its line, such
   * as a misspelt `timout` or the `frequency` of older docs. `x-` keys
   * (YAML anchors' homes) are not listed.
   */
  ignored: string[];
}

/** Options of {@link parseBotConfig}. */
export interface ParseBotConfigOptions {
  /** Name of the config in messages. @default "the bot config" */
  source?: string | undefined;
  /** Environment for `{{env "X"}}` in creds. @default {} */
  env?: Record<string, string> | undefined;
  /** File reader for `{{file "path"}}` in creds. */
  readFile?: ((path: string) => string) | undefined;
}

/** `scripts[1].timeout` as the dotted path of {@link yamlKeyLines} (`scripts.1.timeout`). */
function _dotted(path: string): string {
  return path.replace(/\[(\d+)\]/g, ".$1");
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const DEFAULT_KEYS = [
  "interval",
  "schedule",
  "parallel",
  "timeout",
  "skipDockerConfig",
  "userAgent",
  "blobLimit",
  "unsafe",
  "memory",
] as const;
const SCRIPT_KEYS = ["name", "script", "interval", "schedule", "timeout"] as const;

const TEMPLATED = ["user", "pass", "regcert", "clientCert", "clientKey"] as const;

/**
 * Parses and checks a regbot config.
 *
 * @param text the YAML text
 * @param options name for messages, environment and file reader for templates
 * @returns the config, defaults applied to every script
 * @throws {UsageError} for bad YAML or a bad value, naming the line and what to change (exit 2, as regsync's config errors in `ocictl sync`)
 *
 * @example A timeout from the defaults
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBotConfig } from "./bot_config.ts";
 * const c = parseBotConfig(
 *   "version: 1\ndefaults:\n  timeout: 30s\nscripts:\n  - name: a\n    script: log('hi')\n",
 * );
 * assert.equal(c.scripts[0]?.timeoutMs, 30_000);
 * ```
 */
export function parseBotConfig(text: string, options: ParseBotConfigOptions = {}): BotConfig {
  const source = options.source ?? "the bot config";
  let doc: unknown;
  const lines = yamlKeyLines(text);
  try {
    const events = parseEvents(text, {});
    const docs = constructFromEvents(events, {
      source: text,
      json: true,
      schema: CORE_SCHEMA.withTags(mergeTag),
    });
    if (docs.length > 1) {
      throw new UsageError(`Cannot load ${source}: it holds several YAML documents (keep one)`);
    }
    doc = docs[0] ?? {};
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const line = err instanceof YAMLException && err.mark ? ` line ${err.mark.line + 1}:` : "";
    const reason = err instanceof YAMLException ? err.reason : String(err);
    throw new UsageError(`Cannot load ${source}:${line} ${reason} (fix the YAML)`, {
      cause: err,
    });
  }
  const fail = (path: string, what: string): never => {
    const n = lineOfPath(lines, _dotted(path));
    const line = n === undefined ? "" : ` line ${n}:`;
    throw new UsageError(`Cannot load ${source}:${line} ${path || "the document"} ${what}`);
  };
  if (doc === null || doc === undefined) doc = {};
  if (!_isRecord(doc)) fail("", "must be a mapping with version, creds, defaults and scripts");
  const root = doc as Record<string, unknown>;
  const int = (v: unknown, path: string, min = 0): number => {
    if (v === undefined || v === null) return 0;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) {
      return fail(path, `must be a whole number of ${min} or more`);
    }
    return v;
  };
  const str = (v: unknown, path: string): string => {
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") return fail(path, "must be a string");
    return v;
  };
  const bool = (v: unknown, path: string): boolean => {
    if (v === undefined || v === null) return false;
    if (typeof v !== "boolean") return fail(path, "must be true or false");
    return v;
  };
  const dur = (v: unknown, path: string): number => {
    if (v === undefined || v === null) return 0;
    const ms = typeof v === "string" ? parseGoDuration(v) : typeof v === "number" ? v / 1e6 : NaN;
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      return fail(path, `"${String(v)}" is not a duration (use Go syntax such as 90s, 15m or 1h)`);
    }
    return ms;
  };
  const sched = (v: unknown, path: string): string => {
    const s = str(v, path).trim();
    if (s === "") return s;
    try {
      // robfig's "@every <duration>" is an interval spelled as a schedule.
      const every = /^@every\s+(.+)$/.exec(s);
      compileTiming(every ? { interval: every[1] ?? "" } : { schedule: s }, path);
    } catch {
      fail(path, `"${s}" is not a cron schedule (use 5 fields such as "0 3 * * *" or @daily)`);
    }
    return s;
  };
  const version = root.version === undefined || root.version === null
    ? 1
    : int(root.version, "version");
  if (version > 1) fail("version", `${version} is not supported (use version: 1)`);

  const d = root.defaults ?? {};
  if (!_isRecord(d)) fail("defaults", "must be a mapping");
  const dd = d as Record<string, unknown>;
  const defaults: BotDefaults = {
    parallel: int(dd.parallel, "defaults.parallel"),
    intervalMs: dur(dd.interval, "defaults.interval"),
    schedule: sched(dd.schedule, "defaults.schedule"),
    timeoutMs: dur(dd.timeout, "defaults.timeout"),
    skipDockerConfig: bool(dd.skipDockerConfig, "defaults.skipDockerConfig"),
    userAgent: str(dd.userAgent, "defaults.userAgent"),
    blobLimit: int(dd.blobLimit, "defaults.blobLimit"),
    unsafe: bool(dd.unsafe, "defaults.unsafe"),
    memoryBytes: int(dd.memory, "defaults.memory"),
  };

  const credsRaw = root.creds ?? [];
  if (!Array.isArray(credsRaw)) fail("creds", "must be a list of registries");
  const creds: BotCred[] = (credsRaw as unknown[]).map((c, i) => {
    const path = `creds[${i}]`;
    if (!_isRecord(c)) return fail(path, "must be a mapping with registry, user, pass, tls …");
    const registry = str(c.registry ?? c.name, `${path}.registry`);
    if (registry === "") fail(path, "needs a registry name (registry: host[:port])");
    const raw: Record<string, unknown> = { ...c };
    delete raw.registry;
    delete raw.name;
    delete raw.scheme;
    for (const k of TEMPLATED) {
      if (typeof raw[k] !== "string" || !(raw[k] as string).includes("{{")) continue;
      try {
        raw[k] = renderFormat(raw[k] as string, {}, {
          env: options.env ?? {},
          ...(options.readFile ? { readFile: options.readFile } : {}),
        });
      } catch (err) {
        fail(`${path}.${k}`, `has a bad template: ${(err as Error).message}`);
      }
    }
    let host: ConfigHost;
    try {
      host = parseConfigHost(raw, `${path} ("${registry}")`);
    } catch (err) {
      return fail(path, (err as Error).message.replace(/^Cannot read [^:]*: /, ""));
    }
    return { registry, host };
  });

  const scriptsRaw = root.scripts ?? [];
  if (!Array.isArray(scriptsRaw)) fail("scripts", "must be a list of scripts");
  const names = new Set<string>();
  const scripts: BotScript[] = (scriptsRaw as unknown[]).map((s, i) => {
    const path = `scripts[${i}]`;
    if (!_isRecord(s)) return fail(path, "must be a mapping with name and script");
    const name = str(s.name, `${path}.name`);
    if (name === "") fail(path, "needs a name");
    if (names.has(name)) {
      fail(`${path}.name`, `"${name}" is used twice (give each script its own name)`);
    }
    names.add(name);
    const script = str(s.script, `${path}.script`);
    if (script.trim() === "") fail(path, `("${name}") needs a script (Lua source)`);
    let intervalMs = dur(s.interval, `${path}.interval`);
    let schedule = sched(s.schedule, `${path}.schedule`);
    if (schedule === "" && intervalMs === 0) {
      if (defaults.schedule !== "") schedule = defaults.schedule;
      else intervalMs = defaults.intervalMs;
    }
    const timeoutMs = dur(s.timeout, `${path}.timeout`) || defaults.timeoutMs;
    return {
      name,
      script,
      intervalMs,
      schedule,
      timeoutMs,
      line: lines.get(_dotted(path)) ?? 0,
    };
  });
  const ignored: string[] = [];
  const known = (v: unknown, path: string, keys: readonly string[]): void => {
    if (!_isRecord(v)) return;
    for (const k of Object.keys(v)) {
      if (keys.includes(k) || k.startsWith("x-") || k === "<<") continue;
      const p = path === "" ? k : `${path}.${k}`;
      const n = lineOfPath(lines, _dotted(p));
      ignored.push(`${n === undefined ? "" : `line ${n}: `}${p}`);
    }
  };
  known(root, "", ["version", "creds", "defaults", "scripts"]);
  known(dd, "defaults", DEFAULT_KEYS);
  (scriptsRaw as unknown[]).forEach((s, i) => known(s, `scripts[${i}]`, SCRIPT_KEYS));
  return { version, creds, defaults, scripts, ignored };
}
