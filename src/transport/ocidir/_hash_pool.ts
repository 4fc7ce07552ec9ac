/**
 * Hashing files off the main thread: one worker (`hash_worker.ts`), shared
 * by every check of the process, started on first use (or early, through
 * {@link warmHashWorker}) and ended when nothing holds it. Part of the Deno
 * file-system seam (see `denoFileSystem.hashFile`).
 *
 * Measured on a 2-core machine, pulling 4×64 MiB from docker-registry into
 * a new layout with `image copy`: hashing the growing files on the main
 * thread held up the download that thread drives; with the worker the main
 * thread's CPU time fell from 380–420 ms to 190–250 ms (the hashing moved
 * to the other core), for 12–14 MiB more peak RSS (the worker's isolate
 * and node:crypto). The worker is an optimisation only: when it cannot
 * run, or cannot read a file, the caller hashes the file itself.
 *
 * @module
 */
import type { FileHash, FileHashOptions, PieceHasher } from "./file_system_types.ts";
import type { HashJob, HashReply, PieceJob } from "./hash_worker.ts";

interface _Job {
  settle(result: FileHash | "unavailable"): void;
  onBytes: ((count: number) => void) | undefined;
}

let worker: Worker | undefined;
/** Set when the worker failed: the process hashes on the main thread from then on. */
let broken = false;
let holds = 0;
let nextId = 0;
const jobs = new Map<number, _Job>();

function _start(): Worker | undefined {
  if (worker !== undefined || broken) return worker;
  try {
    worker = new Worker(new URL("./hash_worker.ts", import.meta.url).href, { type: "module" });
  } catch {
    broken = true;
    return undefined;
  }
  worker.onmessage = (e: MessageEvent) => {
    const m = e.data as HashReply;
    if (m.type === "ready") return;
    const job = jobs.get(m.id);
    if (job === undefined) return;
    if (m.type === "bytes") job.onBytes?.(m.count);
    else if (m.type === "done") job.settle({ digest: m.digest, count: m.count });
    else job.settle("unavailable");
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    broken = true;
    for (const job of [...jobs.values()]) job.settle("unavailable");
    _end();
  };
  return worker;
}

function _end(): void {
  worker?.terminate();
  worker = undefined;
}

function _hold(): void {
  holds++;
}

function _release(): void {
  holds--;
  if (holds === 0) _end();
}

/**
 * Tells whether the hashing worker is running (for tests: it must end when
 * nothing holds it).
 *
 * @returns true while it runs
 */
export function hashWorkerRunning(): boolean {
  return worker !== undefined;
}

/**
 * Starts the hashing worker now, so it is ready when the first file is
 * checked, and keeps it until the returned function is called.
 *
 * @returns the release (call it exactly once)
 */
export function warmHashWorker(): () => void {
  _hold();
  _start();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    _release();
  };
}

/**
 * Hashes a file on the worker, following it while `writing` is pending,
 * and reads at most `size + 1` bytes.
 *
 * @param path the file
 * @param options algorithm, size bound, the write it follows, progress, cancellation
 * @returns the digest and the bytes read, or `undefined` when the worker is
 *   unavailable (hash it on this thread)
 * @throws {unknown} the rejection of `writing`, or the signal's reason when it aborts
 */
export async function hashFileOffThread(
  path: string,
  options: FileHashOptions,
): Promise<FileHash | undefined> {
  _hold();
  try {
    const w = _start();
    if (w === undefined) return undefined;
    const id = nextId++;
    const job: HashJob = {
      type: "check",
      id,
      path,
      algorithm: options.algorithm,
      size: options.size,
      following: options.writing !== undefined,
      syncEvery: options.syncEvery ?? 0,
      progress: options.onBytes !== undefined,
    };
    let settle: (r: FileHash | "unavailable") => void = () => {};
    let fail: (err: unknown) => void = () => {};
    const result = new Promise<FileHash | "unavailable">((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    jobs.set(id, { settle, onBytes: options.onBytes });
    const stop = (err: unknown) => {
      worker?.postMessage({ type: "stop", id });
      fail(err);
    };
    const onAbort = () => stop(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    options.writing?.then(() => worker?.postMessage({ type: "end", id }), stop);
    try {
      if (options.signal?.aborted) throw options.signal.reason;
      w.postMessage(job);
      const r = await result;
      return r === "unavailable" ? undefined : r;
    } finally {
      jobs.delete(id);
      options.signal?.removeEventListener("abort", onAbort);
    }
  } finally {
    _release();
  }
}

/**
 * Most piece jobs on the worker at once; more streams hash on their own
 * thread, so both threads hash when many run (32 concurrent GETs of blobs
 * not yet checked were slower with every one of them on the worker).
 */
const PIECE_JOBS_MAX = 2;
let pieceJobs = 0;

/**
 * Hashes, on the worker, pieces this thread reads and sends elsewhere
 * (a server's response): each piece must be a view of a `SharedArrayBuffer`
 * that is never written again, so the worker reads it without a copy.
 * Serving a 256 MiB blob not yet checked (curl, medians of interleaved runs):
 * 611–741 MiB/s hashing on the main thread, 768–1013 MiB/s with this.
 *
 * @param algorithm digest algorithm
 * @returns the job (call `digest` or `stop` exactly once), or `undefined`
 *   when the worker cannot run or already hashes its share (hash on this thread)
 */
export function hashPiecesOffThread(algorithm: string): PieceHasher | undefined {
  if (pieceJobs >= PIECE_JOBS_MAX) return undefined;
  _hold();
  const w = _start();
  if (w === undefined) {
    _release();
    return undefined;
  }
  const id = nextId++;
  let settle: (r: FileHash | "unavailable") => void = () => {};
  const result = new Promise<FileHash | "unavailable">((resolve) => (settle = resolve));
  jobs.set(id, { settle, onBytes: undefined });
  pieceJobs++;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    pieceJobs--;
    jobs.delete(id);
    _release();
  };
  const send = (m: PieceJob) => worker?.postMessage(m);
  send({ type: "pieces", id, algorithm });
  return {
    update: (piece) => {
      if (!ended) send({ type: "piece", id, piece });
    },
    digest: async () => {
      if (ended) return undefined;
      send({ type: "finish", id });
      try {
        const r = await result;
        return r === "unavailable" ? undefined : r;
      } finally {
        end();
      }
    },
    stop: () => {
      if (ended) return;
      worker?.postMessage({ type: "stop", id });
      settle("unavailable");
      end();
    },
  };
}
