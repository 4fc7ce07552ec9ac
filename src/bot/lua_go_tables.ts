/**
 * Lua tables ↔ regclient's Go structs, the way regbot's go2lua does it:
 * tables read back by JSON name into the Go struct of the document's media
 * type, and written out with Go's `json.Marshal` (field order, omitted empty
 * fields, sorted map keys, unknown keys dropped). Also the Go names of every
 * JSON field, which the Lua prelude adds next to the JSON names.
 *
 * @module
 */
import { marshalGoJson } from "../gotypes/go_json.ts";
import { decodeStruct, type GoStructClass, type GoType } from "../gotypes/go_struct.ts";
import { GoDescriptor } from "../gotypes/oci_descriptor.ts";
import { GoImage } from "../gotypes/oci_image.ts";
import {
  GoDockerList,
  GoDockerManifest,
  GoOciIndex,
  GoOciManifest,
} from "../gotypes/oci_manifest.ts";
import { parseTime } from "../gotypes/go_time_parse.ts";
import { ManifestInvalidError } from "../errors.ts";
import { MediaType } from "../types/media_type.ts";

const MANIFEST_CLASSES: Record<string, GoStructClass> = {
  [MediaType.OCI_MANIFEST]: GoOciManifest,
  [MediaType.OCI_INDEX]: GoOciIndex,
  [MediaType.DOCKER_MANIFEST]: GoDockerManifest,
  [MediaType.DOCKER_MANIFEST_LIST]: GoDockerList,
};

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Lua hands an empty table over as `{}`: a Go slice wants `[]`. */
function _fit(v: unknown, type: GoType): unknown {
  if (typeof type !== "object") return v;
  if ("ptr" in type) return _fit(v, type.ptr);
  if ("slice" in type) {
    const list = Array.isArray(v) ? v : _isRecord(v) && Object.keys(v).length === 0 ? [] : v;
    return Array.isArray(list) ? list.map((x) => _fit(x, type.slice)) : list;
  }
  if ("struct" in type && _isRecord(v)) return _fitStruct(v, type.struct);
  return v;
}

function _fitStruct(v: Record<string, unknown>, cls: GoStructClass): Record<string, unknown> {
  let out = { ...v };
  for (const f of cls.goFields) {
    if (f.inline && typeof f.type === "object" && "struct" in f.type) {
      out = _fitStruct(out, f.type.struct);
    } else if (f.json !== "" && f.json in out) {
      out[f.json] = _fit(out[f.json], f.type);
    }
  }
  return out;
}

function _encode(cls: GoStructClass, table: unknown): Uint8Array {
  const fitted = _isRecord(table) ? _fitStruct(table, cls) : table;
  return new TextEncoder().encode(
    marshalGoJson(decodeStruct(cls, fitted), { escapeHTML: true }),
  );
}

/**
 * A manifest table from Lua as the bytes regbot's `m:export()` makes.
 *
 * @param table the table with JSON names (Go names stripped)
 * @param mediaType the manifest's media type (picks the Go struct)
 * @returns the manifest bytes
 * @throws {ManifestInvalidError} for a media type without a Go struct, or a value of the wrong type
 *
 * @example Go's field order, nothing indented
 * ```ts
 * import assert from "node:assert/strict";
 * import { manifestFromLua } from "./lua_go_tables.ts";
 * const raw = manifestFromLua(
 *   { manifests: {}, mediaType: "application/vnd.oci.image.index.v1+json", schemaVersion: 2 },
 *   "application/vnd.oci.image.index.v1+json",
 * );
 * assert.equal(
 *   new TextDecoder().decode(raw),
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * ```
 */
export function manifestFromLua(table: unknown, mediaType: string): Uint8Array {
  const cls = MANIFEST_CLASSES[mediaType];
  if (!cls) {
    throw new ManifestInvalidError(
      `Cannot export a manifest of media type "${mediaType}": use an OCI or Docker schema2 manifest or index`,
    );
  }
  return _encode(cls, table);
}

/** Go's `time.RFC3339`, the form of times in JSON (fractions of a second are read too). */
const RFC3339 = "2006-01-02T15:04:05Z07:00";
/** Go's zero time in JSON: what regbot writes for a time it has no original of. */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** The time fields of an image config: its `created` and every `history[].created`. */
function _mapConfigTimes(
  json: Record<string, unknown>,
  fn: (v: unknown, place: (string | number)[]) => unknown,
): Record<string, unknown> {
  const out = { ...json };
  if (out.created !== undefined) out.created = fn(out.created, ["created"]);
  if (Array.isArray(out.history)) {
    out.history = out.history.map((h, i) =>
      _isRecord(h) && h.created !== undefined
        ? { ...h, created: fn(h.created, ["history", i, "created"]) }
        : h
    );
  }
  return out;
}

