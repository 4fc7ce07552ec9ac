/**
 * The steps of `image mod`: one per flag, in command-line order, parsed from
 * the flag values with regctl's rules. Bad values are usage errors, found
 * before anything is read or written.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Platform } from "../types/descriptor.ts";
import { parseDigest } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";
import { parsePlatform } from "../types/platform.ts";
import { parseRef, type Ref } from "../types/ref.ts";
import { parseTimeOption, timeMaxOption, type TimeOption } from "./time_option.ts";

/** A compression a layer can be rewritten to. */
export type LayerCompression = "gzip" | "zstd" | "none";

/** Where a `--layer-add` layer comes from. */
export interface LayerAddSource {
  /** A tar file, or a directory packed as a tar. */
  kind: "tar" | "dir";
  /** The path given. */
  path: string;
}

/** One modification step. `platforms` empty: every image. */
export type ModStep =
  | {
    kind: "annotation";
    platforms: Platform[];
    name: string;
    value: string;
    /** No `[…]` prefix: only the top manifest (regctl's documented rule). */
    topOnly?: boolean;
  }
  | { kind: "annotation-base"; base: Ref; digest: string }
  | { kind: "annotation-promote" }
  | { kind: "label-to-annotation" }
  | { kind: "to-docker" }
  | { kind: "to-oci" }
  | { kind: "to-oci-referrers" }
  | { kind: "external-urls-rm" }
  | { kind: "data-max"; size: number }
  | { kind: "digest-algo"; algorithm: "sha256" | "sha512" }
  | { kind: "layer-rm-index"; index: number }
  | { kind: "layer-rm-created-by"; pattern: RegExp }
  | {
    kind: "layer-add";
    source: LayerAddSource;
    mediaType: string | undefined;
    platforms: Platform[];
  }
  | { kind: "rebase" }
  | { kind: "rebase-ref"; oldBase: Ref; newBase: Ref }
  | { kind: "label"; platforms: Platform[]; name: string; value: string }
  | { kind: "env"; platforms: Platform[]; name: string; value: string }
  | { kind: "user"; platforms: Platform[]; value: string }
  | { kind: "workdir"; platforms: Platform[]; value: string }
  | { kind: "author"; value: string }
  | { kind: "cmd"; value: string[] }
  | { kind: "entrypoint"; value: string[] }
  | { kind: "expose-add" | "expose-rm" | "volume-add" | "volume-rm"; value: string }
  | { kind: "config-platform"; platform: Platform }
  | { kind: "buildarg-rm"; arg: string; pattern: string }
  | { kind: "config-time"; time: TimeOption }
  | { kind: "layer-time"; time: TimeOption }
  | { kind: "file-tar-time"; filename: string; time: TimeOption }
  | { kind: "layer-strip-file"; path: string }
  | { kind: "reproducible" }
  | { kind: "layer-compress"; compression: LayerCompression };

const LAYER_ADD_TYPES: readonly string[] = [
  MediaType.OCI_LAYER,
  MediaType.OCI_LAYER_GZIP,
  MediaType.OCI_LAYER_ZSTD,
  MediaType.DOCKER_LAYER,
  MediaType.DOCKER_LAYER_GZIP,
  MediaType.DOCKER_LAYER_ZSTD,
];

/**
 * Splits a `[p1,p2]rest` platform prefix (regctl's syntax; `[*]` or no
 * prefix: every image).
 *
 * @param value the flag value
 * @param flag the flag, for messages
 * @returns the platforms (empty: all) and the rest
 * @throws {UsageError} for a platform that does not parse
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitPlatformPrefix } from "./mod_step.ts";
 * const r = splitPlatformPrefix("[linux/arm64]a=b", "--label");
 * assert.equal(r.rest, "a=b");
 * assert.equal(r.platforms[0]?.architecture, "arm64");
 * ```
 */
export function splitPlatformPrefix(
  value: string,
  flag: string,
): { platforms: Platform[]; rest: string } {
  const s = value.trim();
  const end = s.indexOf("]");
  if (s.length < 2 || s[0] !== "[" || end <= 0) return { platforms: [], rest: s };
  const platforms: Platform[] = [];
  for (const raw of s.slice(1, end).split(",")) {
    const entry = raw.trim();
    if (entry === "*") continue;
    try {
      platforms.push(parsePlatform(entry));
    } catch (err) {
      throw new UsageError(
        `Cannot use "${entry}" as a platform in ${flag}: expected os/arch[/variant] or *`,
        { cause: err },
      );
    }
  }
  return { platforms, rest: s.slice(end + 1) };
}

function _nameValue(rest: string): { name: string; value: string } {
  const eq = rest.indexOf("=");
  return eq < 0
    ? { name: rest, value: "" }
    : { name: rest.slice(0, eq), value: rest.slice(eq + 1) };
}

