/**
 * Explicit garbage collection for long streaming passes (a layer of
 * `image mod` rewritten and compressed again).
 *
 * Every chunk of a stream is an ArrayBuffer whose bytes live outside V8's
 * heap. V8 frees them only when it collects the small objects that own them,
 * and it starts such a collection on its own only when about 64 MiB of these
 * outside bytes have piled up (more under plain `deno run`, whose young
 * generation is larger). On a 1 GiB layer that garbage was most of the peak
 * RSS of `image mod` (217 MiB). The collector made here is offered a chance
 * every MiB of data and runs a full collection when the memory in use grew
 * by more than a slack since the last one: a few milliseconds each time.
 *
 * V8 only exposes `gc` with `--expose-gc`; the flag is set at run time
 * through `node:v8` and the function read from a new `node:vm` context (the
 * main context gets no `gc` global). When that does not work, there is no
 * collector and V8 collects on its own.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Growth of the memory in use, in bytes, that triggers a collection (16 MiB). */
export const COLLECT_SLACK = 16 * 1024 * 1024;

let _gc: (() => void) | null | undefined;

function _runtimeGc(): (() => void) | undefined {
  if (_gc === undefined) {
    _gc = null;
    try {
      setFlagsFromString("--expose-gc");
      const gc: unknown = runInNewContext("typeof gc === 'function' ? gc : undefined");
      if (typeof gc === "function") _gc = () => gc();
    } catch {
      // no collector: V8 collects on its own
    }
  }
  return _gc ?? undefined;
}

/**
 * Makes a collector that runs a full garbage collection when the memory in
 * use grew by more than `slack` bytes since its last collection.
 *
 * @param inUse the bytes in use now (V8 heap plus ArrayBuffers)
 * @param slack the growth that triggers a collection
 * @returns the collector, or undefined when the runtime offers no `gc`
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { garbageCollector } from "./garbage_collector.ts";
 * let used = 0;
 * const collect = garbageCollector(() => used, 100);
 * assert.ok(collect);
 * used = 50;
 * assert.equal(collect(), false);
 * used = 200;
 * assert.equal(collect(), true);
 * ```
 */
export function garbageCollector(
  inUse: () => number,
  slack: number = COLLECT_SLACK,
): (() => boolean) | undefined {
  const gc = _runtimeGc();
  if (gc === undefined) return undefined;
  let level = inUse();
  return () => {
    if (inUse() - level <= slack) return false;
    gc();
    level = inUse();
    return true;
  };
}
