/**
 * The hashing worker's own module (run with `new Worker`, see
 * `_hash_pool.ts`): it hashes files while another thread writes them, so
 * the main thread that drives a download is not held up by hashing. It
 * follows each file as it grows until told that the write ended, and
 * answers with the digest and the number of bytes read. It only reads.
 *
 * Messages in: {@link HashJob} (`check`), and `{ type: "end", id }` when the
 * write settled, or `{ type: "stop", id }` to give up. Messages out:
 * `{ type: "ready" }` once, then per job `{ type: "bytes", id, count }`
 * (when asked, once per MiB) and exactly one of `{ type: "done", id, digest, count }` or
 * `{ type: "failed", id, message }`.
 *
 * It also hashes bytes another thread reads and sends ({@link PieceJob}):
 * `pieces` opens a job, each `piece` (a view of a `SharedArrayBuffer`, so
 * nothing is copied) is hashed in the order sent, and `finish` answers
 * `done` with the digest of all of them (`stop` drops the job).
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** A file to hash, sent to the worker. */
export interface HashJob {
  /** Always `check`. */
  type: "check";
  /** Job id, unique within the worker. */
  id: number;
  /** The file. */
  path: string;
  /** Digest algorithm (`sha256` or `sha512`). */
  algorithm: string;
  /** Stop reading past this many bytes (one more is read, to notice a longer file). */
  size: number;
  /** The file is being written: follow it until `end`. */
  following: boolean;
  /** Flush the file to disk every this many bytes while following (0: never). */
  syncEvery: number;
  /** Report `bytes` after each piece. */
  progress: boolean;
}

/** Bytes sent to the worker to hash in order (see the module doc). */
export type PieceJob =
  | { type: "pieces"; id: number; algorithm: string }
  | { type: "piece"; id: number; piece: Uint8Array }
  | { type: "finish"; id: number };

/** What the worker answers about a job. */
export type HashReply =
  | { type: "ready" }
  | { type: "bytes"; id: number; count: number }
  | { type: "done"; id: number; digest: string; count: number }
  | { type: "failed"; id: number; message: string };

/**
 * Bytes read at once. node:crypto hashes 256 KiB and 1 MiB pieces equally
 * fast (950–1170 MiB/s; 64 KiB is slower), but a pull that follows four
 * growing files makes a quarter of the reads and wake-ups with 1 MiB: a
 * 4×64 MiB `image copy` from docker-registry into a new layout took 13–31 ms
 * less (medians of three interleaved sets of 8 runs: 452 against 465, 402
 * against 420, 450 against 481 ms), for 2–3 MiB more peak RSS.
 */
const PIECE = 1024 * 1024;
/** A read handle can flush the file (not on Windows). */
const FLUSH = Deno.build.os !== "windows";
/** Progress is told once per this many bytes (and at the expected size). */
const REPORT_EVERY = 1024 * 1024;
/**
 * First and longest wait between reads that find nothing new: short, so a
 * download that stalled a moment is not followed late (a read that finds
 * nothing costs a few microseconds).
 */
const POLL_MS = 2;
const POLL_MAX_MS = 8;

interface _Scope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: HashReply): void;
}

/** A running job: whether its write ended, and a wake-up for its wait. */
interface _Running {
  ended: boolean;
  stopped: boolean;
  wake: (() => void) | undefined;
}

const scope = globalThis as unknown as _Scope;
const running = new Map<number, _Running>();
const pieceJobs = new Map<number, { algorithm: string; hash: Hash; count: number }>();

function _wait(state: _Running, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      state.wake = undefined;
      resolve();
    }
    state.wake = done;
  });
}

async function _hash(job: HashJob, state: _Running): Promise<HashReply> {
  const hash: Hash = createHash(job.algorithm);
  const file = await Deno.open(job.path, { read: true });
  try {
    const buffer = new Uint8Array(Math.min(PIECE, job.size + 1));
    let count = 0;
    let synced = 0;
    let told = 0;
    let wait = POLL_MS;
    for (;;) {
      if (state.stopped) return { type: "failed", id: job.id, message: "stopped" };
      const final = !job.following || state.ended;
      const n = await file.read(buffer);
      if (n === null) {
        if (final) break;
        await _wait(state, wait);
        wait = Math.min(wait * 2, POLL_MAX_MS);
        continue;
      }
      wait = POLL_MS;
      count += n;
      if (count > job.size) break;
      hash.update(n === buffer.byteLength ? buffer : buffer.subarray(0, n));
      if (job.progress && (count - told >= REPORT_EVERY || count === job.size)) {
        told = count;
        scope.postMessage({ type: "bytes", id: job.id, count });
      }
      if (FLUSH && job.following && !state.ended && job.syncEvery > 0) {
        if (count - synced >= job.syncEvery) {
          synced = count;
          await file.syncData();
        }
      }
    }
    return { type: "done", id: job.id, digest: `${job.algorithm}:${hash.digest("hex")}`, count };
  } finally {
    file.close();
  }
}

function _pieces(m: PieceJob): void {
  if (m.type === "pieces") {
    pieceJobs.set(m.id, { algorithm: m.algorithm, hash: createHash(m.algorithm), count: 0 });
    return;
  }
  const job = pieceJobs.get(m.id);
  if (job === undefined) {
    scope.postMessage({ type: "failed", id: m.id, message: "unknown job" });
    return;
  }
  if (m.type === "piece") {
    job.hash.update(m.piece);
    job.count += m.piece.byteLength;
    return;
  }
  pieceJobs.delete(m.id);
  const digest = `${job.algorithm}:${job.hash.digest("hex")}`;
  scope.postMessage({ type: "done", id: m.id, digest, count: job.count });
}

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as HashJob | PieceJob | { type: "end" | "stop"; id: number };
  if (m.type === "pieces" || m.type === "piece" || m.type === "finish") {
    try {
      _pieces(m);
    } catch (err) {
      pieceJobs.delete(m.id);
      scope.postMessage({ type: "failed", id: m.id, message: String(err) });
    }
    return;
  }
  if (m.type === "stop") pieceJobs.delete(m.id);
  if (m.type !== "check") {
    const state = running.get(m.id);
    if (state === undefined) return;
    if (m.type === "end") state.ended = true;
    else state.stopped = true;
    state.wake?.();
    return;
  }
  const state: _Running = { ended: false, stopped: false, wake: undefined };
  running.set(m.id, state);
  _hash(m, state).then(
    (reply) => scope.postMessage(reply),
    (err) => scope.postMessage({ type: "failed", id: m.id, message: String(err) }),
  ).finally(() => running.delete(m.id));
};
scope.postMessage({ type: "ready" });