function _command(value: string): string[] {
  if (value === "") return [];
  try {
    const v: unknown = JSON.parse(value);
    if (Array.isArray(v) && v.every((e) => typeof e === "string")) return v as string[];
  } catch {
    // not JSON: a shell command
  }
  return ["/bin/sh", "-c", value];
}

function _regex(value: string, flag: string): RegExp {
  try {
    return new RegExp(value);
  } catch (err) {
    throw new UsageError(`Cannot use "${value}" as ${flag}: not a valid regular expression`, {
      cause: err,
    });
  }
}

function _keyValues(value: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`Cannot use "${part}" in ${flag}: expected key=value pairs`);
    }
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function _layerAdd(value: string): ModStep {
  const kv = _keyValues(value, "--layer-add");
  for (const key of Object.keys(kv)) {
    if (!["tar", "dir", "platform", "mediaType"].includes(key)) {
      throw new UsageError(
        `Cannot use "${key}" in --layer-add: expected tar=FILE or dir=PATH, with platform= and mediaType=`,
      );
    }
  }
  if (kv.tar !== undefined && kv.dir !== undefined) {
    throw new UsageError(`Cannot use both tar= and dir= in one --layer-add: give one of them`);
  }
  const source: LayerAddSource | undefined = kv.tar !== undefined
    ? { kind: "tar", path: kv.tar }
    : kv.dir !== undefined
    ? { kind: "dir", path: kv.dir }
    : undefined;
  if (source === undefined || source.path === "") {
    throw new UsageError(`Cannot use "${value}" as --layer-add: give tar=FILE or dir=PATH`);
  }
  const mediaType = kv.mediaType;
  if (mediaType !== undefined && !LAYER_ADD_TYPES.includes(mediaType)) {
    throw new UsageError(
      `Cannot use "${mediaType}" as the --layer-add media type: use one of ${
        LAYER_ADD_TYPES.join(", ")
      }`,
    );
  }
  const platforms: Platform[] = [];
  if (kv.platform !== undefined) {
    try {
      platforms.push(parsePlatform(kv.platform));
    } catch (err) {
      throw new UsageError(
        `Cannot use "${kv.platform}" as the --layer-add platform: expected os/arch[/variant]`,
        { cause: err },
      );
    }
  }
  return { kind: "layer-add", source, mediaType, platforms };
}

function _ref(value: string, what: string): Ref {
  try {
    return parseRef(value);
  } catch (err) {
    throw new UsageError(`Cannot use "${value}" as ${what}: not an image reference`, {
      cause: err,
    });
  }
}

function _annotationBase(value: string): ModStep {
  const comma = value.indexOf(",");
  if (comma < 0) {
    const r = _ref(value, "--annotation-base");
    if (r.tag === "" || r.digest === "") {
      throw new UsageError(
        `Cannot use "${value}" as --annotation-base: give the base image and its digest (image:tag,sha256:…)`,
      );
    }
    return { kind: "annotation-base", base: { ...r, digest: "" }, digest: r.digest };
  }
  const base = _ref(value.slice(0, comma), "--annotation-base");
  let digest: string;
  try {
    digest = parseDigest(value.slice(comma + 1)).value;
  } catch (err) {
    throw new UsageError(
      `Cannot use "${
        value.slice(comma + 1)
      }" as the --annotation-base digest: expected sha256:<hex>`,
      { cause: err },
    );
  }
  return { kind: "annotation-base", base, digest };
}

function _count(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`Cannot use "${value}" as ${flag}: expected a non-negative integer`);
  }
  return Number(value);
}

/**
 * Turns one flag and its value into the steps it adds (`--time` adds two).
 * Switches (`--rebase`, `--to-oci`, …) take no value.
 *
 * @param flag the flag name without dashes (`label`)
 * @param value the value (ignored for switches)
 * @returns the steps, in order
 * @throws {UsageError} for a bad value or an unknown flag
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseModFlag } from "./mod_step.ts";
 * assert.deepEqual(parseModFlag("config-cmd", "echo hi"), [
 *   { kind: "cmd", value: ["/bin/sh", "-c", "echo hi"] },
 * ]);
 * ```
 */
