/**
 * Upload sessions that survive a restart of `ocictl serve` (olareg's do
 * not): each session's state (repository, algorithm, bytes received, last
 * use) lives beside its temp file as `<dir>/.uploads/<id>.session`, written
 * atomically after every change. A session the running server does not know
 * is looked up there: its temp file is cut back to the recorded length (a
 * chunk cut short by a crash is dropped) and hashed again, and the client
 * resumes where the server said it was.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { DigestAlgorithm } from "../types/digest.ts";
import type { FileSystem } from "../transport/ocidir/file_system.ts";
import { readCapped } from "../transport/ocidir/_read_capped.ts";
import { writeTempBytes } from "../transport/ocidir/temp_bytes.ts";
import { UploadSession } from "./upload_session.ts";

/** Suffix of a session's state file. */
export const SESSION_STATE_SUFFIX = ".session";

interface _State {
  repo: string;
  algorithm: DigestAlgorithm;
  size: number;
  file: string | null;
  lastUsed: number;
}

function _statePath(dir: string, id: string): string {
  return `${dir}/${id}${SESSION_STATE_SUFFIX}`;
}

/**
 * Writes a session's state beside its temp file (atomically).
 *
 * @param fs file system
 * @param dir the uploads directory
 * @param session the session
 * @returns nothing
 */
export async function saveSessionState(
  fs: FileSystem,
  dir: string,
  session: UploadSession,
): Promise<void> {
  const file = session.file;
  const state: _State = {
    repo: session.repo,
    algorithm: session.algorithm,
    size: session.size,
    file: file === undefined ? null : file.slice(file.lastIndexOf("/") + 1),
    lastUsed: session.lastUsed,
  };
  const body = new TextEncoder().encode(JSON.stringify(state));
  const tmp = await writeTempBytes(fs, dir, body, { prefix: `${session.id}.state.` });
  await fs.rename(tmp, _statePath(dir, session.id));
}

/**
 * Removes a session's state file.
 *
 * @param fs file system
 * @param dir the uploads directory
 * @param id session id
 * @returns nothing
 */
export async function removeSessionState(fs: FileSystem, dir: string, id: string): Promise<void> {
  await fs.remove(_statePath(dir, id)).catch(() => {});
}

/**
 * Restores a session from its state file.
 *
 * @param fs file system
 * @param dir the uploads directory
 * @param id session id (32 hex characters, checked by the router)
 * @param now clock reading in milliseconds
 * @param timeoutMs idle time after which a session is expired (then its files are removed)
 * @returns the session, or undefined when there is none (or it is expired or unreadable)
 */
export async function loadSessionState(
  fs: FileSystem,
  dir: string,
  id: string,
  now: number,
  timeoutMs: number,
): Promise<UploadSession | undefined> {
  let state: _State;
  try {
    state = JSON.parse(new TextDecoder().decode(
      await readCapped(fs, _statePath(dir, id), 64 * 1024, "upload session state"),
    ));
  } catch {
    return undefined;
  }
  const valid = typeof state.repo === "string" &&
    (state.algorithm === "sha256" || state.algorithm === "sha512") &&
    Number.isSafeInteger(state.size) && state.size >= 0 &&
    (state.file === null || (typeof state.file === "string" && !state.file.includes("/"))) &&
    typeof state.lastUsed === "number";
  const path = state.file === null ? undefined : `${dir}/${state.file}`;
  if (!valid || state.lastUsed < now - timeoutMs || (path === undefined && state.size > 0)) {
    if (path !== undefined) await fs.remove(path).catch(() => {});
    await removeSessionState(fs, dir, id);
    return undefined;
  }
  const session = new UploadSession(id, state.repo, state.algorithm, now);
  if (path === undefined) return session;
  const info = await fs.stat(path);
  if (info === undefined || info.size < state.size) {
    await removeSessionState(fs, dir, id);
    return undefined;
  }
  if (info.size > state.size) {
    const w = await fs.openAppend(path);
    try {
      await w.truncate(state.size);
    } finally {
      w.close();
    }
  }
  const hash = createHash(state.algorithm);
  const r = await fs.openReader(path);
  try {
    const buffer = new Uint8Array(256 * 1024);
    let left = state.size;
    while (left > 0) {
      const n = await r.read(buffer.subarray(0, Math.min(buffer.length, left)));
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
      left -= n;
    }
  } finally {
    r.close();
  }
  session._commit(path, state.size, hash);
  return session;
}
