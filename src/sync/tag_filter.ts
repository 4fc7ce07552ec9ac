/**
 * regsync's tag and repository filters: anchored allow/deny regexes, version
 * ranges over tags (`>=1.2 <2`, `^1.4`, `~2.1`; a `v` prefix, one to many
 * numeric parts and any `-suffix` are accepted, and a suffixed tag sorts just
 * before its plain version, so `v2.0.0-alpine` is inside `<2.0.0`), tag sets
 * joined as a union in the order regsync applies them, and `keepNewest`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** One `tags` object of a step (or one entry of `tagSets`). */
export interface TagFilter {
  /** Anchored regexes; a tag must match one (none = all). */
  allow: string[];
  /** Anchored regexes; a tag matching one is dropped. */
  deny: string[];
  /** Version ranges, OR-combined; space-separated parts are ANDed. */
  semverRange: string[];
}

/** A tag read as a version. */
export interface TagVersion {
  /** Numeric parts (`1.2.3` → [1, 2, 3]). */
  parts: number[];
  /** Text after the first `-` (before any `+`), or "". */
  suffix: string;
}

/**
 * Reads a tag as a version: optional `v`, dot-separated numbers, optional
 * `-suffix` and `+metadata`.
 *
 * @param tag the tag
 * @returns the version, or undefined when the tag is not one
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTagVersion } from "./tag_filter.ts";
 * assert.deepEqual(parseTagVersion("v1.5-alpine"), { parts: [1, 5], suffix: "alpine" });
 * assert.equal(parseTagVersion("latest"), undefined);
 * ```
 */
export function parseTagVersion(tag: string): TagVersion | undefined {
  let v = tag.startsWith("v") ? tag.slice(1) : tag;
  const plus = v.indexOf("+");
  if (plus >= 0) v = v.slice(0, plus);
  const dash = v.indexOf("-");
  const suffix = dash >= 0 ? v.slice(dash + 1) : "";
  const core = dash >= 0 ? v.slice(0, dash) : v;
  const parts = core.split(".");
  if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
  return { parts: parts.map(Number), suffix };
}

function _compareSuffix(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < as.length && i < bs.length; i++) {
    let x = as[i] ?? "";
    let y = bs[i] ?? "";
    while (x !== "" && y !== "") {
      const mx = /^(\D*)(\d*)(.*)$/s.exec(x) ?? ["", x, "", ""];
      const my = /^(\D*)(\d*)(.*)$/s.exec(y) ?? ["", y, "", ""];
      const [, hx = "", nx = "", tx = ""] = mx;
      const [, hy = "", ny = "", ty = ""] = my;
      if (hx !== hy) return hx < hy ? -1 : 1;
      if (nx === "" || ny === "") {
        if (nx === ny) return 0;
        return nx === "" ? 1 : -1;
      }
      if (Number(nx) !== Number(ny)) return Number(nx) < Number(ny) ? -1 : 1;
      x = tx;
      y = ty;
    }
    if (x !== "") return 1;
    if (y !== "") return -1;
  }
  return Math.sign(as.length - bs.length);
}

/**
 * Orders two versions: numeric parts (missing parts are 0), then a suffixed
 * version before the plain one, then suffixes part by part.
 *
 * @param a a version
 * @param b another version
 * @returns -1, 0 or 1
 */