export function parseModFlag(flag: string, value = ""): ModStep[] {
  const f = `--${flag}`;
  switch (flag) {
    case "annotation":
    case "label":
    case "env": {
      const { platforms, rest } = splitPlatformPrefix(value, f);
      const { name, value: v } = _nameValue(rest);
      if (name === "") throw new UsageError(`Cannot use "${value}" as ${f}: expected name=value`);
      if (flag === "annotation" && !value.trim().startsWith("[")) {
        // regctl documents "no prefix: the top manifest"; its code annotates every manifest (a bug)
        return [{ kind: flag, platforms, name, value: v, topOnly: true }];
      }
      return [{ kind: flag, platforms, name, value: v }];
    }
    case "user":
    case "workdir": {
      const { platforms, rest } = splitPlatformPrefix(value, f);
      return [{ kind: flag, platforms, value: rest }];
    }
    case "annotation-base":
      return [_annotationBase(value)];
    case "annotation-promote":
    case "label-to-annotation":
    case "to-docker":
    case "to-oci":
    case "to-oci-referrers":
    case "external-urls-rm":
    case "rebase":
    case "reproducible":
      return [{ kind: flag }];
    case "author":
      return [{ kind: "author", value }];
    case "buildarg-rm":
    case "buildarg-rm-regex": {
      const eq = value.indexOf("=");
      if (eq < 0) throw new UsageError(`Cannot use "${value}" as ${f}: expected name=value`);
      const v = value.slice(eq + 1);
      const pattern = flag === "buildarg-rm" ? v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") : v;
      _regex(pattern, f);
      return [{ kind: "buildarg-rm", arg: value.slice(0, eq), pattern }];
    }
    case "config-cmd":
      return [{ kind: "cmd", value: _command(value) }];
    case "config-entrypoint":
      return [{ kind: "entrypoint", value: _command(value) }];
    case "config-platform":
      try {
        return [{ kind: "config-platform", platform: parsePlatform(value) }];
      } catch (err) {
        throw new UsageError(`Cannot use "${value}" as ${f}: expected os/arch[/variant]`, {
          cause: err,
        });
      }
    case "config-time":
    case "layer-time":
      return [{ kind: flag, time: parseTimeOption(value, f).option }];
    case "time": {
      const time = parseTimeOption(value, f).option;
      return [{ kind: "config-time", time }, { kind: "layer-time", time }];
    }
    case "config-time-max":
      return [{ kind: "config-time", time: timeMaxOption(value, f) }];
    case "layer-time-max":
      return [{ kind: "layer-time", time: timeMaxOption(value, f) }];
    case "time-max": {
      const time = timeMaxOption(value, f);
      return [{ kind: "config-time", time }, { kind: "layer-time", time }];
    }
    case "file-tar-time": {
      const { option, extra } = parseTimeOption(value, f, ["filename"]);
      if ((extra.filename ?? "") === "") {
        throw new UsageError(`Cannot use "${value}" as ${f}: give the tar file with filename=PATH`);
      }
      return [{
        kind: "file-tar-time",
        filename: extra.filename!.replace(/^\//, ""),
        time: option,
      }];
    }
    case "file-tar-time-max": {
      const comma = value.indexOf(",");
      if (comma < 0) throw new UsageError(`Cannot use "${value}" as ${f}: expected PATH,TIME`);
      return [{
        kind: "file-tar-time",
        filename: value.slice(0, comma).replace(/^\//, ""),
        time: timeMaxOption(value.slice(comma + 1), f),
      }];
    }
    case "data-max":
      if (!/^-?\d+$/.test(value)) {
        throw new UsageError(`Cannot use "${value}" as ${f}: expected a size in bytes`);
      }
      return [{ kind: "data-max", size: Number(value) }];
    case "digest-algo":
      if (value !== "sha256" && value !== "sha512") {
        throw new UsageError(`Cannot use "${value}" as ${f}: use sha256 or sha512`);
      }
      return [{ kind: "digest-algo", algorithm: value }];
    case "expose-add":
    case "expose-rm":
    case "volume-add":
    case "volume-rm":
      return [{ kind: flag, value }];
    case "layer-add":
      return [_layerAdd(value)];
    case "layer-compress":
      if (value !== "gzip" && value !== "zstd" && value !== "none") {
        throw new UsageError(`Cannot use "${value}" as ${f}: use gzip, zstd or none`);
      }
      return [{ kind: "layer-compress", compression: value }];
    case "layer-rm-created-by":
      return [{ kind: "layer-rm-created-by", pattern: _regex(value, f) }];
    case "layer-rm-index":
      return [{ kind: "layer-rm-index", index: _count(value, f) }];
    case "layer-strip-file": {
      const path = value.replace(/^\/+|\/+$/g, "");
      if (path === "") throw new UsageError(`Cannot use "${value}" as ${f}: give a path to remove`);
      return [{ kind: "layer-strip-file", path }];
    }
    case "rebase-ref": {
      const comma = value.indexOf(",");
      if (comma < 0) {
        throw new UsageError(
          `Cannot use "${value}" as ${f}: give the old and the new base image, comma separated`,
        );
      }
      return [{
        kind: "rebase-ref",
        oldBase: _ref(value.slice(0, comma), `${f} (old base)`),
        newBase: _ref(value.slice(comma + 1), `${f} (new base)`),
      }];
    }
    default:
      throw new UsageError(`Cannot use --${flag}: not an image mod flag (see --help)`);
  }
}
