/**
 * The data regsync's Go templates see: a reference as `.Ref` (regclient's
 * `ref.Ref`) and a step as `.Sync` / `.Step` (regsync's `ConfigSync`, with
 * its Go field names, defaults merged in and durations that print as Go
 * prints them).
 *
 * @module
 */
import { GoRef } from "../gotypes/regclient_ref.ts";
import { formatGoDuration, parseGoDuration } from "../schedule/go_duration.ts";
import type { Ref } from "../types/ref.ts";
import type { HookSpec, SyncStep } from "./config_types.ts";
import type { TagFilter } from "./tag_filter.ts";

/** A Go `time.Duration` in a template: prints as `6h0m0s`, with Go's accessors. */
export class GoDuration {
  readonly #ms: number;

  /**
   * Wraps a duration.
   *
   * @param ms milliseconds
   */
  constructor(ms: number) {
    this.#ms = ms;
  }

  /**
   * Go's spelling.
   *
   * @returns e.g. `1h30m0s`
   */
  String(): string {
    return formatGoDuration(this.#ms);
  }

  /**
   * Go's spelling, for JavaScript callers.
   *
   * @returns e.g. `1h30m0s`
   */
  toString(): string {
    return this.String();
  }

  /**
   * The duration in hours.
   *
   * @returns hours (fractional)
   */
  Hours(): number {
    return this.#ms / 3_600_000;
  }

  /**
   * The duration in minutes.
   *
   * @returns minutes (fractional)
   */
  Minutes(): number {
    return this.#ms / 60_000;
  }

  /**
   * The duration in seconds.
   *
   * @returns seconds (fractional)
   */
  Seconds(): number {
    return this.#ms / 1000;
  }
}

/**
 * A reference as regsync's backup template sees it (`.Ref.Tag`,
 * `.Ref.Repository`, `.Ref.CommonName`, …).
 *
 * @param ref the target reference
 * @param reference the text it was written as (default: its common name)
 * @returns regclient's `ref.Ref`
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goRef } from "./go_template_data.ts";
 * import { parseRef } from "../types/ref.ts";
 * const r = goRef(parseRef("registry.example/app:v1"));
 * assert.equal(r.Tag, "v1");
 * assert.equal(r.CommonName(), "registry.example/app:v1");
 * ```
 */
export function goRef(ref: Ref, reference?: string): GoRef {
  return reference === undefined ? GoRef.of(ref) : GoRef.of(ref, reference);
}

function _tags(t: TagFilter): Record<string, unknown> {
  return { Allow: t.allow, Deny: t.deny, SemverRange: t.semverRange };
}

function _hook(h: HookSpec | undefined): Record<string, unknown> | null {
  return h === undefined ? null : { Type: h.type, Params: h.params };
}

function _duration(text: string | undefined): GoDuration {
  return new GoDuration(text === undefined ? 0 : parseGoDuration(text) ?? 0);
}

/**
 * The step as Go templates see it (`.Sync.Source`, `.Step.Tags.Allow`,
 * `.Sync.RateLimit.Retry`, …): every field of regsync's `ConfigSync` under
 * its Go name, defaults merged in.
 *
 * @param step a step
 * @returns an object with Go-named fields
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSyncConfig } from "./config.ts";
 * import { goStep } from "./go_template_data.ts";
 * const { config } = loadSyncConfig(
 *   "defaults: {interval: 90m}\nsync: [{source: a.example/x, target: b.example/x, type: repository}]",
 * );
 * const s = goStep(config.sync[0]!);
 * assert.equal(s.Type, "repository");
 * assert.equal(String(s.Interval), "1h30m0s");
 * ```
 */
export function goStep(step: SyncStep): Record<string, unknown> {
  return {
    Source: step.source,
    Target: step.target,
    Type: step.type,
    Tags: _tags(step.tags),
    TagSets: step.tagSets.map(_tags),
    Repos: { Allow: step.repos.allow, Deny: step.repos.deny },
    DigestTags: step.digestTags,
    Referrers: step.referrers,
    ReferrerFilters: step.referrerFilters.map((f) => ({
      ArtifactType: f.artifactType ?? "",
      Annotations: f.annotations ?? {},
    })),
    ReferrerSrc: step.referrerSource ?? "",
    ReferrerTgt: step.referrerTarget ?? "",
    ReferrerSlow: step.referrerSlow,
    Platform: step.platform ?? "",
    Platforms: step.platforms,
    FastCheck: step.fastCheck,
    ForceRecursive: step.forceRecursive,
    IncludeExternal: step.includeExternal,
    Backup: step.backup ?? "",
    Interval: _duration(step.interval),
    Schedule: step.schedule ?? "",
    RateLimit: { Min: step.ratelimit.min, Retry: _duration(step.ratelimit.retry) },
    MediaTypes: step.mediaTypes,
    Hooks: {
      Pre: _hook(step.hooks.pre),
      Post: _hook(step.hooks.post),
      Unchanged: _hook(step.hooks.unchanged),
    },
  };
}
