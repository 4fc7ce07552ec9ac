/**
 * Pushes a modified graph (regclient's `dagPut`): children first, each
 * index entry and layer descriptor updated, history and diff_ids kept in
 * step with removed and added layers, configs and manifests re-marshalled
 * only when they changed.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { ManifestInvalidError, UnsupportedMediaTypeError } from "../errors.ts";
import { isNil } from "../gotypes/go_nil.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { GoOciIndex, GoOciManifest } from "../gotypes/oci_manifest.ts";
import { GoHistory } from "../gotypes/oci_image.ts";
import type { GoTime } from "../gotypes/go_time.ts";
import { copyBlob } from "../ops/blob_copy.ts";
import { readCapped } from "../read_capped.ts";
import { digestOf } from "../types/digest.ts";
import { MANIFEST_READ_LIMIT } from "../types/manifest.ts";
import {
  addDigest,
  commonName,
  equalRepository,
  type Ref,
  withDigest,
  withoutReference,
} from "../types/ref.ts";
import {
  cloneDescriptor,
  configBytes,
  currentDescriptor,
  type GoImageDoc,
  isIndexDoc,
  loadManifest,
  type ModManifest,
  remarshal,
} from "./image_graph.ts";

/** What pushing a graph needs. */
export interface PutGraphOptions {
  /** The client. */
  client: Client;
  /** The image modified. */
  source: Ref;
  /** Where the result goes (tag, or none: by digest). */
  target: Ref;
  /** `--data-max`: embed blobs up to this size; -1 keeps data fields as they are. */
  maxData: number;
  /** Creation time of history entries for added layers. */
  created: GoTime;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

function _sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

function _otherRepo(o: PutGraphOptions): boolean {
  return !equalRepository(o.source, o.target) || o.source.scheme !== o.target.scheme;
}

async function _blobBytes(o: PutGraphOptions, d: GoDescriptor): Promise<Uint8Array> {
  const b = await o.client.blobGet(withoutReference(o.target), d.Digest, {
    size: d.Size,
    signal: o.signal,
  });
  return await readCapped(b.body, MANIFEST_READ_LIMIT, `blob "${d.Digest}"`);
}

/** Sets or strips a descriptor's data field; says whether it is wanted at all. */
async function _data(
  o: PutGraphOptions,
  d: GoDescriptor,
  read: () => Promise<Uint8Array> | Uint8Array,
): Promise<void> {
  if (d.Size <= o.maxData || (o.maxData < 0 && d.Data.byteLength > 0)) {
    d.Data = await read();
  } else if (o.maxData >= 0 && d.Size > o.maxData && d.Data.byteLength > 0) {
    d.Data = new Uint8Array(0);
  }
}

async function _putIndex(m: ModManifest, o: PutGraphOptions): Promise<boolean> {
  const doc = m.doc as Exclude<typeof m.doc, GoImageDoc>;
  let changed = false;
  for (const [i, child] of m.children.entries()) {
    const entry = doc.Manifests[i];
    if (entry === undefined) {
      throw new ManifestInvalidError(
        `Cannot modify "${commonName(o.source)}": index entries changed`,
      );
    }
    if (child.mod === "deleted") continue;
    await putGraph(child, o);
    const cur = await currentDescriptor(child);
    const d = cloneDescriptor(entry);
    d.MediaType = cur.mediaType;
    d.Digest = cur.digest;
    d.Size = cur.size;
    await _data(o, d, () => child.raw);
    if (child.mod === "replaced" || !_sameBytes(entry.Data, d.Data)) {
      entry.Digest = d.Digest;
      entry.Size = d.Size;
      entry.MediaType = d.MediaType;
      entry.Data = d.Data;
      changed = true;
    }
  }
  for (let i = m.children.length - 1; i >= 0; i--) {
    if (m.children[i]!.mod !== "deleted") continue;
    doc.Manifests.splice(i, 1);
    changed = true;
  }
  return changed;
}

async function _putImage(m: ModManifest, o: PutGraphOptions): Promise<boolean> {
  const doc = m.doc as GoImageDoc;
  const config = m.config;
  const image = config?.image;
  const history = image?.History ?? [];
  const diffIds = image?.RootFS.DiffIDs;
  const hasDiffIds = diffIds !== undefined && !isNil(diffIds);
  let changed = false;
  let iConfig = image !== undefined && !isNil(image.History) ? 0 : -1;
  const where = commonName(o.source);
  for (const [i, layer] of m.layers.entries()) {
    if (i >= doc.Layers.length && layer.mod !== "added") {
      throw new ManifestInvalidError(`Cannot modify "${where}": the manifest lost layers`);
    }
    while (iConfig >= 0 && iConfig < history.length && history[iConfig]!.EmptyLayer) {
      iConfig++;
      if (iConfig >= history.length && layer.mod !== "added") {
        throw new ManifestInvalidError(
          `Cannot modify "${where}": the config history has fewer entries than the layers`,
        );
      }
    }
    if (layer.mod === "deleted") {
      if (iConfig >= 0) iConfig++;
      continue;
    }
    const d = cloneDescriptor(
      layer.mod !== "unchanged" && layer.newDesc !== undefined ? layer.newDesc : layer.desc,
    );
    await _data(o, d, () => _blobBytes(o, d));
    if (layer.mod === "added") {
      doc.Layers.splice(i, 0, d);
      if (hasDiffIds && diffIds.length >= i) diffIds.splice(i, 0, layer.ucDigest ?? "");
      const h = new GoHistory();
      h.Created = o.created;
      h.Comment = "ocictl";
      if (iConfig >= 0) history.splice(Math.min(iConfig, history.length), 0, h);
      changed = true;
    } else if (layer.mod === "replaced" || !_sameBytes(doc.Layers[i]!.Data, d.Data)) {
      doc.Layers[i] = d;
      if (hasDiffIds && diffIds.length >= i + 1 && layer.ucDigest !== undefined) {
        diffIds[i] = layer.ucDigest;
      }
      changed = true;
    }
    if (iConfig >= 0) iConfig++;
  }
  iConfig = history.length - 1;
  for (let i = m.layers.length - 1; i >= 0; i--) {
    while (iConfig >= 0 && history[iConfig]!.EmptyLayer) iConfig--;
    if (m.layers[i]!.mod !== "deleted") {
      if (iConfig >= 0) iConfig--;
      continue;
    }
    doc.Layers.splice(i, 1);
    if (hasDiffIds && diffIds.length >= i + 1) diffIds.splice(i, 1);
    if (iConfig >= 0) {
      history.splice(iConfig, 1);
      iConfig--;
    }
    changed = true;
  }
  const repo = withoutReference(o.target);
  let cBytes: Uint8Array | undefined;
  if (config !== undefined) {
    if (changed) config.modified = true;
    cBytes = configBytes(config);
    if (config.modified || config.algorithm !== undefined) {
      const bytes = cBytes;
      const put = await o.client.blobPut(repo, ReadableStream.from([bytes]), {
        digest: config.algorithm === undefined
          ? undefined
          : await digestOf(bytes, config.algorithm),
        size: bytes.byteLength,
        signal: o.signal,
      });
      doc.Config.MediaType = config.desc.mediaType;
      doc.Config.Digest = put.digest;
      doc.Config.Size = put.size;
      changed = true;
    } else if (_otherRepo(o)) {
      await _copy(o, o.source, config.desc.digest, config.desc.size);
    }
  } else if (doc.Config.Digest !== "" && _otherRepo(o)) {
    await _copy(o, o.source, doc.Config.Digest, doc.Config.Size);
  }
  const c = doc.Config;
  if (c.Size <= o.maxData || (o.maxData < 0 && c.Data.byteLength > 0)) {
    const bytes = cBytes ?? await _blobBytes(o, c);
    if (!_sameBytes(c.Data, bytes)) {
      c.Data = bytes;
      changed = true;
    }
  } else if (o.maxData >= 0 && c.Size > o.maxData && c.Data.byteLength > 0) {
    c.Data = new Uint8Array(0);
    changed = true;
  }
  return changed;
}

/**
 * Points the referrers of a changed manifest at its new digest (same
 * repository only, as regclient): each is re-marshalled with the new
 * subject and pushed by digest, and its own referrers follow.
 */
async function _putReferrers(m: ModManifest, o: PutGraphOptions): Promise<void> {
  if (_otherRepo(o)) return;
  const cur = await currentDescriptor(m);
  for (const r of m.adopted ?? []) await _putReferrer(r, cur, o);
  if (m.mod !== "replaced") return;
  const listed = await o.client.referrerList(withDigest(o.source, m.origDesc.digest), {
    signal: o.signal,
  });
  for (const d of listed) {
    const r = await loadManifest(o.client, withoutReference(o.source), d, o.signal);
    if (!(r.doc instanceof GoOciManifest || r.doc instanceof GoOciIndex)) {
      throw new UnsupportedMediaTypeError(
        `Cannot point referrer "${d.digest}" of "${
          commonName(o.source)
        }" at the modified image: media type "${r.mediaType}" has no subject`,
      );
    }
    await _putReferrer(r, cur, o);
  }
}

/** Points one referrer at its subject's current descriptor and pushes it by digest. */
async function _putReferrer(
  r: ModManifest,
  subjectDesc: { mediaType: string; digest: string; size: number },
  o: PutGraphOptions,
): Promise<void> {
  if (!(r.doc instanceof GoOciManifest || r.doc instanceof GoOciIndex)) return;
  const subject = new GoDescriptor();
  subject.MediaType = subjectDesc.mediaType;
  subject.Digest = subjectDesc.digest;
  subject.Size = subjectDesc.size;
  r.doc.Subject = subject;
  r.referrer = true;
  remarshal(r, false);
  await putGraph(r, o);
}

async function _copy(o: PutGraphOptions, from: Ref, digest: string, size: number): Promise<void> {
  await copyBlob(
    { transport: o.client.transport(from), ref: withoutReference(from) },
    { transport: o.client.transport(o.target), ref: withoutReference(o.target) },
    digest,
    { size, signal: o.signal },
  );
}

/**
 * Pushes a graph, children first; the top manifest goes to the target's
 * tag, or by digest when the target has none.
 *
 * @param m the manifest (the top one for a whole image)
 * @param o client, references, data size, history time
 * @returns the reference written for the top manifest
 * @throws {ManifestInvalidError} when the manifest, layers and history disagree
 */
export async function putGraph(m: ModManifest, o: PutGraphOptions): Promise<Ref> {
  if (m.mod === "deleted") return o.target;
  const changed = isIndexDoc(m.doc) ? await _putIndex(m, o) : await _putImage(m, o);
  if (changed) remarshal(m);
  const digest = (await currentDescriptor(m)).digest;
  await _putReferrers(m, o);
  let put = o.target;
  if (!m.top) put = withDigest(o.target, digest);
  else if (put.tag === "" || put.digest !== "" || m.algorithm !== undefined) {
    put = addDigest({ ...put, digest: "" }, digest);
  }
  if (m.mod === "replaced" || m.mod === "added" || _otherRepo(o) || (m.top && put.tag !== "")) {
    await o.client.manifestPut(put, m.raw, {
      mediaType: m.mediaType,
      child: !m.top && m.referrer !== true,
      signal: o.signal,
    });
  }
  return put;
}
