/**
 * Manifest steps of `image mod` (regclient's `stepsManifest`): annotations,
 * media type conversion, external URLs, layer removal and addition, rebase.
 * Each runs on every manifest, children first.
 *
 * @module
 */
import type { Client } from "../client.ts";
import {
  ManifestInvalidError,
  OciError,
  UnsupportedMediaTypeError,
  UsageError,
} from "../errors.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import {
  GoDockerList,
  GoDockerManifest,
  GoOciIndex,
  GoOciManifest,
} from "../gotypes/oci_manifest.ts";
import type { Platform } from "../types/descriptor.ts";
import { parseDigest } from "../types/digest.ts";
import { MediaType } from "../types/media_type.ts";
import { platformMatches } from "../types/platform.ts";
import { commonName, parseRef, type Ref } from "../types/ref.ts";
import {
  type AddedLayer,
  type GoImageDoc,
  type GoManifestDoc,
  isIndexDoc,
  mediaTypeOf,
  type ModManifest,
  platformOf,
  remarshal,
} from "./image_graph.ts";
import type { ModStep } from "./mod_step.ts";
import { rebaseStep } from "./rebase.ts";

/** What a manifest step needs besides the manifest. */
export interface StepContext {
  /** The client. */
  client: Client;
  /** The image modified. */
  source: Ref;
  /** Where the result goes. */
  target: Ref;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** A step of the manifest phase. */
export type ManifestStep = (m: ModManifest) => Promise<void> | void;

/** A step with a platform filter, to report one that matched no image. */
export interface PlatformFilter {
  /** The flag, for the message. */
  flag: string;
  /** The platforms asked for. */
  platforms: Platform[];
  /** How many images matched. */
  matched: number;
}

/** The platform filters of a phase, to check once it ran. */
export class PlatformFilters {
  /** Every filter with platforms. */
  readonly list: PlatformFilter[] = [];

