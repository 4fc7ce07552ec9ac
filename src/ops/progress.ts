/**
 * A small progress renderer for copies: one status line, redrawn in place on
 * a terminal (`\r`), fed by the copy hooks. It only formats text; the caller
 * decides where it goes and whether to use it at all.
 *
 * @module
 */
import type { CopyEvent, CopyHooks, CopySkipReason } from "./copy_endpoint.ts";

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Writes text (to stderr). */
  write: (text: string) => void;
  /** Clock in milliseconds. @default Date.now */
  now?: (() => number) | undefined;
  /** Least time between redraws, in milliseconds. @default 100 */
  interval?: number | undefined;
}

/** The hooks to hand to a copy, and `finish` to end the line. */
export interface Progress extends CopyHooks {
  /** Draws the final state and ends the line. @returns nothing */
  finish(): void;
}

/**
 * Creates a progress renderer.
 *
 * @param options writer, clock, redraw interval
 * @returns copy hooks plus `finish`
 * @throws never
 *
 * @example Render a finished blob
 * ```ts
 * import assert from "node:assert/strict";
 * import { createProgress } from "./progress.ts";
 * let text = "";
 * const p = createProgress({ write: (s) => text += s, now: () => 0 });
 * const ev = { kind: "blob" as const, digest: "sha256:" + "a".repeat(64), size: 2048 };
 * p.onStart?.(ev);
 * p.onProgress?.(ev, 2048);
 * p.onDone?.(ev);
 * p.finish();
 * assert.match(text, /1\/1 blobs/);
 * assert.ok(text.endsWith("\n"));
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.interval ?? 100;
  const active = new Map<string, { size: number; done: number }>();
  let blobsTotal = 0;
  let blobsDone = 0;
  let skipped = 0;
  let manifests = 0;
  let bytesDone = 0;
  let bytesTotal = 0;
  let last = -Infinity;
  let drawn = false;
  let started: number | undefined;
  const rate = (): string => {
    const seconds = started === undefined ? 0 : (now() - started) / 1000;
    return seconds > 0 ? `, ${_bytes(bytesDone / seconds)}/s` : "";
  };
  const line = (): string =>
    `${blobsDone}/${blobsTotal} blobs, ${_bytes(bytesDone)}/${_bytes(bytesTotal)}${rate()}, ` +
    `${skipped} skipped, ${manifests} manifests`;
  const draw = (force: boolean) => {
    const t = now();
    if (!force && t - last < interval) return;
    last = t;
    drawn = true;
    options.write(`\r\x1b[K${line()}`);
  };
  return {
    onStart(ev: CopyEvent) {
      if (ev.kind !== "blob") return;
      started ??= now();
      blobsTotal++;
      if (ev.size > 0) bytesTotal += ev.size;
      active.set(ev.digest, { size: ev.size, done: 0 });
      draw(false);
    },
    onProgress(ev: CopyEvent, done: number) {
      const a = active.get(ev.digest);
      if (a === undefined) return;
      bytesDone += done - a.done;
      a.done = done;
      draw(false);
    },
    onSkip(ev: CopyEvent, _reason: CopySkipReason) {
      if (active.delete(ev.digest)) {
        blobsTotal--;
        if (ev.size > 0) bytesTotal -= ev.size;
      }
      skipped++;
      draw(false);
    },
    onDone(ev: CopyEvent) {
      if (ev.kind === "manifest") manifests++;
      else if (active.delete(ev.digest)) blobsDone++;
      draw(false);
    },
    finish() {
      if (!drawn && blobsTotal === 0 && manifests === 0 && skipped === 0) return;
      draw(true);
      options.write("\n");
    },
  };
}

function _bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