/**
 * An image config as a regbot script sees it: times in Go's
 * `time.Time.String` form (`2024-01-02 03:04:05 +0000 UTC`), as go2lua
 * shows a `time.Time`; every other field as in the JSON.
 *
 * @param json the config's JSON
 * @returns a copy with the times rewritten (a time that is not RFC 3339 text stays as is)
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configToLua } from "./lua_go_tables.ts";
 * const t = configToLua({ created: "2024-01-02T03:04:05.5+02:00", history: [{ created: "2024-01-02T03:04:05Z" }] });
 * assert.equal(t.created, "2024-01-02 03:04:05.5 +0200 +0200");
 * assert.deepEqual(t.history, [{ created: "2024-01-02 03:04:05 +0000 UTC" }]);
 * ```
 */
export function configToLua(json: Record<string, unknown>): Record<string, unknown> {
  return _mapConfigTimes(json, (v) => {
    if (typeof v !== "string") return v;
    try {
      return parseTime(RFC3339, v).String();
    } catch {
      return v;
    }
  });
}

function _at(json: unknown, place: (string | number)[]): unknown {
  let v = json;
  for (const k of place) {
    v = Array.isArray(v) || _isRecord(v) ? (v as Record<string, unknown>)[k] : undefined;
  }
  return v;
}

/**
 * An image config table from Lua as the bytes regbot's `ic:export()` makes.
 * As in regbot, a time field cannot be edited from Lua: a time the script
 * left set keeps the original's value at the same place (Go's zero time when
 * there is none), and a time set to nil is left out.
 *
 * @param table the table with JSON names (Go names stripped)
 * @param original the config's JSON the table came from
 * @returns the config bytes
 * @throws {ManifestInvalidError} for a value of the wrong type
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configFromLua } from "./lua_go_tables.ts";
 * const raw = configFromLua({ os: "linux", architecture: "amd64", rootfs: { type: "layers", diff_ids: {} } });
 * assert.equal(
 *   new TextDecoder().decode(raw),
 *   '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
 * );
 * ```
 */
export function configFromLua(table: unknown, original: Record<string, unknown> = {}): Uint8Array {
  const restored = _isRecord(table)
    ? _mapConfigTimes(table, (_v, place) => _at(original, place) ?? GO_ZERO_TIME)
    : table;
  return _encode(GoImage, restored);
}

function _walk(
  cls: GoStructClass,
  names: Map<string, string>,
  maps: Set<string>,
  seen: Set<GoStructClass>,
): void {
  if (seen.has(cls)) return;
  seen.add(cls);
  const visit = (type: GoType, field: { name: string; json: string }) => {
    if (typeof type !== "object") return;
    if ("ptr" in type) return visit(type.ptr, field);
    if ("slice" in type) return visit(type.slice, field);
    if ("map" in type) {
      maps.add(field.name);
      if (field.json) maps.add(field.json);
      return;
    }
    _walk(type.struct, names, maps, seen);
  };
  for (const f of cls.goFields) {
    if (f.unexported) continue;
    if (f.json !== "" && f.json !== f.name && !names.has(f.json)) names.set(f.json, f.name);
    visit(f.type, f);
  }
}

/**
 * The Go name of every JSON field of the image-spec structs
 * (`mediaType` → `MediaType`, `os.version` → `OSVersion`), and the fields
 * that are maps of user keys (annotations, labels), whose keys are data.
 *
 * @returns the names and the map fields
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { goFieldNames } from "./lua_go_tables.ts";
 * const { names, maps } = goFieldNames();
 * assert.equal(names.get("diff_ids"), "DiffIDs");
 * assert.ok(maps.has("Labels") && maps.has("annotations"));
 * ```
 */
export function goFieldNames(): { names: Map<string, string>; maps: Set<string> } {
  const names = new Map<string, string>();
  const maps = new Set<string>();
  const seen = new Set<GoStructClass>();
  for (const cls of [...Object.values(MANIFEST_CLASSES), GoDescriptor, GoImage]) {
    _walk(cls, names, maps, seen);
  }
  return { names, maps };
}
