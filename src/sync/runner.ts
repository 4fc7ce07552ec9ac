/**
 * The step runner of `ocictl sync`: regsync's per-step algorithm over the
 * existing copy operation. A `registry` step lists `_catalog` and filters
 * repositories, a `repository` step lists and filters tags, and every image
 * is compared with one HEAD on each side and copied only when needed (with
 * the media-type gate, `platform`/`platforms`, referrers, digest tags,
 * backups, the `parallel` bound and the rate-limit wait), plus what regsync
 * lacks: hooks, `prune`, `tags.keepNewest` and a run summary.
 *
 * @module
 */
import { AbortedError, NotFoundError, UsageError } from "../errors.ts";
import { isRepoLister, type Transport } from "../transport/transport.ts";
import type { Descriptor } from "../types/descriptor.ts";
import { isIndexMediaType } from "../types/media_type.ts";
import { parsePlatform } from "../types/platform.ts";
import {
  commonName,
  parseRef,
  type Ref,
  withDigest,
  withoutReference,
  withTag,
} from "../types/ref.ts";
import { copyImage, type CopyResult, type SharedBlobs } from "../ops/copy.ts";
import { filterIndex } from "../ops/platform_filter.ts";
import { _Limiter } from "../ops/_limiter.ts";
import { parseTemplate } from "../template/template.ts";
import { parseGoDuration } from "../schedule/go_duration.ts";
import type { HookSpec, SyncStep } from "./config_types.ts";
import { goRef, goStep } from "./go_template_data.ts";
import { imageCreated, platformChild } from "./_image_probe.ts";
import {
  emptySummary,
  type HookInput,
  type SyncMode,
  type SyncRunnerOptions,
  type SyncSummary,
} from "./runner_types.ts";
import { allVersions, filterAllowDeny, selectTags, sortVersionsNewestFirst } from "./tag_filter.ts";

/**
 * Runs sync steps.
 *
 * @example Copy one image between two memory repositories
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryTransport } from "../transport/memory/memory_transport.ts";
 * import { buildSampleImages } from "../sample/sample_images.ts";
 * import { parseRef } from "../types/ref.ts";
 * import { loadSyncConfig } from "./config.ts";
 * import { SyncRunner } from "./runner.ts";
 * const t = new MemoryTransport();
 * await buildSampleImages(t, parseRef("example.com/a"));
 * const { config } = loadSyncConfig(
 *   "sync: [{source: example.com/a:v1, target: example.com/b:v1, type: image}]",
 * );
 * const quiet = { info() {}, warn() {}, error() {}, debug() {} };
 * const runner = new SyncRunner({ transport: () => t, logger: quiet });
 * const s = await runner.run(config.sync, "once", new AbortController().signal);
 * assert.equal(s.copied, 1);
 * ```
 */
export class SyncRunner {
  #o: SyncRunnerOptions;
  #slots: _Limiter;
  /** Blobs moved by the runs in flight (a new map when none is running). */
  #blobs: SharedBlobs = new Map();
  #running = 0;
  #perStep = new WeakMap<SyncStep, _Limiter>();

  /**
   * Creates a runner; its `parallel` slots are shared by every run.
   *
   * @param options transports, logger, limits and seams
   */
  constructor(options: SyncRunnerOptions) {
    this.#o = options;
    this.#slots = new _Limiter(Math.max(1, options.parallel ?? 0));
  }

