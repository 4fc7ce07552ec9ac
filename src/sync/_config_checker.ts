/**
 * The schema of regsync's YAML (every key and its value kind) and the
 * checker that walks a parsed document against it: wrong value types fail
 * with the file, line and key; unknown keys become warnings; `x-` keys are
 * dropped silently.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { compileTiming } from "../schedule/scheduler.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import { lineOfPath, yamlKeyLines } from "../config/yaml_lines.ts";

/** The kind of value a key takes. */
export type Kind =
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
/** The whole document. */
export const ROOT: Kind = {
  map: { version: "int", creds: { list: CRED }, defaults: { map: COMMON }, sync: { list: STEP } },
};

/** A mapping as parsed. */
export type Obj = Record<string, unknown>;

/** Checks a parsed document against {@link ROOT}, collecting warnings. */
export class _Checker {
  /** Unknown keys and ignored values, each naming the file and line. */
  warnings: string[] = [];
  #file: string;
  #lines: Map<string, number>;

  /**
   * Creates a checker for one file.
   *
   * @param file named in messages
   * @param text the YAML text (for key lines)
   */
  constructor(file: string, text: string) {
    this.#file = file;
    this.#lines = yamlKeyLines(text);
  }

  /**
   * Where a key is, as `file:line`.
   *
   * @param path dotted key path
   * @returns the location
   */
  where(path: string): string {
    const line = lineOfPath(this.#lines, path);
    return line === undefined ? this.#file : `${this.#file}:${line}`;
  }

  /**
   * The line of a key.
   *
   * @param path dotted key path
   * @returns the line, 0 when unknown
   */
  line(path: string): number {
    return lineOfPath(this.#lines, path) ?? 0;
  }

  /**
   * The usage error for a bad value.
   *
   * @param path dotted key path
   * @param detail what is wrong
   * @returns the error (to throw)
   */
  fail(path: string, detail: string): UsageError {
    return new UsageError(`Cannot load sync config ${this.where(path)}: ${_key(path)} ${detail}`);
  }

  /**
   * Checks types; drops unknown keys with a warning (and `x-` keys silently).
   *
   * @param value the parsed value
   * @param kind what it must be
   * @param path dotted key path
   * @returns the checked value
   * @throws {UsageError} for a wrong type
   */
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

/**
 * The detail of an error message (its "Cannot …: " prefix dropped).
 *
 * @param err any error
 * @returns the detail
 */
export function _detail(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^Cannot [^:]*: /, "");
}
