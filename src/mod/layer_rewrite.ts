/**
 * Streaming rewrite of a layer's tar: each entry's header goes through the
 * file edits of `image mod` (strip a path, set times, clear owner names, set
 * times inside a nested tar) and is packed again; bodies stream through.
 *
 * @module
 */
import { createTarDecoder, createTarPacker } from "modern-tar";
import { ArchiveError } from "../archive/archive_error.ts";
import { adjustTime } from "./time_option.ts";
import { patchTarTimes } from "./tar_time_patch.ts";

/** A tar entry header (the shape modern-tar reads and writes). */
export interface EntryHeader {
  /** Entry name. */
  name: string;
  /** Body size. */
  size: number;
  /** Modification time. */
  mtime?: Date;
  /** Permission bits. */
  mode?: number;
  /** Entry type. */
  type?:
    | "file"
    | "link"
    | "symlink"
    | "character-device"
    | "block-device"
    | "directory"
    | "fifo"
    | "pax-header"
    | "pax-global-header"
    | "gnu-long-name"
    | "gnu-long-link-name";
  /** Owner uid. */
  uid?: number;
  /** Owner gid. */
  gid?: number;
  /** Owner name. */
  uname?: string;
  /** Group name. */
  gname?: string;
  /** Link target. */
  linkname?: string;
  /** PAX records. */
  pax?: Record<string, string>;
}

/** What an edit did to one entry. */
export type EntryChange = "unchanged" | "replaced" | "deleted";

/** An entry as an edit sees it: the header (editable) and its body. */
export interface EditableEntry {
  /** The header; an edit changes it in place. */
  header: EntryHeader;
  /** The body; an edit may replace it by a stream of the same length. */
  body: ReadableStream<Uint8Array>;
}

/** One file edit: looks at an entry and says what it changed. */
export type FileEdit = (entry: EditableEntry) => EntryChange;

/** How a rewrite went, known once its output ended. */
export interface RewriteOutcome {
  /** Some edit changed an entry. */
  changed: boolean;
  /** Every entry was removed. */
  empty: boolean;
}

/**
 * An edit that removes a path and everything below it (regctl's
 * `--layer-strip-file`; a leading `/` or `./` in entry names is ignored).
 *
 * @param path the path to remove, without leading or trailing `/`
 * @returns the edit
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stripFileEdit } from "./layer_rewrite.ts";
 * const edit = stripFileEdit("etc/motd");
 * assert.equal(edit({ header: { name: "etc/motd", size: 0 }, body: ReadableStream.from([]) }), "deleted");
 * assert.equal(edit({ header: { name: "etc/motd2", size: 0 }, body: ReadableStream.from([]) }), "unchanged");
 * ```
 */
export function stripFileEdit(path: string): FileEdit {
  return ({ header }) => {
    const name = header.name.replace(/^(\.\/|\/)+/, "");
    return name === path || name.startsWith(`${path}/`) ? "deleted" : "unchanged";
  };
}

/**
 * An edit that clears user and group names (regctl's `--reproducible`).
 *
 * @returns the edit
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reproducibleEdit } from "./layer_rewrite.ts";
 * const header = { name: "a", size: 0, uname: "root", gname: "root" };
 * assert.equal(reproducibleEdit()({ header, body: ReadableStream.from([]) }), "replaced");
 * assert.equal(header.uname, "");
 * ```
 */
export function reproducibleEdit(): FileEdit {
  return ({ header }) => {
    let changed = false;
    if ((header.uname ?? "") !== "" || header.pax?.uname !== undefined) {
      header.uname = "";
      changed = true;
    }
    if ((header.gname ?? "") !== "" || header.pax?.gname !== undefined) {
      header.gname = "";
      changed = true;
    }
    if (header.pax !== undefined) {
      delete header.pax.uname;
      delete header.pax.gname;
    }
    return changed ? "replaced" : "unchanged";
  };
}

/** A time to set, and the time after which times change. */
export interface TimeSetting {
  /** The time to set. */
  set: Date;
  /** Only times after this one change. */
  after?: Date | undefined;
}

function _paxSeconds(d: Date): string {
  const ms = d.getTime();
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3);
}

/**
 * An edit that sets an entry's modification, access and change times
 * (regctl's `--layer-time`).
 *
 * @param time the time to set, resolved when the edit runs (from a label)
 * @returns the edit
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeEdit } from "./layer_rewrite.ts";
 * const set = new Date("2021-01-01T00:00:00Z");
 * const header = { name: "a", size: 0, mtime: new Date("2024-01-01T00:00:00Z") };
 * assert.equal(timeEdit(() => ({ set }))({ header, body: ReadableStream.from([]) }), "replaced");
 * assert.equal(header.mtime.getTime(), set.getTime());
 * ```
 */
