/**
 * One `sync[]` entry processed as regsync processes it: defaults merged in,
 * `source`, `referrerSource`, `target`, `referrerTarget` expanded in that
 * order with `.Sync`, and every value checked (references, regexes,
 * version ranges, platforms, the backup template) before anything runs.
 *
 * @module
 */
import { parseRef } from "../types/ref.ts";
import type { ReferrerFilter } from "../types/referrer.ts";
import { parsePlatform } from "../types/platform.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import { parseTemplate } from "../template/template.ts";
import { _Checker, _detail, type Obj } from "./_config_checker.ts";
import {
  DEFAULT_HOOK_TIMEOUT,
  DEFAULT_MEDIA_TYPES,
  RATELIMIT_RETRY_MIN,
  type StepHooks,
  type StepTags,
  SYNC_TYPES,
  type SyncStep,
  type SyncType,
} from "./config_types.ts";
import { goStep } from "./go_template_data.ts";
import { anchoredRegex, compileVersionRange } from "./tag_filter.ts";

/**
 * Warns when only one of `cacheCount` and `cacheTime` is in force (the
 * manifest cache needs both, as in regsync).
 *
 * @param c the checker (collects the warning)
 * @param count `cacheCount` in force
 * @param time `cacheTime` in force
 * @param at the key path whose line the warning names
 */
export function warnHalfCache(
  c: _Checker,
  count: number,
  time: string | undefined,
  at: (set: string) => string,
): void {
  const on = [count > 0, (parseGoDuration(time ?? "0") ?? 0) > 0];
  if (on[0] === on[1]) return;
  const [set, unset] = on[0] ? ["cacheCount", "cacheTime"] : ["cacheTime", "cacheCount"];
  c.warnings.push(
    `${c.where(at(set))}: "${set}" needs "${unset}" too; the manifest cache stays off`,
  );
}

/** Expands a template at a config path (errors name the path). */
export type RenderTemplate = (tmpl: string, data: unknown, path: string) => string;

function _tags(raw: unknown): StepTags {
  const o = (raw ?? {}) as Obj;
  return {
    allow: (o.allow as string[] | undefined) ?? [],
    deny: (o.deny as string[] | undefined) ?? [],
    semverRange: (o.semverRange as string[] | undefined) ?? [],
    keepNewest: (o.keepNewest as number | undefined) ?? 0,
  };
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

/**
 * Processes one step.
 *
 * @param c the checker (file, lines, warnings)
 * @param s the step as checked
 * @param d `defaults` as checked
 * @param index position in `sync`
 * @param render expands templates
 * @returns the step
 * @throws {UsageError} for a bad value, naming its line
 */
export function buildStep(
  c: _Checker,
  s: Obj,
  d: Obj,
  index: number,
  render: RenderTemplate,
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
    backup: (s.backup || d.backup || undefined) as string | undefined,
    interval,
    schedule,
    ratelimit: {
      // As regsync: a step's 0 is "unset", so the default minimum applies.
      min: ((sr.min || dr.min) as number | undefined) ?? 0,
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
    referrerSource: (s.referrerSource || d.referrerSource || undefined) as string | undefined,
    referrerTarget: (s.referrerTarget || d.referrerTarget || undefined) as string | undefined,
    referrerSlow: _bool(s, d, "referrerSlow"),
    fastCheck: _bool(s, d, "fastCheck", "fastCopy"),
    forceRecursive: _bool(s, d, "forceRecursive"),
    includeExternal: _bool(s, d, "includeExternal"),
    mediaTypes: ((s.mediaTypes ?? d.mediaTypes) as string[] | undefined) ??
      [...DEFAULT_MEDIA_TYPES],
    hooks,
    prune: _bool(s, d, "prune"),
    parallel: s.parallel as number | undefined,
    blobLimit: ((s.blobLimit ?? d.blobLimit) as number | undefined) ?? 0,
    cacheCount: ((s.cacheCount ?? d.cacheCount) as number | undefined) ?? 0,
    cacheTime: (s.cacheTime ?? d.cacheTime) as string | undefined,
    skipDockerConfig: _bool(s, d, "skipDockerConfig"),
    userAgent: (s.userAgent ?? d.userAgent) as string | undefined,
  };
  if (step.blobLimit < 0) throw c.fail(`${path}.blobLimit`, "must not be negative");
  if (s.cacheCount !== undefined || s.cacheTime !== undefined) {
    const own = s.cacheCount !== undefined ? "cacheCount" : "cacheTime";
    warnHalfCache(c, step.cacheCount, step.cacheTime, () => `${path}.${own}`);
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
