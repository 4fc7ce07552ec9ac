/**
 * Tunes glibc's allocator for `ocictl serve`: a blob is sent in 512 KiB
 * pieces, each its own buffer, so a server under many pulls allocates and
 * frees hundreds of MiB a second. With glibc's defaults those pieces come
 * from fresh `mmap`s, or from a heap top that is handed back to the kernel
 * and faulted in again: in a profile of 32 concurrent pulls, page faults and
 * page clearing took about 18% of the server's CPU.
 *
 * Taking pieces up to 32 MiB from the heap, keeping up to 256 MiB of free
 * heap top and growing the heap 16 MiB at a time (`mallopt`), measured on a
 * 2-core machine, 32×16 MiB pulls with curl, interleaved rounds: 202–214 ms
 * a round against 234–258 ms, and the server's CPU a round 240 against 295
 * ms; `deno task bench serve_vs_distribution` went from 1.00–1.06× to
 * 1.38–1.39× docker-registry on that row. Peak RSS stayed at 220–240 MiB.
 * One setting alone was slower than none: a trim threshold alone (fixed
 * 128 KiB mmap threshold) 350–385 ms, an mmap threshold alone 258–298 ms.
 *
 * glibc only (a `*-linux-gnu` build), and only with FFI permission: the
 * binary has it; `deno run` without `--allow-ffi` serves untuned, and is
 * never prompted.
 *
 * @module
 */

/** glibc `mallopt` parameter: free heap top kept before it is returned to the kernel. */
export const M_TRIM_THRESHOLD: number = -1;
/** glibc `mallopt` parameter: extra bytes asked for whenever the heap grows. */
export const M_TOP_PAD: number = -2;
/** glibc `mallopt` parameter: allocations from this size get their own `mmap`. */
export const M_MMAP_THRESHOLD: number = -3;

/** The settings `serve` applies, in order: [parameter, value]. */
export const SERVE_MALLOC_SETTINGS: readonly (readonly [number, number])[] = [
  [M_MMAP_THRESHOLD, 32 * 1024 * 1024],
  [M_TRIM_THRESHOLD, 256 * 1024 * 1024],
  [M_TOP_PAD, 16 * 1024 * 1024],
];

/** The C library, as far as tuning needs it. */
export interface CLibrary {
  /** glibc `int mallopt(int param, int value)`: 1 on success. */
  mallopt(param: number, value: number): number;
  /** Releases the handle. */
  close(): void;
}

/** What {@link tuneAllocator} reads from the process (the plugin passes Deno's). */
export interface AllocatorHost {
  /** The build's target triple (`Deno.build.target`). */
  target: string;
  /** Whether loading a native library is allowed without a prompt. */
  ffiGranted(): boolean;
  /** Opens the C library (`Deno.dlopen` of `libc.so.6`). */
  openLibc(): CLibrary;
}

/** What {@link tuneAllocator} did. */
export type AllocatorTuning =
  | { tuned: true }
  | { tuned: false; reason: string };

/**
 * Applies {@link SERVE_MALLOC_SETTINGS} through glibc's `mallopt`. Never
 * throws: a process that cannot be tuned runs with the defaults.
 *
 * @param host the build target, the FFI permission and the C library
 * @returns whether the allocator was tuned, and why not
 *
 * @example Tune through a stand-in C library
 * ```ts
 * import assert from "node:assert/strict";
 * const calls: number[][] = [];
 * const r = tuneAllocator({
 *   target: "x86_64-unknown-linux-gnu",
 *   ffiGranted: () => true,
 *   openLibc: () => ({ mallopt: (p, v) => (calls.push([p, v]), 1), close() {} }),
 * });
 * assert.deepEqual(r, { tuned: true });
 * assert.equal(calls.length, 3);
 * ```
 */
export function tuneAllocator(host: AllocatorHost): AllocatorTuning {
  if (!host.target.endsWith("-linux-gnu")) {
    return { tuned: false, reason: `not a glibc build (${host.target})` };
  }
  try {
    if (!host.ffiGranted()) return { tuned: false, reason: "no FFI permission (--allow-ffi)" };
  } catch (err) {
    return { tuned: false, reason: `cannot query the FFI permission: ${String(err)}` };
  }
  let lib: CLibrary;
  try {
    lib = host.openLibc();
  } catch (err) {
    return { tuned: false, reason: `cannot open the C library: ${String(err)}` };
  }
  try {
    for (const [i, [param, value]] of SERVE_MALLOC_SETTINGS.entries()) {
      if (lib.mallopt(param, value) !== 1) {
        const partly = i > 0 ? ` (the ${i} before it applied)` : "";
        return { tuned: false, reason: `mallopt(${param}, ${value}) refused${partly}` };
      }
    }
    return { tuned: true };
  } catch (err) {
    return { tuned: false, reason: `mallopt failed: ${String(err)}` };
  } finally {
    try {
      lib.close();
    } catch {
      // the settings are applied; the handle only keeps libc referenced
    }
  }
}
