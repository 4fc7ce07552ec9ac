/**
 * The two ends of a copy and the progress events a copy reports. The source
 * is typed read-only: a copy never writes to it.
 *
 * @module
 */
import type { Transport } from "../transport/transport.ts";
import type { Ref } from "../types/ref.ts";

/** The read-only part of a {@link Transport}: what a copy needs from its source. */
export type ReadOnlyTransport = Pick<
  Transport,
  | "scheme"
  | "manifestHead"
  | "manifestGet"
  | "blobHead"
  | "blobGet"
  | "tagList"
  | "referrerList"
>;

/** Where a copy reads from. */
export interface CopySource {
  /** The transport serving {@link ref}. */
  transport: ReadOnlyTransport;
  /** The reference (or repository) read. */
  ref: Ref;
}

/** Where a copy writes to. */
export interface CopyTarget {
  /** The transport serving {@link ref}. */
  transport: Transport;
  /** The reference (or repository) written. */
  ref: Ref;
}

/** Why a piece of content was not transferred. */
export type CopySkipReason =
  /** The target already had it. */
  | "exists"
  /** The registry mounted it from the source repository. */
  | "mounted"
  /** Same repository on both sides: nothing to move. */
  | "same-repository"
  /** A layer with `urls` (foreign) left out without `includeExternal`. */
  | "external";

/** One piece of content moving through a copy. */
export interface CopyEvent {
  /** `manifest` or `blob`. */
  kind: "manifest" | "blob";
  /** Its digest. */
  digest: string;
  /** Its size in bytes (-1 when unknown). */
  size: number;
  /** Its media type, when known. */
  mediaType?: string | undefined;
}

/** Progress hooks of a copy (the CLI progress bar is one consumer). */
export interface CopyHooks {
  /** A transfer starts. */
  onStart?: ((event: CopyEvent) => void) | undefined;
  /** Content was not transferred, and why. */
  onSkip?: ((event: CopyEvent, reason: CopySkipReason) => void) | undefined;
  /** Bytes of a blob transfer arrived (`done` counts so far). */
  onProgress?: ((event: CopyEvent, done: number) => void) | undefined;
  /** A transfer finished. */
  onDone?: ((event: CopyEvent) => void) | undefined;
  /** A blob's raw transfer failed and it is sent again through the checked stream. */
  onFallback?: ((event: CopyEvent, reason: unknown) => void) | undefined;
}
