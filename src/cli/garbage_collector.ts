/**
 * An explicit garbage collection for long streaming passes (a layer of
 * `image mod` rewritten and compressed again).
 *
 * Every chunk of a stream is an ArrayBuffer whose bytes live outside V8's
 * heap. V8 frees them only when it collects the small objects that own them,
 * and it starts such a collection on its own only when about 64 MiB of these
 * outside bytes have piled up since the last one (more when the young
 * generation is large, as under plain `deno run`). Measured on a 1 GiB layer,
 * that garbage is most of the peak RSS of `image mod`. A collection every few
 * MiB of data costs a few milliseconds and keeps the peak low.
 *
 * V8 only exposes `gc` with `--expose-gc`; the flag is set at run time
 * through `node:v8` and the function read from a new `node:vm` context (the
 * main context keeps no `gc` global). When that does not work, there is no
 * collector and V8 collects on its own.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let _collector: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection, made once per process.
 *
 * @returns the collector, or undefined when the runtime offers none
 * @throws never
 *
 * @example
 * ```ts
 * import { garbageCollector } from "./garbage_collector.ts";
 * garbageCollector()?.();
 * ```
 */
export function garbageCollector(): (() => void) | undefined {
  if (_collector === undefined) {
    _collector = null;
    try {
      setFlagsFromString("--expose-gc");
      const gc: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
      if (typeof gc === "function") _collector = () => gc();
    } catch {
      // no collector: V8 collects on its own
    }
  }
  return _collector ?? undefined;
}
