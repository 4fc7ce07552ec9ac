/**
 * The options of the registry transport: its constructor's seams and limits,
 * and what its blob push and manifest delete take beyond the contract.
 *
 * @module
 */
import type { BlobPutOptions, CallOptions } from "../transport.ts";
import type { Sleep } from "./_limiter.ts";
import type { Credential } from "./auth.ts";
import type { HostConfig } from "./host_config.ts";
import type { RegistryLogger } from "./http.ts";

/** Options of `RegistryTransport`. */
export interface RegistryTransportOptions {
  /** fetch used for every request. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Host configurations. @default [] */
  hosts?: HostConfig[] | undefined;
  /** User-Agent. @default "ocictl" */
  userAgent?: string | undefined;
  /** Logger. */
  logger?: RegistryLogger | undefined;
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /** Sleep for backoff and rate limits. @default a cancellable timer */
  sleep?: Sleep | undefined;
  /** Credential lookup for hosts without credentials in their config. */
  credentials?: ((host: string) => Promise<Credential | undefined>) | undefined;
  /** Timeout of a token request in milliseconds. @default 30000 */
  tokenTimeout?: number | undefined;
  /** Largest chunk held in memory when a registry asks for large chunks. @default 1 GiB */
  blobLimit?: number | undefined;
}

/** Options of `RegistryTransport.blobPut` beyond the contract. */
export interface RegistryBlobPutOptions extends BlobPutOptions {
  /** Repository on the same registry to mount the blob from (needs `digest`). */
  mountFrom?: string | undefined;
  /**
   * The body already verifies itself against `digest` and `size` (it errors
   * instead of ending cleanly on a mismatch, like every `blobGet` body): its
   * bytes are counted, not hashed a second time. The last chunk is still held
   * back until the body ends cleanly. Ignored without `digest`. @default false
   */
  verified?: boolean | undefined;
  /** The caller has just found the blob missing: skip the existence HEAD. @default false */
  skipHead?: boolean | undefined;
}

/** Options of `RegistryTransport.manifestDelete` beyond the contract. */
export interface RegistryManifestDeleteOptions extends CallOptions {
  /**
   * Read the manifest first and, when it has a `subject` and the registry
   * has no referrers API, remove it from the subject's fallback tag index
   * (deleting the tag when the index becomes empty). @default false
   */
  referrers?: boolean | undefined;
}
