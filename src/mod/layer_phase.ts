/**
 * The layer phase of `image mod`: each layer that a step changes is read,
 * decompressed, rewritten entry by entry, compressed again and pushed, all as
 * one stream (never whole in memory); the others are copied when the target
 * is another repository.
 *
 * @module
 */
import { type Compression, compressor, openDecompressed } from "../archive/compression.ts";
import type { Client } from "../client.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { copyBlob } from "../ops/blob_copy.ts";
import { type DigestAlgorithm, parseDigest } from "../types/digest.ts";
import { createHasher } from "../types/hasher.ts";
import { MediaType } from "../types/media_type.ts";
import { equalRepository, type Ref, withoutReference } from "../types/ref.ts";
import { cloneDescriptor, KNOWN_TARS, type ModLayer, type ModManifest } from "./image_graph.ts";
import type { LayerCompression } from "./mod_step.ts";
import { type FileEdit, type RewriteOutcome, rewriteTar } from "./layer_rewrite.ts";

/** A file edit that may leave some layers alone (base layers of a time option). */
export interface LayerFileEdit {
  /** The edit. */
  edit: FileEdit;
  /** Whether it applies to a layer (by its original digest). */
  appliesTo: (layer: ModLayer) => boolean;
}

/** What the layer phase needs. */
export interface LayerPhaseOptions {
  /** The client. */
  client: Client;
  /** The image modified. */
  source: Ref;
  /** Where the result goes. */
  target: Ref;
  /** File edits, in order. */
  edits: readonly LayerFileEdit[];
  /** Recompression steps, in order (the last one wins for each layer). */
  compress: readonly LayerCompression[];
  /** `--digest-algo`: layers get digests (and diff_ids) of this algorithm. */
  algorithm?: DigestAlgorithm | undefined;
  /**
   * Offered a chance to collect garbage after every {@link COLLECT_EVERY}
   * bytes of a rewritten layer (it decides whether to), so the chunks
   * already passed on are freed before they pile up.
   */
  collect?: (() => unknown) | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** Bytes of plain tar between two calls of {@link LayerPhaseOptions.collect} (1 MiB). */
export const COLLECT_EVERY = 1024 * 1024;

const COMPRESSION_OF: Readonly<Record<string, Compression>> = {
  [MediaType.OCI_LAYER]: "none",
  [MediaType.DOCKER_LAYER]: "none",
  [MediaType.OCI_LAYER_GZIP]: "gzip",
  [MediaType.DOCKER_LAYER_GZIP]: "gzip",
  [MediaType.OCI_LAYER_ZSTD]: "zstd",
  [MediaType.DOCKER_LAYER_ZSTD]: "zstd",
};

/**
 * The media type a layer gets when recompressed (regclient's mapping; other
 * media types keep theirs).
 *
 * @param mediaType the layer's media type
 * @param to the compression wanted
 * @returns the new media type, or undefined when the layer is not recompressed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recompressedType } from "./layer_phase.ts";
 * assert.equal(
 *   recompressedType("application/vnd.oci.image.layer.v1.tar+gzip", "zstd"),
 *   "application/vnd.oci.image.layer.v1.tar+zstd",
 * );
 * ```
 */
export function recompressedType(mediaType: string, to: LayerCompression): string | undefined {
  const from = COMPRESSION_OF[mediaType];
  if (from === undefined || from === to) return undefined;
  const docker = mediaType.startsWith("application/vnd.docker.");
  const table: Record<LayerCompression, [string, string]> = {
    gzip: [MediaType.DOCKER_LAYER_GZIP, MediaType.OCI_LAYER_GZIP],
    zstd: [MediaType.DOCKER_LAYER_ZSTD, MediaType.OCI_LAYER_ZSTD],
    none: [MediaType.DOCKER_LAYER, MediaType.OCI_LAYER],
  };
  return table[to][docker ? 0 : 1];
}

/**
 * The compressor of rewritten layers: gzip through the runtime's
 * CompressionStream (native, streaming, deterministic for a Deno version),
 * zstd through node's zlib.
 */
function _compressor(c: Compression): TransformStream<Uint8Array, Uint8Array> {
  return c === "gzip"
    ? new CompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>
    : compressor(c);
}

const BLOCK = 256 * 1024;

/**
 * Re-cuts a stream into blocks of one size, so a compressor sees the same
 * writes whatever the chunks upstream were (its output can depend on them):
 * the same input always compresses to the same bytes.
 */
function _fixedBlocks(
  collect: (() => unknown) | undefined,
): TransformStream<Uint8Array, Uint8Array> {
  let block = new Uint8Array(BLOCK);
  let fill = 0;
  let blocks = 0;
  return new TransformStream({
    transform(chunk, controller) {
      let at = 0;
      while (at < chunk.byteLength) {
        const n = Math.min(BLOCK - fill, chunk.byteLength - at);
        block.set(chunk.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === BLOCK) {
          controller.enqueue(block);
          block = new Uint8Array(BLOCK);
          fill = 0;
          if (collect !== undefined && ++blocks % (COLLECT_EVERY / BLOCK) === 0) collect();
        }
      }
    },
    flush(controller) {
      if (fill > 0) controller.enqueue(block.subarray(0, fill));
    },
  });
}

/** Thrown into an upload to drop it: the rewrite changed nothing. */
class _Unchanged extends Error {}

function _hashing(
  algorithm: DigestAlgorithm,
  onDone: (digest: string, size: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const h = createHasher(algorithm);
  let size = 0;
  return new TransformStream({
    transform(chunk, controller) {
      h.update(chunk);
      size += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush() {
      onDone(h.digest(), size);
    },
  });
}

/** A layer's plain tar, opened (again) on demand, with the rewrite's outcome. */
type _Source = () => Promise<{
  plain: ReadableStream<Uint8Array>;
  outcome: Promise<RewriteOutcome> | undefined;
}>;

/**
 * Compresses a plain tar and pushes it; with `mustChange`, the upload is
 * abandoned (nothing stored) when the rewrite turns out to change nothing.
 * For a digest algorithm other than sha256 the (reproducible) output is made
 * twice: once to learn its digest, once to push it under that digest.
 */
async function _push(
  o: LayerPhaseOptions,
  source: _Source,
  mediaType: string,
  mustChange: boolean,
): Promise<{ desc: GoDescriptor; ucDigest: string } | RewriteOutcome> {
  const algorithm = o.algorithm ?? "sha256";
  const run = async (
    put: (body: ReadableStream<Uint8Array>) => Promise<{
      digest: string;
      size: number;
    }>,
  ) => {
    const { plain, outcome } = await source();
    let ucDigest = "";
    let state: RewriteOutcome | undefined;
    const gate = new TransformStream<Uint8Array, Uint8Array>({
      async flush(controller) {
        if (outcome === undefined) return;
        state = await outcome;
        if (state.empty || (mustChange && !state.changed)) controller.error(new _Unchanged());
      },
    });
    const body = plain
      .pipeThrough(_hashing(algorithm, (d) => ucDigest = d))
      .pipeThrough(_fixedBlocks(o.collect))
      .pipeThrough(_compressor(COMPRESSION_OF[mediaType] ?? "gzip"))
      .pipeThrough(gate);
    try {
      const d = await put(body);
      const desc = new GoDescriptor();
      desc.MediaType = mediaType;
      desc.Digest = d.digest;
      desc.Size = d.size;
      return { desc, ucDigest };
    } catch (err) {
      if (state !== undefined && (err instanceof _Unchanged || state.empty || !state.changed)) {
        return state;
      }
      throw err;
    }
  };
  const repo = withoutReference(o.target);
  if (algorithm === "sha256") {
    return await run((body) => o.client.blobPut(repo, body, { signal: o.signal }));
  }
  const known = await run(async (body) => {
    let out = { digest: "", size: 0 };
    await body.pipeThrough(_hashing(algorithm, (digest, size) => out = { digest, size }))
      .pipeTo(new WritableStream());
    return out;
  });
  if (!("desc" in known)) return known;
  const { Digest: digest, Size: size } = known.desc;
  return await run((body) => o.client.blobPut(repo, body, { digest, size, signal: o.signal }));
}

/** Pushes a layer's bytes unchanged under another digest algorithm (hashed first). */
async function _rehash(o: LayerPhaseOptions, l: ModLayer, cur: GoDescriptor): Promise<void> {
  const algorithm = o.algorithm ?? "sha256";
  const from = l.from ?? o.source;
  const open = async () =>
    (await o.client.blobGet(from, cur.Digest, { size: cur.Size, signal: o.signal })).body;
  let raw = { digest: "", size: 0 };
  let ucDigest: string | undefined;
  const [a, b] = (await open()).tee();
  const hashRaw = a.pipeThrough(_hashing(algorithm, (digest, size) => raw = { digest, size }))
    .pipeTo(new WritableStream());
  const hashPlain = KNOWN_TARS.includes(cur.MediaType)
    ? openDecompressed(b, `layer "${cur.Digest}"`).then((d) =>
      d.body.pipeThrough(_hashing(algorithm, (digest) => ucDigest = digest)).pipeTo(
        new WritableStream(),
      )
    )
    : b.cancel();
  await Promise.all([hashRaw, hashPlain]);
  await o.client.blobPut(withoutReference(o.target), await open(), {
    digest: raw.digest,
    size: raw.size,
    signal: o.signal,
  });
  const next = cloneDescriptor(cur);
  next.Digest = raw.digest;
  l.newDesc = next;
  l.ucDigest = ucDigest;
  if (l.mod === "unchanged") l.mod = "replaced";
}

async function _rewrite(o: LayerPhaseOptions, l: ModLayer): Promise<void> {
  const edits = o.edits.filter((e) => e.appliesTo(l)).map((e) => e.edit);
  const cur = l.newDesc ?? l.desc;
  let mediaType = cur.MediaType;
  for (const c of o.compress) mediaType = recompressedType(mediaType, c) ?? mediaType;
  const recompress = mediaType !== cur.MediaType;
  const tar = KNOWN_TARS.includes(cur.MediaType) || l.mod === "added";
  const rehash = o.algorithm !== undefined && cur.Digest !== "" &&
    parseDigest(cur.Digest).algorithm !== o.algorithm;
  if (l.mod !== "added" && (!tar || (edits.length === 0 && !recompress))) {
    if (rehash) await _rehash(o, l, cur);
    return;
  }
  const source: _Source = async () => {
    let plain: ReadableStream<Uint8Array>;
    if (l.added !== undefined) {
      plain = (await openDecompressed(await l.added.open(), "added layer")).body;
    } else {
      const from = l.from ?? o.source;
      const blob = await o.client.blobGet(from, cur.Digest, { size: cur.Size, signal: o.signal });
      plain = (await openDecompressed(blob.body, `layer "${cur.Digest}"`)).body;
    }
    if (edits.length === 0) return { plain, outcome: undefined };
    const r = rewriteTar(plain, edits, `layer "${cur.Digest || "added"}"`);
    return { plain: r.body, outcome: r.outcome };
  };
  const mustChange = !recompress && !rehash && l.mod !== "added";
  const result = await _push(o, source, mediaType, mustChange);
  if (!("desc" in result)) {
    if (result.empty) l.mod = "deleted";
    else if (rehash) await _rehash(o, l, cur);
    return;
  }
  const next = l.mod === "added" ? result.desc : cloneDescriptor(cur);
  next.MediaType = mediaType;
  next.Digest = result.desc.Digest;
  next.Size = result.desc.Size;
  l.newDesc = next;
  l.ucDigest = result.ucDigest;
  if (l.mod === "unchanged") l.mod = "replaced";
}

/**
 * Runs the layer phase over every image of the graph, children first.
 *
 * @param top the top manifest
 * @param o client, references, edits and compression
 * @returns when every layer was rewritten, pushed or copied
 * @throws {ArchiveError} for a corrupt layer
 * @throws {DigestMismatchError} when a layer does not match its digest
 */
export async function runLayerPhase(top: ModManifest, o: LayerPhaseOptions): Promise<void> {
  const active = o.edits.length > 0 || o.compress.length > 0 || o.algorithm !== undefined;
  const walk = async (m: ModManifest): Promise<void> => {
    for (const child of m.children) await walk(child);
    for (const l of m.layers) {
      if (l.mod === "deleted" || l.desc.URLs.length > 0) continue;
      if (active || l.mod === "added") await _rewrite(o, l);
      const from = l.from ?? o.source;
      if (
        l.mod === "unchanged" &&
        (!equalRepository(from, o.target) || from.scheme !== o.target.scheme)
      ) {
        const t = o.client.transport(from);
        await copyBlob(
          { transport: t, ref: withoutReference(from) },
          { transport: o.client.transport(o.target), ref: withoutReference(o.target) },
          l.desc.Digest,
          { size: l.desc.Size, mediaType: l.desc.MediaType, signal: o.signal },
        );
      }
    }
  };
  await walk(top);
}
