/**
 * The registry clients of a sync run, one per distinct set of client
 * settings among the steps (`userAgent`, `skipDockerConfig`, `blobLimit`,
 * each from `defaults` unless a step sets its own), with regsync's manifest
 * cache (`cacheCount` with `cacheTime`) over them where a step turns it on.
 *
 * @module
 */
import { parseGoDuration } from "../schedule/go_duration.ts";
import type { Transport } from "../transport/transport.ts";
import type { Ref } from "../types/ref.ts";
import type { SyncStep } from "./config_types.ts";
import { ManifestCache } from "./manifest_cache.ts";

/** The settings that need a client of their own. */
export type StepClientSettings = Pick<SyncStep, "userAgent" | "skipDockerConfig" | "blobLimit">;

/** What {@link StepTransports} needs of a client. */
export interface StepClient {
  /** The transport serving a reference. */
  transport(ref: Ref): Transport;
  /** Closes the client's transports. */
  close(): Promise<void>;
}

/**
 * Hands each step the transports of a client made for its settings.
 *
 * @example Steps with the same settings share a client
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { loadSyncConfig } from "./config.ts";
 * import { StepTransports } from "./step_transports.ts";
 * const { config } = loadSyncConfig(
 *   "sync:\n  - {source: a.example/x, target: b.example/x, type: repository}\n" +
 *     "  - {source: a.example/y, target: b.example/y, type: repository, userAgent: bot/1}\n" +
 *     "  - {source: a.example/z, target: b.example/z, type: repository}\n",
 * );
 * const made: unknown[] = [];
 * const clients = new StepTransports((s) => {
 *   made.push(s);
 *   const t = new MemoryTransport();
 *   return { transport: () => t, close: () => Promise.resolve() };
 * });
 * for (const step of config.sync) clients.transport({} as never, step);
 * assert.equal(made.length, 2);
 * await clients.close();
 * ```
 */
export class StepTransports {
  #make: (settings: StepClientSettings) => StepClient;
  #clients = new Map<string, StepClient>();
  #caches = new Map<string, ManifestCache>();

  /**
   * Creates the set; clients are made on first use.
   *
   * @param make builds a client for a set of settings
   */
  constructor(make: (settings: StepClientSettings) => StepClient) {
    this.#make = make;
  }

  /**
   * The transport for a reference, as the step's settings want it.
   *
   * @param ref the reference
   * @param step the step
   * @returns the transport (through the manifest cache when the step has one)
   * @throws never
   */
  transport(ref: Ref, step: SyncStep): Transport {
    const settings: StepClientSettings = {
      userAgent: step.userAgent,
      skipDockerConfig: step.skipDockerConfig,
      blobLimit: step.blobLimit,
    };
    const key = JSON.stringify([
      settings.userAgent ?? null,
      settings.skipDockerConfig,
      step.blobLimit,
    ]);
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = this.#make(settings);
      this.#clients.set(key, client);
    }
    const t = client.transport(ref);
    const cache = this.#cache(step);
    return cache === undefined ? t : cache.wrap(t);
  }

  /** Clients made so far. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Closes every client.
   *
   * @returns nothing
   * @throws the first close error
   */
  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((c) => c.close()));
  }

  #cache(step: SyncStep): ManifestCache | undefined {
    const ttlMs = step.cacheTime === undefined ? 0 : parseGoDuration(step.cacheTime) ?? 0;
    // regsync's manifest cache needs both keys, as regclient's WithCache does.
    if (step.cacheCount <= 0 || ttlMs <= 0) return undefined;
    const key = `${step.cacheCount}\n${ttlMs}`;
    let cache = this.#caches.get(key);
    if (cache === undefined) {
      cache = new ManifestCache({ count: step.cacheCount, ttlMs });
      this.#caches.set(key, cache);
    }
    return cache;
  }
}