export function compareTagVersions(a: TagVersion, b: TagVersion): number {
  const n = Math.max(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) {
    const x = a.parts[i] ?? 0;
    const y = b.parts[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (a.suffix === b.suffix) return 0;
  if (a.suffix === "") return 1;
  if (b.suffix === "") return -1;
  return _compareSuffix(a.suffix, b.suffix);
}

/** A compiled version range: tells whether a version is inside. */
export type VersionCheck = (v: TagVersion) => boolean;

/**
 * Compiles one version range (space-separated constraints, all must hold).
 *
 * @param range such as `>=1.2.0 <2`, `^1.4`, `~2.1`, `=3`
 * @returns a test for versions
 * @throws {UsageError} for an empty range or a constraint without a version
 */
export function compileVersionRange(range: string): VersionCheck {
  const checks: VersionCheck[] = [];
  const fail = (detail: string) =>
    new UsageError(`Cannot use semverRange "${range}": ${detail} (write e.g. ">=1.2.0 <2")`);
  for (const part of range.trim().split(/\s+/).filter((p) => p !== "")) {
    const m = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(part);
    const op = m?.[1] ?? "=";
    const v = parseTagVersion(m?.[2] ?? "");
    if (v === undefined) throw fail(`"${part}" has no version`);
    const [major = 0, minor = 0, patch = 0] = v.parts;
    if (op === "^" || op === "~") {
      const upper: TagVersion = op === "~"
        ? { parts: [major, minor + 1, 0], suffix: "" }
        : major > 0
        ? { parts: [major + 1, 0, 0], suffix: "" }
        : minor > 0
        ? { parts: [0, minor + 1, 0], suffix: "" }
        : { parts: [0, 0, patch + 1], suffix: "" };
      checks.push((x) => compareTagVersions(x, v) >= 0 && compareTagVersions(x, upper) < 0);
      continue;
    }
    const test: Record<string, (c: number) => boolean> = {
      "=": (c) => c === 0,
      ">": (c) => c > 0,
      ">=": (c) => c >= 0,
      "<": (c) => c < 0,
      "<=": (c) => c <= 0,
    };
    const t = test[op];
    if (t === undefined) throw fail(`unknown operator in "${part}"`);
    checks.push((x) => t(compareTagVersions(x, v)));
  }
  if (checks.length === 0) throw fail("it is empty");
  return (x) => checks.every((c) => c(x));
}

/**
 * Compiles an anchored regex as regsync does (`^(?:re)$`).
 *
 * @param re the pattern
 * @param what names the key in the error
 * @returns the regex
 * @throws {UsageError} for a pattern that does not compile
 */
export function anchoredRegex(re: string, what: string): RegExp {
  try {
    return new RegExp(`^(?:${re})$`);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new UsageError(`Cannot use ${what} regex "${re}": ${detail}`);
  }
}

/**
 * Applies allow then deny regexes.
 *
 * @param items names
 * @param allow anchored allow patterns (none = all)
 * @param deny anchored deny patterns
 * @returns the names kept, in input order
 * @throws {UsageError} for a bad pattern
 */
export function filterAllowDeny(
  items: readonly string[],
  allow: readonly string[],
  deny: readonly string[],
): string[] {
  const a = allow.map((r) => anchoredRegex(r, "allow"));
  const d = deny.map((r) => anchoredRegex(r, "deny"));
  return items.filter((t) =>
    (a.length === 0 || a.some((r) => r.test(t))) && !d.some((r) => r.test(t))
  );
}

/**
 * Applies one tag filter: version ranges (dropping tags that are not
 * versions), then allow, then deny.
 *
 * @param tags source tags
 * @param filter the filter
 * @returns the tags kept, in input order
 * @throws {UsageError} for a bad regex or range
 */
export function filterTags(tags: readonly string[], filter: TagFilter): string[] {
  let out = [...tags];
  if (filter.semverRange.length > 0) {
    const ranges = filter.semverRange.map(compileVersionRange);
    out = out.filter((t) => {
      const v = parseTagVersion(t);
      return v !== undefined && ranges.some((r) => r(v));
    });
  }
  return filterAllowDeny(out, filter.allow, filter.deny);
}

/**
 * Selects tags as regsync does: the union of every tag set (and `tags` as one
 * more set when it has any filter); no filter at all selects every tag.
 *
 * @param tags source tags
 * @param tagsFilter the step's `tags`
 * @param tagSets the step's `tagSets`
 * @returns selected tags: first set's order, then new tags of later sets
 * @throws {UsageError} for a bad regex or range
 */
export function selectTags(
  tags: readonly string[],
  tagsFilter: TagFilter,
  tagSets: readonly TagFilter[],
): string[] {
  const sets = [...tagSets];
  const hasAny = tagsFilter.allow.length + tagsFilter.deny.length + tagsFilter.semverRange.length;
  if (hasAny > 0) sets.push(tagsFilter);
  if (sets.length === 0) return [...tags];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const set of sets) {
    for (const t of filterTags(tags, set)) {
      if (!seen.has(t)) {
        seen.add(t);
        out.push(t);
      }
    }
  }
  return out;
}

/**
 * Tells whether every tag reads as a version (then `keepNewest` orders by version).
 *
 * @param tags tags
 * @returns true when all parse and there is at least one
 */
export function allVersions(tags: readonly string[]): boolean {
  return tags.length > 0 && tags.every((t) => parseTagVersion(t) !== undefined);
}

/**
 * Orders version tags newest first.
 *
 * @param tags tags that all read as versions
 * @returns a sorted copy, newest first (ties keep input order)
 */
export function sortVersionsNewestFirst(tags: readonly string[]): string[] {
  return tags
    .map((t, i) => ({ t, i, v: parseTagVersion(t) ?? { parts: [], suffix: "" } }))
    .sort((a, b) => compareTagVersions(b.v, a.v) || a.i - b.i)
    .map((x) => x.t);
}
