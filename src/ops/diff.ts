/**
 * Unified diffs of manifests (`manifest diff`), configs (`blob diff-config`)
 * and layer file lists (`blob diff-layer`), with a small Myers diff.
 *
 * @module
 */
import { ManifestInvalidError } from "../errors.ts";
import { walkLayer } from "../archive/layer_reader.ts";
import { readBlobCapped } from "../read_capped.ts";
import { createHasher } from "../types/hasher.ts";
import type { Ref } from "../types/ref.ts";
import type { ImageReader } from "./_image_reader.ts";
import { _diffLines, _unified } from "./_myers.ts";

/** Options of the diff functions. */
export interface DiffOptions {
  /** Lines of context around each change. @default 3 */
  context?: number | undefined;
  /** Show every line, not just hunks. @default false */
  contextFull?: boolean | undefined;
  /** Cancellation. */
  signal?: AbortSignal | undefined;
}

/** Options of {@link diffLayers} and {@link layerFileList}. */
export interface LayerDiffOptions extends DiffOptions {
  /** Leave modification times out of the file lines. @default false */
  ignoreTimestamp?: boolean | undefined;
}

/**
 * Diff of two line lists in regclient's format (what `regctl manifest diff`
 * prints): `@@ -a,b +c,d @@` hunk headers, then each line prefixed with two
 * characters, `  ` kept, `- ` removed, `+ ` added.
 *
 * @param a old lines
 * @param b new lines
 * @param options context size (a context of 0 or less means none)
 * @returns the diff lines; empty when equal
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diffLines } from "./diff.ts";
 * assert.deepEqual(diffLines(["a", "b"], ["a", "c"], { context: 1 }), [
 *   "@@ -1,2 +1,2 @@",
 *   "  a",
 *   "- b",
 *   "+ c",
 * ]);
 * ```
 */
export function diffLines(
  a: readonly string[],
  b: readonly string[],
  options: DiffOptions = {},
): string[] {
  const context = options.contextFull === true ? Infinity : Math.max(0, options.context ?? 3);
  return _unified(a, b, _diffLines(a, b), context);
}

const _GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Re-indents JSON text as Go's `json.MarshalIndent` does with a raw body:
 * key order, duplicates and number spellings kept, two-space indent, `: `
 * after keys, empty objects and arrays as `{}`/`[]`, and `<`, `>`, `&`,
 * U+2028, U+2029 escaped inside strings.
 */
