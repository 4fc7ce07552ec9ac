/**
 * Scratch images as regctl's `image create` makes them: a config holding the
 * platform, labels and (optionally) a creation time, no layers.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Client } from "../client.ts";
import type { CallOptions } from "../transport/transport.ts";
import type { Descriptor, Platform } from "../types/descriptor.ts";
import { digestOf } from "../types/digest.ts";
import {
  encodeJson,
  type ImageConfigJson,
  type ImageManifestJson,
  type Manifest,
  parseManifest,
} from "../types/manifest.ts";
import { MediaType } from "../types/media_type.ts";
import { commonName, type Ref, withDigest, withoutReference } from "../types/ref.ts";

/** Options of {@link createImage}. */
export interface CreateImageOptions extends CallOptions {
  /** Platform written in the config. */
  platform: Platform;
  /** Manifest media type (OCI manifest or Docker schema2). @default OCI manifest */
  mediaType?: string | undefined;
  /** Labels (`config.Labels`). */
  labels?: Record<string, string> | undefined;
  /** Manifest annotations (OCI only). */
  annotations?: Record<string, string> | undefined;
  /** Creation time written in the config; absent leaves it out. */
  created?: Date | undefined;
  /** Push by digest only. @default false */
  byDigest?: boolean | undefined;
}

/** What {@link createImage} pushed. */
export interface CreateImageResult {
  /** The reference pushed (tag, or digest). */
  ref: Ref;
  /** The manifest descriptor. */
  descriptor: Descriptor;
  /** The manifest. */
  manifest: Manifest;
  /** The config descriptor. */
  config: Descriptor;
}

/**
 * Parses `--created`: `now` (the injected clock) or an RFC 3339 time.
 *
 * @param value the flag value
 * @param now the clock
 * @returns the time
 * @throws {UsageError} for anything else
 *
 * @example RFC 3339
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCreated } from "./image_create.ts";
 * assert.equal(parseCreated("2024-01-02T03:04:05Z", () => new Date(0)).toISOString(), "2024-01-02T03:04:05.000Z");
 * assert.equal(parseCreated("now", () => new Date(5)).getTime(), 5);
 * ```
 */
export function parseCreated(value: string, now: () => Date): Date {
  if (value === "now") return now();
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  const d = new Date(value);
  if (!rfc3339.test(value) || Number.isNaN(d.getTime())) {
    throw new UsageError(
      `Cannot use "${value}" as --created: expected "now" or an RFC 3339 time such as 2024-01-02T03:04:05Z`,
    );
  }
  return d;
}

/**
 * Creates and pushes a scratch image: config with the platform and labels,
 * no layers.
 *
 * @param client the client
 * @param ref where to push (tag)
 * @param options platform, media type, labels, annotations, created time
 * @returns the pushed manifest and config
 * @throws {UsageError} an unknown media type, or annotations on a Docker manifest
 *
 * @example Create a scratch image
 * ```ts
 * import assert from "node:assert/strict";
 * import { Client } from "../client.ts";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { createImage } from "./image_create.ts";
 * const memory = new MemoryTransport();
 * const client = new Client({ transports: () => memory });
 * const r = await createImage(client, parseRef("example.com/a:scratch"), {
 *   platform: { os: "linux", architecture: "amd64" },
 * });
 * assert.equal(r.manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
 * await client.close();
 * ```
 */
export async function createImage(
  client: Client,
  ref: Ref,
  options: CreateImageOptions,
): Promise<CreateImageResult> {
  const mediaType = options.mediaType ?? MediaType.OCI_MANIFEST;
  if (mediaType !== MediaType.OCI_MANIFEST && mediaType !== MediaType.DOCKER_MANIFEST) {
    throw new UsageError(
      `Cannot create image "${
        commonName(ref)
      }": media type "${mediaType}" is not supported (use ${MediaType.OCI_MANIFEST} or ${MediaType.DOCKER_MANIFEST})`,
    );
  }
  const docker = mediaType === MediaType.DOCKER_MANIFEST;
  const annotations = options.annotations ?? {};
  if (docker && Object.keys(annotations).length > 0) {
    throw new UsageError(
      `Cannot create image "${
        commonName(ref)
      }": Docker manifests have no annotations (use the OCI media type)`,
    );
  }
  const p = options.platform;
  const config: ImageConfigJson = {
    ...(options.created !== undefined ? { created: options.created.toISOString() } : {}),
    architecture: p.architecture,
    os: p.os,
    ...(p["os.version"] ? { "os.version": p["os.version"] } : {}),
    ...(p["os.features"]?.length ? { "os.features": p["os.features"] } : {}),
    ...(p.variant ? { variant: p.variant } : {}),
    config: options.labels !== undefined && Object.keys(options.labels).length > 0
      ? { Labels: options.labels }
      : {},
    rootfs: { type: "layers", diff_ids: [] },
  };
  const configBytes = new TextEncoder().encode(JSON.stringify(config));
  const repo = withoutReference(ref);
  const configDesc: Descriptor = {
    mediaType: docker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG,
    digest: await digestOf(configBytes),
    size: configBytes.byteLength,
  };
  const json: ImageManifestJson = {
    schemaVersion: 2,
    mediaType,
    config: configDesc,
    layers: [],
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const raw = encodeJson(json);
  const manifest = await parseManifest(raw);
  await client.blobPut(repo, ReadableStream.from([configBytes]), {
    digest: configDesc.digest,
    size: configDesc.size,
    signal: options.signal,
  });
  const target = options.byDigest || ref.tag === "" ? withDigest(ref, manifest.digest) : ref;
  const descriptor = await client.manifestPut(target, raw, { mediaType, signal: options.signal });
  return { ref: target, descriptor, manifest, config: configDesc };
}