  /**
   * Runs steps (concurrently when `parallel` > 0, as regsync does).
   *
   * @param steps the steps
   * @param mode copy, copy missing, or check
   * @param signal cancels the pass
   * @returns the summary (failures are counted in it, not thrown)
   * @throws {AbortedError} when `signal` aborts
   */
  async run(steps: readonly SyncStep[], mode: SyncMode, signal: AbortSignal): Promise<SyncSummary> {
    const now = this.#o.now ?? Date.now;
    const started = now();
    const summary = emptySummary();
    if (this.#running++ === 0) this.#blobs = new Map();
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      const one = (step: SyncStep) => this.#runStep(step, mode, stop, summary);
      if ((this.#o.parallel ?? 0) > 0 && mode !== "check") await Promise.all(steps.map(one));
      else for (const step of steps) await one(step);
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#running--;
    }
    summary.ms = now() - started;
    if (signal.aborted) throw new AbortedError("Cannot finish the sync: it was cancelled");
    return summary;
  }

  async #runStep(
    step: SyncStep,
    mode: SyncMode,
    stop: AbortController,
    summary: SyncSummary,
  ): Promise<void> {
    if (stop.signal.aborted) return;
    try {
      if (step.type === "image") {
        await this.#image(step, parseRef(step.source), parseRef(step.target), mode, stop, summary);
      } else if (step.type === "repository") {
        await this.#repository(step, step.source, step.target, mode, stop, summary);
      } else {
        await this.#registry(step, mode, stop, summary);
      }
    } catch (err) {
      if (stop.signal.aborted) return;
      this.#fail(summary, step.source, step.target, err, stop);
    }
  }

  #fail(summary: SyncSummary, source: string, target: string, err: unknown, stop: AbortController) {
    summary.failed++;
    summary.errors.push({ source, target, error: err });
    this.#o.logger.error("Failed to sync", { source, target, error: _message(err) });
    if (this.#o.abortOnError) stop.abort(err);
  }

  async #registry(
    step: SyncStep,
    mode: SyncMode,
    stop: AbortController,
    summary: SyncSummary,
  ): Promise<void> {
    const srcReg = parseRef(`${step.source}/x`);
    const base: Ref = { ...srcReg, repository: "", tag: "", digest: "" };
    const t = this.#o.transport(base, step);
    if (!isRepoLister(t)) {
      throw new UsageError(`Cannot list repositories of "${step.source}": it is not a registry`);
    }
    const all = await t.repoList(base, { signal: stop.signal });
    const repos = filterAllowDeny(all, step.repos.allow, step.repos.deny);
    if (repos.length === 0) {
      this.#o.logger.warn("No matching repositories found", { source: step.source });
    }
    for (const repo of repos) {
      if (stop.signal.aborted) return;
      try {
        await this.#repository(
          step,
          `${step.source}/${repo}`,
          `${step.target}/${repo}`,
          mode,
          stop,
          summary,
        );
      } catch (err) {
        if (stop.signal.aborted) return;
        this.#fail(summary, `${step.source}/${repo}`, `${step.target}/${repo}`, err, stop);
      }
    }
  }

  async #repository(
    step: SyncStep,
    source: string,
    target: string,
    mode: SyncMode,
    stop: AbortController,
    summary: SyncSummary,
  ): Promise<void> {
    const srcRepo = parseRef(source);
    const tgtRepo = parseRef(target);
    const srcT = this.#o.transport(srcRepo, step);
    const tgtT = this.#o.transport(tgtRepo, step);
    const sourceTags = await srcT.tagList(srcRepo, { signal: stop.signal });
    let selected = selectTags(sourceTags, step.tags, step.tagSets);
    if (step.tags.keepNewest > 0 && selected.length > step.tags.keepNewest) {
      selected = await this.#newest(srcT, srcRepo, selected, step.tags.keepNewest, stop.signal);
    }
    if (selected.length === 0) {
      this.#o.logger.warn("No matching tags found", { source });
    }
    let targetTags: string[] | undefined;
    if (mode === "missing" || step.prune) {
      try {
        targetTags = await tgtT.tagList(tgtRepo, { signal: stop.signal });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        targetTags = [];
      }
    }
    let todo = selected;
    if (mode === "missing" && targetTags !== undefined) {
      const have = new Set(targetTags);
      todo = selected.filter((t) => !have.has(t));
    }
    const checks = new _Limiter(this.#o.checkConcurrency ?? 8);
    await Promise.all(todo.map((tag) =>
      checks.run(async () => {
        if (stop.signal.aborted) return;
        const src = withTag(srcRepo, tag);
        const tgt = withTag(tgtRepo, tag);
        try {
          await this.#image(step, src, tgt, mode, stop, summary);
        } catch (err) {
          if (stop.signal.aborted) return;
          this.#fail(summary, commonName(src), commonName(tgt), err, stop);
        }
      })
    ));
    if (step.prune && targetTags !== undefined && !stop.signal.aborted && mode !== "missing") {
      await this.#prune(step, tgtT, tgtRepo, targetTags, selected, mode, stop, summary);
    }
  }

  /** Keeps the newest `n` tags: by version when all are versions, else by image creation time. */
  async #newest(
    t: Transport,
    repo: Ref,
    tags: string[],
    n: number,
    signal: AbortSignal,
  ): Promise<string[]> {
    if (allVersions(tags)) return sortVersionsNewestFirst(tags).slice(0, n);
    const dated = await Promise.all(tags.map(async (tag, i) => ({
      tag,
      i,
      at: await imageCreated(t, withTag(repo, tag), signal),
    })));
    return dated.sort((a, b) => b.at - a.at || a.i - b.i).slice(0, n).map((d) => d.tag);
  }

  async #prune(
    step: SyncStep,
    t: Transport,
    repo: Ref,
    targetTags: readonly string[],
    selected: readonly string[],
    mode: SyncMode,
    stop: AbortController,
    summary: SyncSummary,
  ): Promise<void> {
    const keep = new Set(selected);
    if (step.backup !== undefined) {
      for (const tag of selected) {
        const b = this.#backupRef(step, withTag(repo, tag));
        if (b.registry === repo.registry && b.repository === repo.repository) keep.add(b.tag);
      }
    }
    for (const tag of targetTags) {
      if (keep.has(tag) || /^(sha256|sha512)-[0-9a-f]{64}/.test(tag)) continue;
      const ref = withTag(repo, tag);
      if (mode === "check") {
        this.#o.logger.info("Tag would be pruned", { target: commonName(ref) });
        summary.pruned++;
        continue;
      }
      try {
        await t.tagDelete(ref, { signal: stop.signal });
        summary.pruned++;
        this.#o.logger.info("Pruned tag", { target: commonName(ref) });
      } catch (err) {
        if (stop.signal.aborted) return;
        this.#fail(summary, "", commonName(ref), err, stop);
      }
    }
  }

  #backupRef(step: SyncStep, tgt: Ref): Ref {
    // An image step's target is the reference as written; a tag from a listing is its common name.
    const written = step.type === "image" && parseRef(step.target).tag === tgt.tag
      ? step.target
      : undefined;
    const data = { Ref: goRef(tgt, written), Step: goStep(step), Sync: goStep(step) };
    const io = this.#o.templateIo;
    const text = parseTemplate(step.backup ?? "").execute(data, {
      env: io?.env ?? {},
      ...(io?.readFile ? { readFile: io.readFile } : {}),
    }).trim();
    return /[:/]/.test(text) ? parseRef(text) : withTag(withoutReference(tgt), text);
  }

  async #image(
    step: SyncStep,
    src: Ref,
    tgt: Ref,
    mode: SyncMode,
    stop: AbortController,
    summary: SyncSummary,
  ): Promise<void> {
    const signal = stop.signal;
    const log = this.#o.logger;
    const srcT = this.#o.transport(src, step);
    const tgtT = this.#o.transport(tgt, step);
    const source = commonName(src);
    const target = commonName(tgt);
    summary.checked++;
    const srcDesc = await srcT.manifestHead(src, { signal });
    let tgtDesc: Descriptor | undefined;
    try {
      tgtDesc = await tgtT.manifestHead(tgt, { signal });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    const input: HookInput = {
      event: "unchanged",
      step: step.index,
      type: step.type,
      source,
      target,
      sourceDigest: srcDesc.digest,
      targetDigest: tgtDesc?.digest ?? "",
      copiedDigest: "",
    };
    let matches = tgtDesc !== undefined && tgtDesc.digest === srcDesc.digest;
    const deep = step.forceRecursive || step.referrers || step.digestTags;
    const upToDate = async () => {
      summary.skipped++;
      log.info("Image up to date", { source, target, digest: tgtDesc?.digest });
      if (mode !== "check") await this.#hook(step.hooks.unchanged, input, signal);
    };
    if (matches && (step.fastCheck || !deep)) return await upToDate();
    if (tgtDesc !== undefined && mode === "missing") {
      summary.skipped++;
      log.info("Image exists, copying missing tags only", {
        source,
        target,
        digest: tgtDesc.digest,
      });
      return;
    }
    if (!step.mediaTypes.includes(srcDesc.mediaType)) {
      summary.skipped++;
      log.info("Skipping unsupported media type", {
        source,
        target,
        digest: srcDesc.digest,
        mediaType: srcDesc.mediaType,
        allowed: step.mediaTypes,
      });
      return;
    }
    let from = src;
    let platforms: string[] = [];
    if (isIndexMediaType(srcDesc.mediaType) && step.platform !== undefined) {
      const child = await platformChild(srcT, src, step.platform, signal);
      from = withDigest(src, child);
      matches = tgtDesc?.digest === child;
      input.sourceDigest = child;
      if (matches && !step.forceRecursive) return await upToDate();
    } else if (isIndexMediaType(srcDesc.mediaType) && step.platforms.length > 0) {
      const index = await srcT.manifestGet(src, { signal });
      const f = await filterIndex(index, step.platforms.map((p) => parsePlatform(p)));
      input.sourceDigest = f.manifest.digest;
      matches = tgtDesc?.digest === f.manifest.digest;
      platforms = step.platforms;
      if (matches && (step.fastCheck || !deep)) return await upToDate();
    }
    if (matches) {
      log.info("Image refreshing", {
        source,
        target,
        digest: input.sourceDigest,
        forced: step.forceRecursive,
        digestTags: step.digestTags,
        referrers: step.referrers,
      });
    } else {
      log.info("Image sync needed", {
        source,
        target,
        digest: input.sourceDigest,
        ...(tgtDesc ? { targetDigest: tgtDesc.digest } : {}),
      });
    }
    if (mode === "check") {
      summary.needed++;
      return;
    }
    await this.#stepSlots(step).run(() =>
      this.#withSlot(step, src, signal, async () => {
        if (signal.aborted) return;
        input.event = "pre";
        if (!(await this.#hook(step.hooks.pre, input, signal))) {
          summary.skipped++;
          log.warn("Skipping image: the pre hook failed", {
            source,
            target,
            digest: input.sourceDigest,
          });
          return;
        }
        if (tgtDesc !== undefined && !matches && step.backup !== undefined) {
          await this.#backup(step, tgt, tgtDesc.digest, signal, summary);
        }
        const result = await this.#copy(step, from, tgt, platforms, signal);
        summary.bytes += result.bytes;
        if (result.skipped && result.manifests + result.blobs + result.mounted === 0) {
          summary.skipped++;
          log.info("Image up to date", { source, target, digest: result.digest, refreshed: true });
          input.event = "unchanged";
          await this.#hook(step.hooks.unchanged, input, signal);
          return;
        }
        summary.copied++;
        log.info("Image copied", {
          source,
          target,
          digest: result.digest,
          blobs: result.blobs,
          bytes: result.bytes,
        });
        input.event = "post";
        input.copiedDigest = result.digest;
        if (!(await this.#hook(step.hooks.post, input, signal))) {
          log.warn("The post hook failed", { source, target });
        }
      })
    );
  }

  /** The step's own copy bound (unbounded when it sets no `parallel`). */
  #stepSlots(step: SyncStep): _Limiter {
    let l = this.#perStep.get(step);
    if (l === undefined) {
      l = new _Limiter(step.parallel ?? 0);
      this.#perStep.set(step, l);
    }
    return l;
  }

  /** Holds a parallel slot for `task`, waiting for the source's rate limit without a slot. */
  async #withSlot(
    step: SyncStep,
    src: Ref,
    signal: AbortSignal,
    task: () => Promise<void>,
  ): Promise<void> {
    const min = step.ratelimit.min;
    const rl = this.#o.rateLimit;
    const retry = parseGoDuration(step.ratelimit.retry) ?? 300_000;
    const sleep = this.#o.sleep;
    for (;;) {
      let waited = false;
      await this.#slots.run(async () => {
        if (min > 0 && rl !== undefined && rl(src) !== undefined) {
          await this.#o.transport(src, step).manifestHead(src, { signal });
          const now = rl(src);
          if (now !== undefined && now.remain < min) {
            this.#o.logger.info("Delaying for rate limit", {
              source: commonName(src),
              "source-remain": now.remain,
              "source-limit": now.limit,
              "step-min": min,
              sleep: step.ratelimit.retry,
            });
            waited = true;
            return;
          }
        }
        await task();
      });
      if (!waited) return;
      if (sleep === undefined) throw new UsageError("Cannot wait for the rate limit: no clock");
      await sleep(retry, signal);
      if (signal.aborted) throw new AbortedError("Cannot finish the sync: it was cancelled");
    }
  }

  async #backup(
    step: SyncStep,
    tgt: Ref,
    digest: string,
    signal: AbortSignal,
    summary: SyncSummary,
  ): Promise<void> {
    let backup: Ref | undefined;
    try {
      backup = this.#backupRef(step, tgt);
      this.#o.logger.info("Saving backup", {
        original: commonName(tgt),
        backup: commonName(backup),
        digest,
      });
      await copyImage(
        { transport: this.#o.transport(tgt, step), ref: tgt },
        { transport: this.#o.transport(backup, step), ref: backup },
        { signal },
      );
      summary.backups++;
    } catch (err) {
      if (signal.aborted) throw err;
      this.#o.logger.warn("Failed to backup existing image", {
        original: commonName(tgt),
        backup: backup ? commonName(backup) : step.backup,
        error: _message(err),
      });
    }
  }

  #copy(
    step: SyncStep,
    src: Ref,
    tgt: Ref,
    platforms: string[],
    signal: AbortSignal,
  ): Promise<CopyResult> {
    const rs = step.referrers && step.referrerSource ? parseRef(step.referrerSource) : undefined;
    const rt = step.referrers && step.referrerTarget ? parseRef(step.referrerTarget) : undefined;
    return copyImage(
      { transport: this.#o.transport(src, step), ref: src },
      { transport: this.#o.transport(tgt, step), ref: tgt },
      {
        referrers: step.referrers,
        referrerFilters: step.referrerFilters,
        referrersSrc: rs ? { transport: this.#o.transport(rs, step), ref: rs } : undefined,
        referrersTgt: rt ? { transport: this.#o.transport(rt, step), ref: rt } : undefined,
        digestTags: step.digestTags,
        fast: step.fastCheck,
        forceRecursive: step.forceRecursive,
        includeExternal: step.includeExternal,
        platforms: platforms.length > 0 ? platforms.map((p) => parsePlatform(p)) : undefined,
        sharedBlobs: this.#blobs,
        signal,
      },
    );
  }

  /** Runs a hook when set; resolves true when it is absent or succeeded. */
  async #hook(hook: HookSpec | undefined, input: HookInput, signal: AbortSignal): Promise<boolean> {
    if (hook === undefined) return true;
    const run = this.#o.runHook;
    if (run === undefined) return false;
    try {
      const r = await run(hook, input, signal);
      if (r.code === 0 && !r.timedOut) return true;
      this.#o.logger.error("Hook failed", {
        hook: input.event,
        command: hook.params[0],
        code: r.code,
        timedOut: r.timedOut,
        source: input.source,
        target: input.target,
      });
    } catch (err) {
      this.#o.logger.error("Hook failed", {
        hook: input.event,
        command: hook.params[0],
        error: _message(err),
      });
    }
    return false;
  }
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
