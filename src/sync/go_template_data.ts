/**
 * The data regsync's Go templates see: a reference as `.Ref` and a step as
 * `.Sync` / `.Step`, with regsync's field names.
 *
 * @module
 */
import { commonName, type Ref } from "../types/ref.ts";
import type { SyncStep } from "./config_types.ts";

/** A reference as regsync's templates see it (`.Ref.Tag`, `.Ref.CommonName`). */
export class GoRef {
  /** `reg`, `ocidir` or `ocifile`. */
  readonly Scheme: string;
  /** Registry host. */
  readonly Registry: string;
  /** Repository path. */
  readonly Repository: string;
  /** Tag. */
  readonly Tag: string;
  /** Digest. */
  readonly Digest: string;
  /** Layout path. */
  readonly Path: string;
  /** The reference as written. */
  readonly Reference: string;

  /**
   * Copies the fields of a reference.
   *
   * @param ref the reference
   */
  constructor(ref: Ref) {
    this.Scheme = ref.scheme;
    this.Registry = ref.registry;
    this.Repository = ref.repository;
    this.Tag = ref.tag;
    this.Digest = ref.digest;
    this.Path = ref.path;
    this.Reference = commonName(ref);
  }

  /**
   * The reference as regclient prints it.
   *
   * @returns the common name
   */
  CommonName(): string {
    return this.Reference;
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
