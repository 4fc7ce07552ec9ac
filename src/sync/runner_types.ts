/**
 * What the sync runner takes and gives: modes, the logging, hook and
 * rate-limit seams, its options and the summary of a pass.
 *
 * @module
 */
import type { Transport } from "../transport/transport.ts";
import type { Ref } from "../types/ref.ts";
import type { HookSpec, SyncStep } from "./config_types.ts";

/** How a pass treats images: copy, copy only missing tags, or only report. */
export type SyncMode = "once" | "missing" | "check";

/** The rate-limit state a registry last reported for a source. */
export interface SourceRateLimit {
  /** Pulls left. */
  remain: number;
  /** Pulls allowed in the window. */
  limit: number;
}

/** What a hook receives (as JSON on stdin and as `OCICTL_SYNC_*` variables). */
export interface HookInput {
  /** `pre`, `post` or `unchanged`. */
  event: "pre" | "post" | "unchanged";
  /** Step position in the config. */
  step: number;
  /** Step type. */
  type: string;
  /** Source image. */
  source: string;
  /** Target image. */
  target: string;
  /** Source manifest digest. */
  sourceDigest: string;
  /** Target manifest digest before the copy ("" when absent). */
  targetDigest: string;
  /** Digest copied (post hooks), else "". */
  copiedDigest: string;
}

/** Runs one hook; resolves with its exit code (a timeout is a failure). */
export type HookRunner = (
  hook: HookSpec,
  input: HookInput,
  signal: AbortSignal,
) => Promise<{ code: number; timedOut: boolean }>;

/** The logging seam of the runner (the CLI logger fits). */
export interface SyncLogger {
  /** Decisions and results. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Problems that do not fail the image. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Failures. */
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Details. */
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/** Options of {@link SyncRunner}. */
export interface SyncRunnerOptions {
  /**
   * Transport for a reference, with the step's client settings (`userAgent`,
   * `blobLimit`, `skipDockerConfig`, the manifest cache).
   */
  transport: (ref: Ref, step: SyncStep) => Transport;
  /** Logger. */
  logger: SyncLogger;
  /** Concurrent image copies across all steps (0 = 1). @default 0 */
  parallel?: number | undefined;
  /** Stop at the first failed image. @default false */
  abortOnError?: boolean | undefined;
  /** The source's rate limit as seen on its last manifest response. */
  rateLimit?: ((src: Ref) => SourceRateLimit | undefined) | undefined;
  /** Runs hooks; without it configured hooks fail. */
  runHook?: HookRunner | undefined;
  /** Waits (rate limit); resolves early when the signal aborts. */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Clock for the summary. @default Date.now */
  now?: (() => number) | undefined;
  /** What `{{ env "X" }}` and `{{ file "/path" }}` read in backup templates. @default no variables, no files */
  templateIo?: {
    env?: Record<string, string> | undefined;
    readFile?: ((path: string) => string) | undefined;
  } | undefined;
  /** Concurrent image checks within a repository. @default 8 */
  checkConcurrency?: number | undefined;
}

/** Counters of a pass. */
export interface SyncSummary {
  /** Images compared. */
  checked: number;
  /** Images copied. */
  copied: number;
  /** Images left alone (up to date, present in missing mode, media type, pre hook). */
  skipped: number;
  /** Images `check` found needing a copy or refresh. */
  needed: number;
  /** Images that failed. */
  failed: number;
  /** Backups saved. */
  backups: number;
  /** Target tags deleted (or, in `check`, that would be). */
  pruned: number;
  /** Bytes of blobs moved. */
  bytes: number;
  /** Wall time in milliseconds. */
  ms: number;
  /** The failures. */
  errors: { source: string; target: string; error: unknown }[];
}

/** A new all-zero summary. @returns the summary */
export function emptySummary(): SyncSummary {
  return {
    checked: 0,
    copied: 0,
    skipped: 0,
    needed: 0,
    failed: 0,
    backups: 0,
    pruned: 0,
    bytes: 0,
    ms: 0,
    errors: [],
  };
}