function _goIndent(text: string): string {
  let out = "";
  let depth = 0;
  let open = false; // just after `{` or `[`: the newline waits for the first value
  const newline = (d: number) => "\n" + "  ".repeat(d);
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") continue;
    if (open && c !== "]" && c !== "}") {
      out += newline(depth);
      open = false;
    }
    if (c === "{" || c === "[") {
      out += c;
      depth++;
      open = true;
    } else if (c === "}" || c === "]") {
      depth--;
      out += open ? c : newline(depth) + c;
      open = false;
    } else if (c === ",") {
      out += "," + newline(depth);
    } else if (c === ":") {
      out += ": ";
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1).replace(/[<>&\u2028\u2029]/g, (m) => _GO_ESCAPES[m] ?? m);
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

function _pretty(bytes: Uint8Array, subject: string): string[] {
  const text = new TextDecoder().decode(bytes);
  try {
    JSON.parse(text);
  } catch (err) {
    throw new ManifestInvalidError(`Cannot diff ${subject}: it is not JSON`, { cause: err });
  }
  return _goIndent(text).split("\n");
}

/**
 * Diffs two manifests as indented JSON (their own bytes, re-indented as regctl does).
 *
 * @param reader read calls
 * @param a first reference
 * @param b second reference
 * @param options context size, cancellation
 * @returns diff lines
 * @throws {NotFoundError} when a manifest is missing
 */
export async function diffManifests(
  reader: ImageReader,
  a: Ref,
  b: Ref,
  options: DiffOptions = {},
): Promise<string[]> {
  const ma = await reader.manifestGet(a, { signal: options.signal });
  const mb = await reader.manifestGet(b, { signal: options.signal });
  return diffLines(_pretty(ma.raw, "manifest"), _pretty(mb.raw, "manifest"), options);
}

async function _readJsonBlob(
  reader: ImageReader,
  ref: Ref,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const bytes = await readBlobCapped(reader, ref, { digest, signal });
  return _pretty(bytes, `config "${digest}"`);
}

/**
 * Diffs two config blobs as pretty JSON.
 *
 * @param reader read calls
 * @param refA repository of the first blob
 * @param digestA first digest
 * @param refB repository of the second blob
 * @param digestB second digest
 * @param options context size, cancellation
 * @returns diff lines
 * @throws {NotFoundError} when a blob is missing
 * @throws {ManifestInvalidError} when a blob is not JSON
 */
export async function diffConfigs(
  reader: ImageReader,
  refA: Ref,
  digestA: string,
  refB: Ref,
  digestB: string,
  options: DiffOptions = {},
): Promise<string[]> {
  const a = await _readJsonBlob(reader, refA, digestA, options.signal);
  const b = await _readJsonBlob(reader, refB, digestB, options.signal);
  return diffLines(a, b, options);
}

/** Go's `fs.FileMode(mode).String()` for a tar header's mode: `-` and the permission bits. */
function _goFileMode(mode: number): string {
  const letters = "rwxrwxrwx";
  let out = "-";
  for (let i = 0; i < 9; i++) out += mode & (1 << (8 - i)) ? letters[i] : "-";
  return out;
}

/**
 * Lists a layer's entries in archive order, one line each, as regctl's
 * `blob diff-layer` reports them: `mode uid/gid size [mtime] name [sha256]`
 * (mode as Go prints a tar header's mode, size right-aligned in 8 columns,
 * the RFC 3339 time in UTC, the name as stored padded to 40 columns, and the
 * content digest of entries with a body).
 *
 * @param reader read calls
 * @param ref repository
 * @param digest layer digest
 * @param options leave out mtimes, cancellation
 * @returns the lines
 * @throws {ArchiveError} for an unsafe or corrupt layer
 */
export async function layerFileList(
  reader: ImageReader,
  ref: Ref,
  digest: string,
  options: LayerDiffOptions = {},
): Promise<string[]> {
  const r = await reader.blobGet(ref, digest, { signal: options.signal });
  const lines: string[] = [];
  const walk = walkLayer(r.body, { subject: `layer "${digest}"`, includeRoot: true });
  for await (const e of walk) {
    let line = `${_goFileMode(e.mode)} ${e.uid}/${e.gid} ${String(e.size).padStart(8)}`;
    if (options.ignoreTimestamp !== true) {
      line += ` ${(e.mtime ?? new Date(-62135596800000)).toISOString().replace(/\.\d+Z$/, "Z")}`;
    }
    line += ` ${(e.name ?? e.path).padEnd(40)}`;
    if (e.size > 0) {
      const h = createHasher("sha256");
      for await (const chunk of e.body) h.update(chunk);
      line += ` ${h.digest()}`;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Diffs the file lists of two layers.
 *
 * @param reader read calls
 * @param refA repository of the first layer
 * @param digestA first digest
 * @param refB repository of the second layer
 * @param digestB second digest
 * @param options context size, leave out mtimes, cancellation
 * @returns diff lines
 * @throws {ArchiveError} for an unsafe or corrupt layer
 */
export async function diffLayers(
  reader: ImageReader,
  refA: Ref,
  digestA: string,
  refB: Ref,
  digestB: string,
  options: LayerDiffOptions = {},
): Promise<string[]> {
  const a = await layerFileList(reader, refA, digestA, options);
  const b = await layerFileList(reader, refB, digestB, options);
  return diffLines(a, b, options);
}
