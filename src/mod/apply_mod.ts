/**
 * `image mod`: applies modification steps to an image, as regclient's
 * `mod.Apply` does: manifest steps, then config steps (both in command-line
 * order, on every manifest, children first), then the layer rewrites, then
 * the push. Everything that can be refused is refused before a byte is
 * written.
 *
 * @module
 */
import type { Client } from "../client.ts";
import { UsageError } from "../errors.ts";
import { GoTime } from "../gotypes/go_time.ts";
import { type DigestAlgorithm, parseDigest } from "../types/digest.ts";
import { formatPlatform } from "../types/platform.ts";
import { type Ref, withoutReference, withTag } from "../types/ref.ts";
import { configSteps, type ResolvedTime, resolvedTime } from "./config_steps.ts";
import { putGraph } from "./graph_put.ts";
import {
  currentDescriptor,
  loadGraph,
  type ModLayer,
  type ModManifest,
  walkManifests,
} from "./image_graph.ts";
import { type LayerFileEdit, runLayerPhase } from "./layer_phase.ts";
import {
  fileTarTimeEdit,
  reproducibleEdit,
  stripFileEdit,
  timeEdit,
  type TimeSetting,
} from "./layer_rewrite.ts";
import { type LayerOpener, manifestSteps, type PlatformFilter } from "./manifest_steps.ts";
import type { LayerCompression, ModStep } from "./mod_step.ts";
import type { TimeOption } from "./time_option.ts";

