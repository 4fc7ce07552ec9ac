/**
 * The client facade: one object that picks the {@link Transport} for a
 * reference by its scheme and forwards the storage calls to it.
 *
 * Start-up cost: this module imports no transport. Each transport module
 * (and config loading, `node:http(s)`, the tar and zstd packages behind
 * them) is imported with a literal `import()` on the first call that needs
 * it, so a command that never touches a scheme never loads its code.
 *
 * @module
 */
import { NotFoundError } from "./errors.ts";
import denoJson from "../deno.json" with { type: "json" };
import type { ConfigIo } from "./config/config_io.ts";
import type { ResolvedHosts } from "./config/resolve_hosts.ts";
import type { RegistryFetch } from "./transport/registry/deno_fetch.ts";
import type { HostConfig } from "./config/host_settings.ts";
import type { NamedHost } from "./config/config_host.ts";
import type { RegistryLogger } from "./transport/registry/http.ts";
import type { RegistryTransport } from "./transport/registry/registry_transport.ts";
import type { Descriptor, Platform } from "./types/descriptor.ts";
import { isIndex, type Manifest } from "./types/manifest.ts";
import { formatPlatform, selectPlatform } from "./types/platform.ts";
import { commonName, type Ref, type RefScheme, withDigest } from "./types/ref.ts";
import type { OciDirTransport } from "./transport/ocidir/ocidir_transport.ts";
import type { OciFileTransport } from "./transport/ocifile/ocifile_transport.ts";
import {
  ForwardingRawTransport,
  ForwardingTransport,
  type ForwardTarget,
} from "./transport/forwarding_transport.ts";
import type {
  BlobGetOptions,
  BlobPutOptions,
  BlobReader,
  CallOptions,
  ManifestPutOptions,
  ReferrerListOptions,
  RepoLister,
  TagListOptions,
  Transport,
} from "./transport/transport.ts";

/**
 * What a command run tells the transports: environment, raw `--host` values,
 * User-Agent and where to log. The registry transport reads its hosts and
 * credentials from these (config file, docker config, flags).
 */
export interface TransportSettings {
  /** Environment (config file location, docker config, proxies). */
  env: Record<string, string>;
  /** Raw `--host` values, in command-line order. */
  hostFlags: readonly string[];
  /** User-Agent. @default "ocictl/<version>" */
  userAgent?: string | undefined;
  /** Request-level logging and registry warnings. */
  logger?: RegistryLogger | undefined;
  /** Host entries from another config (regsync's `creds`): over the config file, under `--host`. */
  hosts?: readonly NamedHost[] | undefined;
  /** Read no docker config or certificate directories (regsync's `skipDockerConfig`). @default false */
  skipDockerConfig?: boolean | undefined;
  /** Sees every registry response (headers only; do not read the body). */
  onResponse?: ((res: Response, method: string) => void) | undefined;
  /** Largest upload chunk held in memory (regsync's `blobLimit`). @default the config file's `blobLimit` */
  blobLimit?: number | undefined;
}

/** Creates the transport serving a scheme. */
export type TransportFactory = (scheme: RefScheme, settings?: TransportSettings) => Transport;

/** The seams of the registry transport (tests replace them). */
export interface RegistrySeams {
  /**
   * Builds the config I/O seam for an environment.
   * @default denoConfigIo({ env })
   */
  configIo?: ((env: Record<string, string>) => ConfigIo) | undefined;
  /**
   * Builds the fetch for the resolved hosts (TLS, proxies).
   * @default createDenoFetch
   */
  fetch?: ((hosts: HostConfig[], env: Record<string, string>) => RegistryFetch) | undefined;
  /** Docker's certificate root. @default "/etc/docker/certs.d" */
  certsDir?: string | undefined;
}

/** Options of {@link createTransportFactory}. */
export interface TransportFactoryOptions {
  /** Options handed to the OCI layout transport (file-system seam). */
  ocidir?: ConstructorParameters<typeof OciDirTransport>[0];
  /** Options handed to the OCI layout tar transport (file-system seam). */
  ocifile?: ConstructorParameters<typeof OciFileTransport>[0];
  /** Seams of the registry transport. */
  registry?: RegistrySeams | undefined;
}

/** The User-Agent sent by default. */
export const DEFAULT_USER_AGENT = `ocictl/${denoJson.version}`;

/**
 * The default transport factory: `ocidir` is served by
 * {@link OciDirTransport}, `ocifile` by {@link OciFileTransport}, `reg` by a
 * {@link RegistryTransport} whose hosts and credentials come from
 * `resolveHosts` (ocictl config, docker config, certificate directories,
 * `--host`) on first use. Each transport's module is imported on its first
 * call, not when the factory runs.
 *
 * @param options seams of the transports it creates
 * @returns a factory creating a new transport per call
 * @throws never (configuration errors surface from the first registry call)
 *
 * @example Registries get a registry transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTransportFactory } from "./client.ts";
 * const t = createTransportFactory()("reg", { env: {}, hostFlags: [] });
 * assert.equal(t.scheme, "reg");
 * await t.close();
 * ```
 */
