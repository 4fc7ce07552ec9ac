/**
 * The shapes of a processed regsync config: step types, defaults, steps,
 * hooks and the constants regsync uses when a key is unset.
 *
 * @module
 */
import type { ConfigHost } from "../config/config_host.ts";
import type { ReferrerFilter } from "../types/referrer.ts";
import { MediaType } from "../types/media_type.ts";
import type { TagFilter } from "./tag_filter.ts";

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
  /**
   * Search every `index.json` entry of an OCI layout for referrers (ORAS
   * style). ocictl's layout transport always does, so this is true in effect.
   */
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
  /** Largest upload chunk a registry may ask for (0 = 1 GiB); from defaults unless set. */
  blobLimit: number;
  /** Manifest cache entries (on with `cacheTime`); from defaults unless set. */
  cacheCount: number;
  /** Manifest cache entry lifetime; from defaults unless set. */
  cacheTime?: string | undefined;
  /** Do not read docker's config; from defaults unless set. */
  skipDockerConfig: boolean;
  /** User-Agent; from defaults unless set. */
  userAgent?: string | undefined;
}

/** `defaults` as processed. */
export interface SyncDefaults {
  /** Concurrent image copies (0 = 1). */
  parallel: number;
  /** Largest upload chunk a registry may make ocictl hold in memory (0 = 1 GiB). */
  blobLimit: number;
  /** Manifest cache entries (the cache is on when this and `cacheTime` are set). */
  cacheCount: number;
  /** Manifest cache entry lifetime (Go duration). */
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