/** Options of {@link applyMod}. */
export interface ApplyModOptions {
  /** Where the result goes: a tag, or a reference without one (pushed by digest). */
  target: Ref;
  /** Opens `--layer-add` sources (a tar file, a directory packed as a tar). */
  openLayer?: LayerOpener | undefined;
  /** Creation time of history entries for added layers. @default now */
  now?: (() => Date) | undefined;
  /** Offered a chance to collect garbage during long layer rewrites (passed to {@link runLayerPhase}). */
  collect?: (() => unknown) | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** What {@link applyMod} did. */
export interface ApplyModResult {
  /** The reference written (the target's tag, or its digest). */
  ref: Ref;
  /** Digest of the resulting manifest. */
  digest: string;
}

function _noOpener(): Promise<ReadableStream<Uint8Array>> {
  throw new UsageError("Cannot add a layer: no layer source is available here");
}

async function _baseDigests(
  client: Client,
  top: ModManifest,
  t: TimeOption,
  signal: AbortSignal | undefined,
): Promise<Set<string>> {
  const out = new Set<string>();
  const count = t.baseLayers ?? 0;
  if (count > 0) {
    await walkManifests(top, (m) => {
      m.layers.slice(0, count).forEach((l) => out.add(l.desc.Digest));
    });
  }
  if (t.baseRef !== undefined) {
    const base = await loadGraph(client, t.baseRef, { signal });
    await walkManifests(base, (m) => {
      for (const l of m.layers) out.add(l.desc.Digest);
    });
  }
  return out;
}

function _setting(rt: ResolvedTime): () => TimeSetting {
  return () => {
    if (rt.set === undefined) {
      throw new UsageError(`Cannot set layer times: the time is not known (check from-label=)`);
    }
    return { set: new Date(rt.set.UnixMilli()), after: rt.option.after };
  };
}

function _checkFilters(filters: readonly PlatformFilter[]): void {
  for (const f of filters) {
    if (f.matched === 0) {
      throw new UsageError(
        `Cannot apply ${f.flag}: no image matches [${
          f.platforms.map(formatPlatform).join(",")
        }] (list the platforms with "manifest get")`,
      );
    }
  }
}

/**
 * Applies the steps to an image and pushes the result.
 *
 * @param client the client
 * @param source the image to modify
 * @param steps the steps, in command-line order
 * @param options target, layer source opener, clock, cancellation
 * @returns the reference written and the digest
 * @throws {UsageError} for a step that cannot apply (nothing is written)
 * @throws {NotFoundError} when the image, a base image or a blob is missing
 * @throws {ManifestInvalidError} when the image cannot be modified as asked
 */
export async function applyMod(
  client: Client,
  source: Ref,
  steps: readonly ModStep[],
  options: ApplyModOptions,
): Promise<ApplyModResult> {
  const { signal, target } = options;
  const top = await loadGraph(client, source, { signal });
  const ctx = { client, source, target, signal };
  const manifest = manifestSteps(steps, ctx, options.openLayer ?? _noOpener, top);
  const layerTimes = new Map<ModStep, ResolvedTime>();
  const edits: LayerFileEdit[] = [];
  const compress: LayerCompression[] = [];
  for (const s of steps) {
    switch (s.kind) {
      case "layer-time":
      case "file-tar-time": {
        const rt = resolvedTime(s.time);
        layerTimes.set(s, rt);
        const base = await _baseDigests(client, top, s.time, signal);
        const appliesTo = (l: ModLayer) => !base.has(l.desc.Digest) || l.mod === "added";
        const edit = s.kind === "layer-time"
          ? timeEdit(_setting(rt))
          : fileTarTimeEdit(s.filename, _setting(rt));
        edits.push({ edit, appliesTo });
        break;
      }
      case "layer-strip-file":
        edits.push({ edit: stripFileEdit(s.path), appliesTo: () => true });
        break;
      case "reproducible":
        edits.push({ edit: reproducibleEdit(), appliesTo: () => true });
        break;
      case "layer-compress":
        compress.push(s.compression);
        break;
    }
  }
  const config = configSteps(steps, ctx, layerTimes);
  await walkManifests(top, async (m) => {
    for (const step of manifest.steps) await step(m);
  });
  let algorithm: DigestAlgorithm | undefined;
  for (const s of steps) if (s.kind === "digest-algo") algorithm = s.algorithm;
  await walkManifests(top, async (m) => {
    if (m.config === undefined) return;
    for (const step of config.steps) {
      if (await step(m, m.config.image)) m.config.modified = true;
    }
    if (algorithm !== undefined && parseDigest(m.config.desc.digest).algorithm !== algorithm) {
      m.config.algorithm = algorithm;
    }
  });
  _checkFilters([...manifest.filters, ...config.filters]);
  let maxData = -1;
  for (const s of steps) if (s.kind === "data-max") maxData = s.size;
  await runLayerPhase(top, {
    client,
    source,
    target,
    edits,
    compress,
    algorithm,
    collect: options.collect,
    signal,
  });
  const now = options.now ?? (() => new Date());
  const ref = await putGraph(top, {
    client,
    source,
    target,
    maxData,
    created: GoTime.fromDate(now()),
    signal,
  });
  return {
    ref: ref.tag !== "" ? { ...ref, digest: "" } : ref,
    digest: (await currentDescriptor(top)).digest,
  };
}

/**
 * The target of `image mod`: `--create` (a bare name is a tag in the source
 * repository), `--replace` (the source tag), or neither (by digest).
 *
 * @param source the image modified
 * @param create the `--create` value, if any
 * @param replace `--replace`
 * @param parse parses a full reference
 * @returns the target reference
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRef } from "../types/ref.ts";
 * import { modTarget } from "./apply_mod.ts";
 * const src = parseRef("ocidir://layout:v1");
 * assert.equal(modTarget(src, "v2", false, parseRef).tag, "v2");
 * assert.equal(modTarget(src, undefined, false, parseRef).tag, "");
 * ```
 */
export function modTarget(
  source: Ref,
  create: string | undefined,
  replace: boolean,
  parse: (s: string) => Ref,
): Ref {
  if (create !== undefined && create !== "") {
    if (/[/:]/.test(create)) return parse(create);
    return withTag(source, create);
  }
  if (replace) return { ...source, digest: "" };
  return withoutReference(source);
}
