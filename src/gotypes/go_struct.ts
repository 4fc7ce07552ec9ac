/**
 * Go structs as JavaScript classes: own fields named and ordered as the Go
 * struct's (so templates print them with `%v` as Go does), plus the JSON tags
 * that drive Go's `json.Unmarshal` ({@link decodeStruct}) and `json.Marshal`
 * (`toJSON`). The image-spec classes of this folder are built on it.
 *
 * @module
 */

import { ManifestInvalidError } from "../errors.ts";
import { isNil, nilMap, nilSlice } from "./go_nil.ts";
import { GoTime } from "./go_time.ts";
import { parseTime } from "./go_time_parse.ts";

/** The Go type of a struct field, as far as JSON and zero values need it. */
export type GoType =
  | "string"
  | "int"
  | "bool"
  | "bytes"
  | "time"
  | "empty"
  | { readonly slice: GoType }
  | { readonly map: GoType }
  | { readonly ptr: GoType }
  | { readonly struct: GoStructClass };

/** One field of a Go struct. */
export interface GoField {
  /** The Go field name: the instance's own property. */
  readonly name: string;
  /** The JSON key (the tag's name, or the Go name when the tag has none). */
  readonly json: string;
  /** The Go type. */
  readonly type: GoType;
  /** `omitempty` or `omitzero` in the tag. */
  readonly omit?: "empty" | "zero";
  /** An embedded struct whose fields JSON inlines. */
  readonly inline?: boolean;
  /** An unexported field: printed by `%v`, never in JSON. */
  readonly unexported?: boolean;
}

/** A class of Go struct: constructible with zero values, with its field table. */
export interface GoStructClass<T extends GoStruct = GoStruct> {
  /** Creates the zero value. */
  new (): T;
  /** The fields in Go order. */
  readonly goFields: readonly GoField[];
  /** The Go type name, for error messages. */
  readonly goName: string;
}

/**
 * Base of the Go struct classes: every field starts at its Go zero value (in
 * field-table order, which is the order `%v` prints), and JSON encoding
 * follows the field table. Subclasses declare their fields with `declare`.
 */
export abstract class GoStruct {
  /** Sets every field of the concrete class to its zero value. */
  constructor() {
    const rec = this as unknown as Record<string, unknown>;
    for (const f of (new.target as unknown as GoStructClass).goFields) {
      rec[f.name] = zeroOf(f.type);
    }
  }

  /**
   * Decodes JSON data into this struct class as Go's `json.Unmarshal` does
   * (see {@link decodeStruct}).
   *
   * @param v parsed JSON (an object)
   * @returns the struct
   * @throws {ManifestInvalidError} when a value has the wrong JSON type
   */
  static fromJSON<T extends GoStruct>(this: GoStructClass<T>, v: unknown): T {
    return decodeStruct(this, v);
  }

  /**
   * The JSON form, as `json.Marshal` writes it: JSON names in field order,
   * `omitempty`/`omitzero` fields left out, embedded structs inlined.
   *
   * @returns a plain object for {@link marshalGoJson}
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const self = this as unknown as Record<string, unknown>;
    for (const f of (this.constructor as GoStructClass).goFields) {
      if (f.unexported) continue;
      const v = self[f.name];
      if (f.inline && v instanceof GoStruct) {
        Object.assign(out, v.toJSON());
        continue;
      }
      if (f.omit === "empty" && isEmptyValue(v)) continue;
      if (f.omit === "zero" && isZeroValue(v, f.type)) continue;
      out[f.json] = v;
    }
    return out;
  }
}

/** Go's `struct{}`: the value of set-like maps (`ExposedPorts`, `Volumes`); prints `{}`. */
export class GoEmptyStruct extends GoStruct {
  /** No fields. */
  static readonly goFields: readonly GoField[] = [];
  /** Go type name. */
  static readonly goName = "struct {}";
}

/**
 * Go's `isEmptyValue` (what `omitempty` leaves out): false, 0, "", nil and
 * empty slices, maps and strings. Structs are never empty.
 *
 * @param v a field value
 * @returns true when omitempty drops it
 */
export function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return true;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  return false;
}

/**
 * Go's zero test (what `omitzero` leaves out): nil slices and maps (not empty
 * ones), and structs whose fields are all zero.
 *
 * @param v a field value
 * @param type its Go type
 * @returns true for the zero value
 */
export function isZeroValue(v: unknown, type: GoType): boolean {
  if (v instanceof GoStruct) {
    const cls = v.constructor as GoStructClass;
    const rec = v as unknown as Record<string, unknown>;
    return cls.goFields.every((f) => isZeroValue(rec[f.name], f.type));
  }
  if (typeof type === "object" && ("slice" in type || "map" in type)) return isNil(v);
  if (type === "bytes") return v === null || v === undefined;
  return v === null || v === undefined || v === false || v === 0 || v === "";
}

function zeroOf(type: GoType): unknown {
  switch (type) {
    case "string":
      return "";
    case "int":
      return 0;
    case "bool":
      return false;
    case "bytes":
      return new Uint8Array();
    case "time":
      return null;
    case "empty":
      return new GoEmptyStruct();
  }
  if ("slice" in type) return nilSlice();
  if ("map" in type) return nilMap();
  if ("ptr" in type) return null;
  return new type.struct();
}