export function createTransportFactory(options: TransportFactoryOptions = {}): TransportFactory {
  return (scheme, settings) => {
    if (scheme === "ocidir") {
      return new ForwardingRawTransport(
        "ocidir",
        async () =>
          new (await import("./transport/ocidir/ocidir_transport.ts")).OciDirTransport(
            options.ocidir,
          ),
      );
    }
    if (scheme === "ocifile") {
      return new ForwardingTransport(
        "ocifile",
        async () =>
          new (await import("./transport/ocifile/ocifile_transport.ts")).OciFileTransport(
            options.ocifile,
          ),
      );
    }
    return new ConfiguredRegistryTransport(
      settings ?? { env: {}, hostFlags: [] },
      options.registry ?? {},
    );
  };
}

/**
 * A registry transport that resolves its hosts and credentials on first use
 * and forwards every call to a {@link RegistryTransport}.
 */
export class ConfiguredRegistryTransport extends ForwardingRawTransport<RegistryTransport>
  implements RepoLister {
  #settings: TransportSettings;
  #seams: RegistrySeams;
  #ready:
    | Promise<{ t: RegistryTransport; seam: RegistryFetch; resolved: ResolvedHosts }>
    | undefined;
  /** The inner transport once resolved. */
  #loaded: RegistryTransport | undefined;

  /**
   * Creates the transport without touching configuration or network; hosts
   * and credentials are resolved on the first call.
   *
   * @param settings environment, `--host` values, User-Agent, logger
   * @param seams config I/O and fetch builders (default: the Deno ones)
   */
  constructor(settings: TransportSettings, seams: RegistrySeams = {}) {
    super("reg");
    this.#settings = settings;
    this.#seams = seams;
  }

  /**
   * The hosts and credentials in force (resolved once).
   *
   * @returns the resolved hosts
   * @throws {UsageError} for a bad `--host` value
   * @throws {ConfigError} for a malformed config file
   */
  async resolved(): Promise<ResolvedHosts> {
    return (await this.#inner()).resolved;
  }

  #inner(): Promise<{ t: RegistryTransport; seam: RegistryFetch; resolved: ResolvedHosts }> {
    this.#ready ??= (async () => {
      const s = this.#settings;
      // Loaded on first use: config parsing, the registry client and its
      // network seam (node:http/https/tls) stay off the start-up path.
      const seams = this.#seams;
      const [{ resolveHosts }, { RegistryTransport }, makeIo, makeFetch] = await Promise.all([
        import("./config/resolve_hosts.ts"),
        import("./transport/registry/registry_transport.ts"),
        seams.configIo ??
          import("./config/deno_config_io.ts").then((m) => (env: Record<string, string>) =>
            m.denoConfigIo({ env })
          ),
        seams.fetch ??
          import("./transport/registry/deno_fetch.ts").then(
            (m) => (hosts: HostConfig[], env: Record<string, string>) =>
              m.createDenoFetch({ hosts, env, logger: s.logger }),
          ),
      ]);
      const io = makeIo(s.env);
      const resolved = await resolveHosts(io, {
        flags: [...s.hostFlags],
        certsDir: this.#seams.certsDir,
        skipDocker: s.skipDockerConfig === true,
        hosts: s.hosts,
        warn: (msg, data) => s.logger?.warn?.(msg, data),
      });
      s.logger?.debug?.("registry hosts resolved", { hosts: resolved.hosts.length });
      const seam = makeFetch(resolved.hosts, s.env);
      const observe = s.onResponse;
      // the observing fetch keeps the seam's markers (what request inits it takes)
      const fetchFn: typeof fetch = observe
        ? Object.assign(async (input: string | URL | Request, init?: RequestInit) => {
          const res = await seam.fetch(input, init);
          observe(res, (init?.method ?? "GET").toUpperCase());
          return res;
        }, seam.fetch)
        : seam.fetch;
      const t = new RegistryTransport({
        fetch: fetchFn,
        hosts: resolved.hosts,
        credentials: resolved.credentials,
        userAgent: s.userAgent ?? DEFAULT_USER_AGENT,
        logger: s.logger,
        blobLimit: s.blobLimit ?? resolved.config.blobLimit,
      });
      this.#loaded = t;
      return { t, seam, resolved };
    })();
    return this.#ready;
  }

  /**
   * Forwards every call to the registry transport, once hosts are resolved.
   *
   * @param ref the caller's reference
   * @returns the registry transport and the reference
   * @throws {UsageError} for a bad `--host` value
   * @throws {ConfigError} for a malformed config file
   */
  protected override async target(ref: Ref): Promise<ForwardTarget<RegistryTransport>> {
    return { transport: (await this.#inner()).t, ref };
  }

  /**
   * The registry transport once resolved.
   *
   * @returns it, or undefined before the first call
   */
  protected override loaded(): RegistryTransport | undefined {
    return this.#loaded;
  }

  /**
   * Checks that the registry answers `GET /v2/`.
   *
   * @see RegistryTransport.ping
   * @param ref any reference on the registry
   * @param options signal
   * @returns nothing
   * @throws {RegistryError} when it does not answer 200
   */
  async ping(ref: Ref, options?: CallOptions): Promise<void> {
    return (await this.#inner()).t.ping(ref, options);
  }
  /**
   * Lists repositories with `_catalog`.
   *
   * @see RepoLister.repoList
   * @param ref any reference on the registry
   * @param options limit, last, signal
   * @returns repository names
   * @throws {RegistryError} when the registry refuses the catalog
   */
  async repoList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    return (await this.#inner()).t.repoList(ref, options);
  }
  /**
   * Closes the transport and its HTTP clients.
   *
   * @returns nothing
   * @throws never
   */
  override async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = undefined;
    if (!ready) return;
    let inner;
    try {
      inner = await ready;
    } catch {
      return;
    }
    try {
      await inner.t.close();
    } finally {
      inner.seam.close();
    }
  }
}

/** Options of {@link Client}. */
export interface ClientOptions {
  /** Picks the transport per scheme. @default createTransportFactory() */
  transports?: TransportFactory | undefined;
  /** Default signal of every call that does not pass its own. */
  signal?: AbortSignal | undefined;
  /** Handed to the factory (environment, `--host` values, User-Agent, logger). */
  settings?: TransportSettings | undefined;
}

/** Options of {@link Client.resolvePlatform}. */
export interface ResolvePlatformOptions extends CallOptions {
  /** The platform wanted. */
  platform: Platform;
}

/**
 * Forwards storage calls to the transport of each reference's scheme. One
 * transport is created per scheme and reused; {@link Client.close} closes them.
 *
 * @example Reading from an in-memory transport
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "./client.ts";
 * import { MemoryTransport } from "./transport/memory/memory_transport.ts";
 * import { parseRef } from "./types/ref.ts";
 * const memory = new MemoryTransport();
 * const client = new Client({ transports: () => memory });
 * const raw = new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * await client.manifestPut(parseRef("ocidir://x:v1"), raw);
 * assert.deepEqual(await client.tagList(parseRef("ocidir://x")), ["v1"]);
 * await client.close();
 * ```
 */
export class Client {
  #factory: TransportFactory;
  #signal: AbortSignal | undefined;
  #settings: TransportSettings | undefined;
  #transports = new Map<RefScheme, Transport>();

  /**
   * Creates a client; no transport is created until a reference needs one.
   *
   * @param options transport factory, default signal, transport settings
   */
  constructor(options: ClientOptions = {}) {
    this.#factory = options.transports ?? createTransportFactory();
    this.#signal = options.signal;
    this.#settings = options.settings;
  }

  /**
   * Returns the transport serving a reference (created on first use).
   *
   * @param ref reference
   * @returns its transport
   * @throws {UnsupportedError} when the factory cannot serve the scheme
   */
  transport(ref: Ref): Transport {
    const have = this.#transports.get(ref.scheme);
    if (have) return have;
    const t = this.#factory(ref.scheme, this.#settings);
    this.#transports.set(ref.scheme, t);
    return t;
  }

  #opts<T extends CallOptions>(options: T | undefined): T {
    return { ...options, signal: options?.signal ?? this.#signal } as T;
  }

  /**
   * Resolves a manifest to its descriptor.
   *
   * @see Transport.manifestHead
   * @param ref reference
   * @param options signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  manifestHead(ref: Ref, options?: CallOptions): Promise<Descriptor> {
    return this.transport(ref).manifestHead(ref, this.#opts(options));
  }
  /**
   * Reads a manifest.
   *
   * @see Transport.manifestGet
   * @param ref reference
   * @param options signal
   * @returns the manifest
   * @throws {NotFoundError} when it does not exist
   */
  manifestGet(ref: Ref, options?: CallOptions): Promise<Manifest> {
    return this.transport(ref).manifestGet(ref, this.#opts(options));
  }
  /**
   * Stores a manifest.
   *
   * @see Transport.manifestPut
   * @param ref reference
   * @param raw exact bytes
   * @param options media type, signal
   * @returns its descriptor
   * @throws {ManifestInvalidError} when the body is not a valid manifest
   */
  manifestPut(ref: Ref, raw: Uint8Array, options?: ManifestPutOptions): Promise<Descriptor> {
    return this.transport(ref).manifestPut(ref, raw, this.#opts(options));
  }
  /**
   * Deletes a manifest by digest.
   *
   * @see Transport.manifestDelete
   * @param ref reference with a digest
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  manifestDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.transport(ref).manifestDelete(ref, this.#opts(options));
  }
  /**
   * Resolves a blob.
   *
   * @see Transport.blobHead
   * @param ref repository
   * @param digest blob digest
   * @param options signal
   * @returns the descriptor
   * @throws {NotFoundError} when it does not exist
   */
  blobHead(ref: Ref, digest: string, options?: CallOptions): Promise<Descriptor> {
    return this.transport(ref).blobHead(ref, digest, this.#opts(options));
  }
  /**
   * Opens a blob as a verified stream.
   *
   * @see Transport.blobGet
   * @param ref repository
   * @param digest blob digest
   * @param options size, signal
   * @returns descriptor and body (consume or cancel it)
   * @throws {NotFoundError} when it does not exist
   */
  blobGet(ref: Ref, digest: string, options?: BlobGetOptions): Promise<BlobReader> {
    return this.transport(ref).blobGet(ref, digest, this.#opts(options));
  }
  /**
   * Stores a blob from a stream.
   *
   * @see Transport.blobPut
   * @param ref repository
   * @param body bytes
   * @param options expected digest and size, signal
   * @returns its descriptor
   * @throws {DigestMismatchError} when the bytes do not match `digest` (nothing stored)
   */
  blobPut(
    ref: Ref,
    body: ReadableStream<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<Descriptor> {
    return this.transport(ref).blobPut(ref, body, this.#opts(options));
  }
  /**
   * Deletes a blob.
   *
   * @see Transport.blobDelete
   * @param ref repository
   * @param digest blob digest
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when it does not exist
   */
  blobDelete(ref: Ref, digest: string, options?: CallOptions): Promise<void> {
    return this.transport(ref).blobDelete(ref, digest, this.#opts(options));
  }
  /**
   * Lists tags.
   *
   * @see Transport.tagList
   * @param ref repository
   * @param options limit, last, signal
   * @returns sorted tags
   * @throws {NotFoundError} when the repository does not exist
   */
  tagList(ref: Ref, options?: TagListOptions): Promise<string[]> {
    return this.transport(ref).tagList(ref, this.#opts(options));
  }
  /**
   * Removes a tag.
   *
   * @see Transport.tagDelete
   * @param ref reference with a tag
   * @param options signal
   * @returns nothing
   * @throws {NotFoundError} when the tag does not exist
   */
  tagDelete(ref: Ref, options?: CallOptions): Promise<void> {
    return this.transport(ref).tagDelete(ref, this.#opts(options));
  }
  /**
   * Lists referrers.
   *
   * @see Transport.referrerList
   * @param ref reference with a digest
   * @param options artifact type, signal
   * @returns referrer descriptors
   * @throws {NotFoundError} when the repository does not exist
   */
  referrerList(ref: Ref, options?: ReferrerListOptions): Promise<Descriptor[]> {
    return this.transport(ref).referrerList(ref, this.#opts(options));
  }

  /**
   * Resolves a reference to the manifest of one platform: when it names an
   * index, the entry matching the platform is chosen and a reference by its
   * digest is returned; an image manifest resolves to itself.
   *
   * @param ref reference
   * @param options the platform, signal
   * @returns the reference to the platform's manifest and that manifest
   * @throws {NotFoundError} when the index has no entry for the platform
   */
  async resolvePlatform(
    ref: Ref,
    options: ResolvePlatformOptions,
  ): Promise<{ ref: Ref; manifest: Manifest }> {
    const manifest = await this.manifestGet(ref, options);
    if (!isIndex(manifest)) return { ref, manifest };
    const found = selectPlatform(manifest.json.manifests, options.platform);
    if (!found) {
      throw new NotFoundError(
        `Cannot find platform "${formatPlatform(options.platform)}" in "${
          commonName(ref)
        }": the index has no such entry (list them with "manifest get")`,
      );
    }
    const child = withDigest(ref, found.digest);
    return { ref: child, manifest: await this.manifestGet(child, options) };
  }

  /**
   * Closes every transport created (runs ocidir's deferred work).
   *
   * @returns nothing
   * @throws the first error a transport's close threw, after closing all
   */
  async close(): Promise<void> {
    const all = [...this.#transports.values()];
    this.#transports.clear();
    const results = await Promise.allSettled(all.map((t) => t.close()));
    for (const r of results) if (r.status === "rejected") throw r.reason;
  }
}
