/**
 * The progress display of a copy, drawn as regctl draws it on a terminal: a
 * bar per blob in flight (short digest, bar, percent, bytes, rate and time
 * left) above a summary line (manifests, bytes copied, skipped and queued,
 * elapsed time). The block is redrawn in place with ANSI cursor moves. It only
 * formats text; the caller decides where it goes and whether to use it.
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
  /** Least time between redraws caused by events, in milliseconds. @default 250 */
  interval?: number | undefined;
  /** Terminal width in columns (0 when unknown). @default 0 */
  columns?: number | undefined;
}

/** The hooks to hand to a copy, `tick` for a timer and `finish` to end the display. */
export interface Progress extends CopyHooks {
  /** Redraws when something changed or a second passed (call it from a timer). @returns nothing */
  tick(): void;
  /** Replaces the bars with the final summary line. @returns nothing */
  finish(): void;
}

interface _Blob {
  size: number;
  done: number;
  start: number;
  end: number | undefined;
}

/** Bars shown for finished blobs, newest last. */
const FINISHED_SHOWN = 2;
/** Narrowest and widest bar, in characters. */
const BAR_MIN = 10;
const BAR_MAX = 40;

/**
 * Formats a byte count as regclient's `units.HumanSize` does: decimal units,
 * three decimals (`0.000B`, `385.000B`, `131.452kB`, `2.746MB`).
 *
 * @param n bytes (or bytes per second)
 * @returns the text
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { humanSize } from "./progress.ts";
 * assert.equal(humanSize(131452), "131.452kB");
 * assert.equal(humanSize(0), "0.000B");
 * ```
 */
export function humanSize(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(3).padStart(5)}${units[i]}`;
}

function _duration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Creates a progress display.
 *
 * @param options writer, clock, redraw interval, terminal width
 * @returns copy hooks plus `tick` and `finish`
 * @throws never
 *
 * @example A finished copy leaves the summary line
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
 * assert.ok(text.endsWith("Manifests: 0/0 | Blobs: 2.048kB copied, 0.000B skipped | Elapsed: 0s\n"));
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const interval = options.interval ?? 250;
  const columns = options.columns ?? 0;
  const created = now();
  const blobs = new Map<string, _Blob>();
  let manifestsTotal = 0;
  let manifestsDone = 0;
  let skippedBytes = 0;
  let shownLines = 0;
  let lastDraw = -Infinity;
  let lastSecond = -1;
  let changed = false;
  let any = false;

  const blobLine = (digest: string, b: _Blob, t: number): string => {
    let pre = `${digest} `;
    if (pre.length > 15) pre = `${pre.slice(0, 14)} `;
    const pct = b.size > 0 ? Math.min(1, b.done / b.size) : 0;
    const seconds = ((b.end ?? t) - b.start) / 1000;
    const rate = seconds > 0 ? b.done / seconds : 0;
    let post = ` ${(pct * 100).toFixed(2)}% ${humanSize(b.done)}/${humanSize(Math.max(b.size, 0))}`;
    if (rate > 0) post += ` ${humanSize(rate)}/s`;
    if (b.end === undefined && rate > 0 && b.size > b.done) {
      post += ` ${_duration((b.size - b.done) / rate)} left`;
    }
    const width = Math.min(Math.max(columns - pre.length - post.length - 2, BAR_MIN), BAR_MAX);
    const filled = Math.min(Math.max(Math.floor(width * pct), 0), width);
    const body = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
    return `${pre}[${body}]${post}\n`;
  };

  const summary = (t: number): string => {
    let copied = 0;
    let queued = 0;
    for (const b of blobs.values()) {
      copied += b.done;
      if (b.size > b.done) queued += b.size - b.done;
    }
    let s = `Manifests: ${manifestsDone}/${manifestsTotal} | Blobs: ${humanSize(copied)} copied, ` +
      `${humanSize(skippedBytes)} skipped`;
    if (queued > 0) s += `, ${humanSize(queued)} queued`;
    return `${s} | Elapsed: ${Math.floor((t - created) / 1000)}s\n`;
  };

  const rows = (text: string): number => {
    let n = 0;
    for (const line of text.split("\n").slice(0, -1)) {
      n += columns > 0 && line.length > columns ? Math.ceil(line.length / columns) : 1;
    }
    return n;
  };

  const draw = (final: boolean) => {
    const t = now();
    lastDraw = t;
    lastSecond = Math.floor((t - created) / 1000);
    changed = false;
    let text = "";
    if (!final) {
      const finished = [...blobs.entries()].filter(([, b]) => b.end !== undefined)
        .sort((a, b) => (a[1].end ?? 0) - (b[1].end ?? 0)).slice(-FINISHED_SHOWN);
      const active = [...blobs.entries()].filter(([, b]) => b.end === undefined)
        .sort((a, b) => b[1].done - a[1].done);
      for (const [digest, b] of [...finished, ...active]) text += blobLine(digest, b, t);
    }
    text += summary(t);
    const up = shownLines > 0 ? `\x1b[${shownLines}F` : "";
    options.write(`${up}\x1b[0J${text}`);
    shownLines = final ? 0 : rows(text);
  };

  const event = () => {
    any = true;
    changed = true;
    if (now() - lastDraw >= interval) draw(false);
  };

  return {
    onStart(ev: CopyEvent) {
      if (ev.kind === "manifest") manifestsTotal++;
      else blobs.set(ev.digest, { size: ev.size, done: 0, start: now(), end: undefined });
      event();
    },
    onProgress(ev: CopyEvent, done: number) {
      const b = blobs.get(ev.digest);
      if (b === undefined) return;
      b.done = done;
      event();
    },
    onSkip(ev: CopyEvent, _reason: CopySkipReason) {
      if (ev.kind === "manifest") {
        manifestsTotal++;
        manifestsDone++;
      } else {
        blobs.delete(ev.digest);
        if (ev.size > 0) skippedBytes += ev.size;
      }
      event();
    },
    onDone(ev: CopyEvent) {
      if (ev.kind === "manifest") {
        manifestsDone++;
      } else {
        const b = blobs.get(ev.digest);
        if (b !== undefined) {
          b.end = now();
          if (b.size >= 0) b.done = b.size;
        }
      }
      event();
    },
    tick() {
      if (!any) return;
      const second = Math.floor((now() - created) / 1000);
      if (changed || second !== lastSecond) draw(false);
    },
    finish() {
      if (!any) return;
      draw(true);
    },
  };
}