export function timeEdit(time: () => TimeSetting): FileEdit {
  return ({ header }) => {
    const { set, after } = time();
    let changed = false;
    if (header.mtime !== undefined) {
      const t = adjustTime(header.mtime, set, after);
      if (t !== undefined) {
        header.mtime = t;
        changed = true;
      }
    }
    const pax = header.pax;
    if (pax !== undefined) {
      for (const key of ["mtime", "atime", "ctime"]) {
        const v = pax[key];
        if (v === undefined) continue;
        const secs = Number(v);
        if (!Number.isFinite(secs)) continue;
        const t = adjustTime(new Date(secs * 1000), set, after);
        if (t !== undefined) {
          pax[key] = _paxSeconds(t);
          changed = true;
        }
      }
      if (pax.mtime !== undefined && header.mtime !== undefined) {
        pax.mtime = _paxSeconds(header.mtime);
      }
    }
    return changed ? "replaced" : "unchanged";
  };
}

/**
 * An edit that sets the times inside a tar file stored in the layer
 * (regctl's `--file-tar-time`). The nested tar is patched in place as it
 * streams, so its length does not change.
 *
 * @param filename the path of the tar file in the layer (no leading `/`)
 * @param time the time to set
 * @returns the edit; an entry counts as replaced when it is the file named
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileTarTimeEdit } from "./layer_rewrite.ts";
 * const edit = fileTarTimeEdit("b.tar", () => ({ set: new Date(0) }));
 * assert.equal(edit({ header: { name: "a.tar", size: 0 }, body: ReadableStream.from([]) }), "unchanged");
 * ```
 */
export function fileTarTimeEdit(filename: string, time: () => TimeSetting): FileEdit {
  return (entry) => {
    if (entry.header.name.replace(/^(\.\/|\/)+/, "") !== filename) return "unchanged";
    if ((entry.header.type ?? "file") !== "file") return "unchanged";
    const { set, after } = time();
    entry.body = entry.body.pipeThrough(patchTarTimes({ set, after }));
    return "replaced";
  };
}

/**
 * Rewrites a plain (uncompressed) tar through the edits, streaming.
 *
 * @param plain the tar bytes (consumed)
 * @param edits the edits, applied in order to each entry
 * @param subject names the layer in errors
 * @returns the new tar bytes and, once they ended, what changed
 * @throws {ArchiveError} from the stream, for a corrupt tar
 *
 * @example Remove a file
 * ```ts
 * import assert from "node:assert/strict";
 * import { packTar } from "modern-tar";
 * import { rewriteTar, stripFileEdit } from "./layer_rewrite.ts";
 * const tar = await packTar([
 *   { header: { name: "a", size: 1, mtime: new Date(0) }, body: "a" },
 *   { header: { name: "b", size: 1, mtime: new Date(0) }, body: "b" },
 * ]);
 * const r = rewriteTar(ReadableStream.from([tar]), [stripFileEdit("a")]);
 * const out = new Uint8Array(await new Response(r.body).arrayBuffer());
 * assert.ok(out.byteLength < tar.byteLength);
 * assert.deepEqual(await r.outcome, { changed: true, empty: false });
 * ```
 */
export function rewriteTar(
  plain: ReadableStream<Uint8Array>,
  edits: readonly FileEdit[],
  subject = "layer",
): { body: ReadableStream<Uint8Array>; outcome: Promise<RewriteOutcome> } {
  const { readable, controller } = createTarPacker();
  const decoder = createTarDecoder({ strict: true });
  const state: RewriteOutcome = { changed: false, empty: true };
  let resolve!: (o: RewriteOutcome) => void;
  let reject!: (e: unknown) => void;
  const outcome = new Promise<RewriteOutcome>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  outcome.catch(() => {});
  const fill = async () => {
    const piped = plain.pipeTo(decoder.writable).then(() => undefined, (err) => err ?? "");
    const reader = decoder.readable.getReader();
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        const entry: EditableEntry = { header: { ...r.value.header }, body: r.value.body };
        if (entry.header.pax !== undefined) entry.header.pax = { ...entry.header.pax };
        let change: EntryChange = "unchanged";
        for (const edit of edits) {
          const c = edit(entry);
          if (c !== "unchanged") state.changed = true;
          if (c === "deleted") {
            change = "deleted";
            break;
          }
        }
        if (change === "deleted") {
          await entry.body.cancel().catch(() => {});
          continue;
        }
        state.empty = false;
        const sink = controller.add(entry.header);
        if ((entry.header.type ?? "file") === "file" && entry.header.size > 0) {
          await entry.body.pipeTo(sink);
        } else {
          await entry.body.cancel().catch(() => {});
          await sink.close();
        }
      }
      const err = await piped;
      if (err !== undefined) throw err;
      controller.finalize();
      resolve(state);
    } catch (err) {
      const wrapped = err instanceof ArchiveError ? err : new ArchiveError(
        subject,
        `Cannot rewrite ${subject}: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
      await reader.cancel(wrapped).catch(() => {});
      controller.error(wrapped);
      reject(wrapped);
    }
  };
  fill();
  return { body: readable, outcome };
}