function typeText(type: GoType): string {
  if (typeof type === "string") return type === "bytes" ? "[]byte" : type;
  if ("slice" in type) return `[]${typeText(type.slice)}`;
  if ("map" in type) return `map[string]${typeText(type.map)}`;
  if ("ptr" in type) return `*${typeText(type.ptr)}`;
  return type.struct.goName;
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

function mismatch(v: unknown, type: GoType, path: string): ManifestInvalidError {
  return new ManifestInvalidError(
    `Cannot decode JSON: ${jsonKind(v)} where ${path} needs ${typeText(type)}`,
  );
}

const RFC3339 = "2006-01-02T15:04:05Z07:00";

function decodeValue(v: unknown, type: GoType, current: unknown, path: string): unknown {
  if (v === null) {
    // null sets pointers, slices and maps to nil and leaves anything else as it was
    if (typeof type === "object" && !("struct" in type)) return zeroOf(type);
    return type === "bytes" ? new Uint8Array() : current;
  }
  switch (type) {
    case "string":
      if (typeof v !== "string") throw mismatch(v, type, path);
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) throw mismatch(v, type, path);
      return v;
    case "bool":
      if (typeof v !== "boolean") throw mismatch(v, type, path);
      return v;
    case "bytes": {
      if (typeof v !== "string") throw mismatch(v, type, path);
      try {
        return Uint8Array.from(atob(v), (c) => c.charCodeAt(0));
      } catch {
        throw mismatch(v, type, path);
      }
    }
    case "time": {
      if (typeof v !== "string") throw mismatch(v, type, path);
      try {
        return parseTime(RFC3339, v);
      } catch (err) {
        throw new ManifestInvalidError(
          `Cannot decode JSON: ${path} is not an RFC 3339 time (${JSON.stringify(v)})`,
          { cause: err },
        );
      }
    }
    case "empty":
      if (jsonKind(v) !== "object") throw mismatch(v, type, path);
      return new GoEmptyStruct();
  }
  if ("slice" in type) {
    if (!Array.isArray(v)) throw mismatch(v, type, path);
    return v.map((x, i) => decodeValue(x, type.slice, zeroOf(type.slice), `${path}[${i}]`));
  }
  if ("map" in type) {
    if (jsonKind(v) !== "object") throw mismatch(v, type, path);
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      m.set(k, decodeValue(x, type.map, zeroOf(type.map), `${path}.${k}`));
    }
    return m;
  }
  if ("ptr" in type) return decodeValue(v, type.ptr, zeroOf(type.ptr), path);
  if (jsonKind(v) !== "object") throw mismatch(v, type, path);
  return decodeStruct(type.struct, v, path);
}

interface Slot {
  field: GoField;
  owner: Record<string, unknown>;
}

function slots(s: GoStruct, into: Map<string, Slot>): Map<string, Slot> {
  const rec = s as unknown as Record<string, unknown>;
  for (const f of (s.constructor as GoStructClass).goFields) {
    if (f.unexported) continue;
    const v = rec[f.name];
    if (f.inline && v instanceof GoStruct) slots(v, into);
    else if (!into.has(f.json)) into.set(f.json, { field: f, owner: rec });
  }
  return into;
}

/**
 * Decodes JSON data into a struct as Go's `json.Unmarshal` does: keys match
 * the JSON names exactly or else case-insensitively, unknown keys are
 * dropped, `null` makes pointers, slices and maps nil, a wrong JSON type is
 * an error.
 *
 * @param cls the struct class
 * @param value parsed JSON (an object)
 * @param path where the value sits, for messages
 * @returns the struct
 * @throws {ManifestInvalidError} when a value has the wrong JSON type
 *
 * @example Unknown keys are dropped
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStruct } from "./go_struct.ts";
 * import { GoRootFS } from "./oci_image.ts";
 * const r = decodeStruct(GoRootFS, { TYPE: "layers", diff_ids: [], extra: 1 });
 * assert.equal(r.Type, "layers");
 * assert.deepEqual(Object.keys(r.toJSON()), ["type", "diff_ids"]);
 * ```
 */
export function decodeStruct<T extends GoStruct>(
  cls: GoStructClass<T>,
  value: unknown,
  path = cls.goName,
): T {
  if (jsonKind(value) !== "object") throw mismatch(value, { struct: cls }, path);
  const s = new cls();
  const table = slots(s, new Map());
  const folded = new Map<string, Slot>();
  for (const [k, slot] of table) {
    const key = k.toLowerCase();
    if (!folded.has(key)) folded.set(key, slot);
  }
  for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
    const slot = table.get(k) ?? folded.get(k.toLowerCase());
    if (slot === undefined) continue;
    const { field, owner } = slot;
    owner[field.name] = decodeValue(x, field.type, owner[field.name], `${path}.${field.json}`);
  }
  return s;
}

/**
 * Makes a GoTime from a JavaScript Date or returns a GoTime as it is.
 *
 * @param t a time
 * @returns the GoTime
 */
export function toGoTime(t: Date | GoTime): GoTime {
  return t instanceof GoTime ? t : GoTime.fromDate(t);
}