  /**
   * Makes a filter (kept in {@link list} when it names platforms).
   *
   * @param flag the flag, for messages
   * @param platforms the platforms asked for (empty: every image)
   * @returns the filter
   */
  make(flag: string, platforms: Platform[]): PlatformFilter {
    const f = { flag, platforms, matched: 0 };
    if (platforms.length > 0) this.list.push(f);
    return f;
  }
}

/**
 * Tells whether an image matches a platform filter (empty: every manifest),
 * counting matches.
 *
 * @param m the manifest
 * @param filter the filter
 * @returns true when the step applies to it
 */
export function matchesFilter(m: ModManifest, filter: PlatformFilter): boolean {
  if (filter.platforms.length === 0) return true;
  const p = platformOf(m);
  if (isIndexDoc(m.doc) || p === undefined) return false;
  if (!filter.platforms.some((want) => platformMatches(want, p))) return false;
  filter.matched++;
  return true;
}

const BASE_NAME = "org.opencontainers.image.base.name";
const BASE_DIGEST = "org.opencontainers.image.base.digest";

const TO_DOCKER: Readonly<Record<string, string>> = {
  [MediaType.OCI_LAYER]: MediaType.DOCKER_LAYER,
  [MediaType.OCI_LAYER_GZIP]: MediaType.DOCKER_LAYER_GZIP,
  [MediaType.OCI_LAYER_ZSTD]: MediaType.DOCKER_LAYER_ZSTD,
  [MediaType.OCI_LAYER_FOREIGN_GZIP]: MediaType.DOCKER_LAYER_FOREIGN,
};
const TO_OCI: Readonly<Record<string, string>> = {
  [MediaType.DOCKER_LAYER]: MediaType.OCI_LAYER,
  [MediaType.DOCKER_LAYER_GZIP]: MediaType.OCI_LAYER_GZIP,
  [MediaType.DOCKER_LAYER_ZSTD]: MediaType.OCI_LAYER_ZSTD,
  [MediaType.DOCKER_LAYER_FOREIGN]: MediaType.OCI_LAYER_FOREIGN_GZIP,
};
const URLS_RM: Readonly<Record<string, string>> = {
  [MediaType.DOCKER_LAYER_FOREIGN]: MediaType.DOCKER_LAYER_GZIP,
  [MediaType.OCI_LAYER_FOREIGN]: MediaType.OCI_LAYER,
  [MediaType.OCI_LAYER_FOREIGN_GZIP]: MediaType.OCI_LAYER_GZIP,
  [MediaType.OCI_LAYER_FOREIGN_ZSTD]: MediaType.OCI_LAYER_ZSTD,
};

function _annotation(
  step: { name: string; value: string; topOnly?: boolean },
  filter: PlatformFilter,
): ManifestStep {
  return (m) => {
    if (m.mod === "deleted" || (step.topOnly && !m.top) || !matchesFilter(m, filter)) return;
    const cur = m.doc.Annotations.get(step.name);
    if ((step.value === "" && cur === undefined) || (step.value !== "" && step.value === cur)) {
      return;
    }
    if (step.value === "") m.doc.Annotations.delete(step.name);
    else m.doc.Annotations.set(step.name, step.value);
    remarshal(m, false);
  };
}

function _converted<T extends GoManifestDoc>(doc: T, from: GoManifestDoc): T {
  doc.SchemaVersion = 2;
  doc.Annotations = from.Annotations;
  if (isIndexDoc(doc) && isIndexDoc(from)) doc.Manifests = from.Manifests;
  if (!isIndexDoc(doc) && !isIndexDoc(from)) {
    doc.Config = from.Config;
    doc.Layers = from.Layers;
  }
  doc.MediaType = mediaTypeOf(doc);
  return doc;
}

function _asOci(m: ModManifest): GoOciManifest | GoOciIndex {
  const d = m.doc;
  if (d instanceof GoOciManifest || d instanceof GoOciIndex) return d;
  return d instanceof GoDockerList
    ? _converted(new GoOciIndex(), d)
    : _converted(new GoOciManifest(), d);
}

function _asDocker(oci: GoOciManifest | GoOciIndex): GoDockerManifest | GoDockerList {
  return oci instanceof GoOciIndex
    ? _converted(new GoDockerList(), oci)
    : _converted(new GoDockerManifest(), oci);
}

function _annotationBase(step: { base: Ref; digest: string }): ManifestStep {
  return (m) => {
    if (m.mod === "deleted") return;
    const oci = _asOci(m);
    const name = commonName(step.base);
    let changed = false;
    if (oci.Annotations.get(BASE_NAME) !== name) {
      oci.Annotations.set(BASE_NAME, name);
      changed = true;
    }
    if (oci.Annotations.get(BASE_DIGEST) !== step.digest) {
      oci.Annotations.set(BASE_DIGEST, step.digest);
      changed = true;
    }
    if (!changed) return;
    m.doc.Annotations = oci.Annotations;
    remarshal(m);
  };
}

function _promote(): ManifestStep {
  return (m) => {
    if (m.mod === "deleted" || !isIndexDoc(m.doc)) return;
    let common: Map<string, string> | undefined;
    for (const child of m.children) {
      if (child.mod === "deleted") continue;
      const cur = child.doc.Annotations;
      if (common === undefined) common = new Map(cur);
      else {
        for (const [k, v] of [...common]) if (cur.get(k) !== v) common.delete(k);
      }
      if (common.size === 0) return;
    }
    if (common === undefined || common.size === 0) return;
    let changed = false;
    for (const [k, v] of common) {
      if (m.doc.Annotations.get(k) !== v) {
        m.doc.Annotations.set(k, v);
        changed = true;
      }
    }
    if (changed) remarshal(m);
  };
}

function _labelToAnnotation(): ManifestStep {
  return (m) => {
    if (m.mod === "deleted" || isIndexDoc(m.doc) || m.config === undefined) return;
    const labels = m.config.image.Config.Labels;
    if (labels.size === 0) return;
    let changed = false;
    for (const [k, v] of labels) {
      if (m.doc.Annotations.get(k) !== v) {
        m.doc.Annotations.set(k, v);
        changed = true;
      }
    }
    if (changed) remarshal(m);
  };
}

function _convert(toDocker: boolean, ctx: StepContext): ManifestStep {
  return (m) => {
    if (m.mod === "deleted") return;
    const d = m.doc;
    if (isIndexDoc(d)) {
      const want = toDocker ? MediaType.DOCKER_MANIFEST_LIST : MediaType.OCI_INDEX;
      if (m.mediaType === want) return;
      const oci = _asOci(m);
      m.doc = toDocker ? _asDocker(oci) : oci;
      remarshal(m);
      return;
    }
    const oci = _asOci(m) as GoOciManifest;
    let changed = m.mediaType !== (toDocker ? MediaType.DOCKER_MANIFEST : MediaType.OCI_MANIFEST);
    if (toDocker && oci.ArtifactType !== "") {
      throw new UnsupportedMediaTypeError(
        `Cannot convert "${commonName(ctx.source)}" to Docker media types: it has an artifactType`,
      );
    }
    const from = toDocker ? MediaType.OCI_CONFIG : MediaType.DOCKER_CONFIG;
    if (oci.Config.MediaType === from) {
      oci.Config.MediaType = toDocker ? MediaType.DOCKER_CONFIG : MediaType.OCI_CONFIG;
      changed = true;
    }
    const map = toDocker ? TO_DOCKER : TO_OCI;
    for (const l of oci.Layers) {
      const to = map[l.MediaType];
      if (to === undefined) continue;
      l.MediaType = to;
      changed = true;
    }
    if (!changed) return;
    m.doc = toDocker ? _asDocker(oci) : oci;
    remarshal(m);
  };
}

function _externalUrlsRm(): ManifestStep {
  return (m) => {
    if (m.mod === "deleted" || isIndexDoc(m.doc)) return;
    let changed = false;
    for (const l of (m.doc as GoImageDoc).Layers) {
      if (l.URLs.length === 0) continue;
      l.URLs = [];
      l.MediaType = URLS_RM[l.MediaType] ?? l.MediaType;
      changed = true;
    }
    for (const l of m.layers) {
      if (l.mod === "deleted") continue;
      if (l.desc.URLs.length > 0) {
        l.desc = GoDescriptor.fromJSON({ ...l.desc.toJSON(), urls: [] });
        l.desc.MediaType = URLS_RM[l.desc.MediaType] ?? l.desc.MediaType;
      }
    }
    if (changed) remarshal(m);
  };
}

const DOCKER_REF_TYPE = "vnd.docker.reference.type";
const DOCKER_REF_DIGEST = "vnd.docker.reference.digest";

function _toOciReferrers(ctx: StepContext): ManifestStep {
  return (m) => {
    if (m.mod === "deleted" || !isIndexDoc(m.doc)) return;
    const byDigest = new Map<string, ModManifest>([[m.origDesc.digest, m]]);
    for (const child of m.children) byDigest.set(child.origDesc.digest, child);
    let changed = false;
    for (const [i, child] of m.children.entries()) {
      if (child.mod === "deleted") continue;
      const entry = m.doc.Manifests[i];
      const type = entry?.Annotations.get(DOCKER_REF_TYPE) ?? "";
      const digest = entry?.Annotations.get(DOCKER_REF_DIGEST) ?? "";
      if (type === "" || digest === "") continue;
      const subject = byDigest.get(digest);
      if (subject === undefined) {
        throw new ManifestInvalidError(
          `Cannot turn "${entry!.Digest}" of "${
            commonName(ctx.source)
          }" into a referrer: its subject "${digest}" is not in the index (put --to-oci-referrers before other steps)`,
        );
      }
      if (!(child.doc instanceof GoOciManifest || child.doc instanceof GoOciIndex)) {
        throw new UnsupportedMediaTypeError(
          `Cannot turn "${entry!.Digest}" of "${
            commonName(ctx.source)
          }" into a referrer: media type "${child.mediaType}" has no subject (add --to-oci first)`,
        );
      }
      if (child.doc.Subject?.Digest !== digest) {
        child.doc.Annotations.set(DOCKER_REF_TYPE, type);
        remarshal(child, false);
      }
      (subject.adopted ??= []).push({ ...child, mod: "added", referrer: true });
      child.mod = "deleted";
      changed = true;
    }
    if (changed && m.mod === "unchanged") m.mod = "replaced";
  };
}

function _markDeleted(m: ModManifest, index: number): boolean {
  let orig = 0;
  for (const l of m.layers) {
    if (l.mod === "added") continue;
    if (orig === index) {
      l.mod = "deleted";
      return true;
    }
    orig++;
  }
  return false;
}

function _layerRmIndex(index: number, ctx: StepContext): ManifestStep {
  return (m) => {
    if (!m.top || isIndexDoc(m.doc) || m.config === undefined) {
      throw new UsageError(
        `Cannot remove layer ${index} of "${
          commonName(ctx.source)
        }": --layer-rm-index needs a single image (give one platform's manifest by digest)`,
      );
    }
    if (!_markDeleted(m, index)) {
      const count = m.layers.filter((l) => l.mod !== "added").length;
      throw new UsageError(
        `Cannot remove layer ${index} of "${
          commonName(ctx.source)
        }": the image has ${count} layers (indexes start at 0)`,
      );
    }
  };
}

function _layerRmCreatedBy(pattern: RegExp, ctx: StepContext): ManifestStep {
  return (m) => {
    if (isIndexDoc(m.doc) || m.config === undefined) return;
    if (m.layers.length === 0) {
      throw new UsageError(`Cannot remove layers of "${commonName(ctx.source)}": it has none`);
    }
    const del: number[] = [];
    let i = 0;
    for (const h of m.config.image.History) {
      if (h.EmptyLayer) continue;
      if (pattern.test(h.CreatedBy)) del.push(i);
      i++;
    }
    if (del.length === 0) {
      throw new UsageError(
        `Cannot remove layers of "${
          commonName(ctx.source)
        }": no history created_by matches ${pattern.source}`,
      );
    }
    for (const index of del) _markDeleted(m, index);
  };
}

/** Options of a `--layer-add` step: how to open its source. */
export type LayerOpener = (source: { kind: "tar" | "dir"; path: string }) => Promise<
  ReadableStream<Uint8Array>
>;

function _layerAdd(
  step: Extract<ModStep, { kind: "layer-add" }>,
  filter: PlatformFilter,
  opener: LayerOpener,
): ManifestStep {
  const added: AddedLayer = { open: () => opener(step.source) };
  return (m) => {
    if (m.mod === "deleted" || isIndexDoc(m.doc)) return;
    if (!matchesFilter(m, filter)) return;
    const docker = m.mediaType === MediaType.DOCKER_MANIFEST;
    const mt = step.mediaType ?? (docker ? MediaType.DOCKER_LAYER_GZIP : MediaType.OCI_LAYER_GZIP);
    const desc = new GoDescriptor();
    desc.MediaType = mt;
    m.layers.push({ mod: "added", desc, added });
  };
}

/**
 * Builds the manifest steps of a step list, in order.
 *
 * @param steps every step
 * @param ctx client, source and target
 * @param opener opens `--layer-add` sources
 * @returns the manifest steps and the platform filters to check afterwards
 * @throws {UsageError} for `--rebase` on an image without base annotations
 */
export function manifestSteps(
  steps: readonly ModStep[],
  ctx: StepContext,
  opener: LayerOpener,
  top: ModManifest,
): { steps: ManifestStep[]; filters: PlatformFilter[]; forceLayerWalk: () => boolean } {
  const out: ManifestStep[] = [];
  const filters = new PlatformFilters();
  const filter = filters.make.bind(filters);
  let rebased = false;
  for (const s of steps) {
    switch (s.kind) {
      case "annotation":
        out.push(_annotation(s, filter("--annotation", s.platforms)));
        break;
      case "annotation-base":
        out.push(_annotationBase(s));
        break;
      case "annotation-promote":
        out.push(_promote());
        break;
      case "label-to-annotation":
        out.push(_labelToAnnotation());
        break;
      case "to-docker":
      case "to-oci":
        out.push(_convert(s.kind === "to-docker", ctx));
        break;
      case "to-oci-referrers":
        out.push(_toOciReferrers(ctx));
        break;
      case "digest-algo":
        out.push((m) => {
          if (m.mod === "deleted") return;
          const cur = m.algorithm ?? parseDigest(m.origDesc.digest).algorithm;
          if (cur === s.algorithm) return;
          m.algorithm = s.algorithm;
          remarshal(m, false);
        });
        break;
      case "external-urls-rm":
        out.push(_externalUrlsRm());
        break;
      case "layer-rm-index":
        out.push(_layerRmIndex(s.index, ctx));
        break;
      case "layer-rm-created-by":
        out.push(_layerRmCreatedBy(s.pattern, ctx));
        break;
      case "layer-add":
        out.push(_layerAdd(s, filter("--layer-add", s.platforms), opener));
        break;
      case "rebase":
      case "rebase-ref": {
        const bases = s.kind === "rebase-ref" ? s : _baseFromAnnotations(top, ctx);
        out.push(rebaseStep(bases.oldBase, bases.newBase, ctx, () => {
          rebased = true;
        }));
        break;
      }
    }
  }
  return { steps: out, filters: filters.list, forceLayerWalk: () => rebased };
}

function _baseFromAnnotations(top: ModManifest, ctx: StepContext): { oldBase: Ref; newBase: Ref } {
  const name = top.doc.Annotations.get(BASE_NAME);
  const digest = top.doc.Annotations.get(BASE_DIGEST);
  if (name === undefined || digest === undefined) {
    throw new UsageError(
      `Cannot rebase "${
        commonName(ctx.source)
      }": it has no ${BASE_NAME} and ${BASE_DIGEST} annotations (use --rebase-ref OLD,NEW)`,
    );
  }
  let newBase: Ref;
  try {
    newBase = parseRef(name);
  } catch (err) {
    if (err instanceof OciError) {
      throw new ManifestInvalidError(
        `Cannot rebase "${commonName(ctx.source)}": the base name "${name}" does not parse`,
        { cause: err },
      );
    }
    throw err;
  }
  return { oldBase: { ...newBase, digest }, newBase };
}
