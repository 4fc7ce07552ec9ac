/**
 * How JavaScript values map onto Go's kinds for template evaluation:
 * numbers are `int` when integral and `float64` otherwise, plain objects and
 * `Map`s are maps, arrays and byte arrays are slices, class instances are
 * structs (own fields plus prototype methods).
 *
 * @module
 */

/** The Go kind a JavaScript value behaves as. */
export type GoKind =
  | "invalid"
  | "nil"
  | "bool"
  | "int"
  | "float"
  | "string"
  | "slice"
  | "map"
  | "struct"
  | "func";

/**
 * Tells whether a value is a plain object (`{}` literal, JSON, null prototype).
 *
 * @param v any value
 * @returns true for plain objects
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Classifies a value by Go kind.
 *
 * @param v any value
 * @returns its kind (`invalid` for undefined, `nil` for null)
 */
export function kindOf(v: unknown): GoKind {
  if (v === undefined) return "invalid";
  if (v === null) return "nil";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "string";
    case "function":
      return "func";
  }
  if (Array.isArray(v) || v instanceof Uint8Array) return "slice";
  if (v instanceof Map || isPlainObject(v)) return "map";
  return "struct";
}

/**
 * Names the Go type of a value for messages and `%T`.
 *
 * @param v any value
 * @returns a Go-style type name such as `string`, `int`, `[]interface {}`
 */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return "<nil>";
    case "bool":
      return "bool";
    case "int":
      return "int";
    case "float":
      return "float64";
    case "string":
      return "string";
    case "func":
      return "func";
    case "slice":
      return v instanceof Uint8Array ? "[]uint8" : "[]interface {}";
    case "map":
      return "map[string]interface {}";
    case "struct": {
      const name = (v as { constructor?: { name?: string } }).constructor?.name;
      return name ? name : "struct";
    }
  }
}

/**
 * Go's truth test used by `if`, `with`, `and`, `or`, `not`: false for
 * undefined, null, false, 0, "" and empty slices/maps; true otherwise.
 *
 * @param v any value
 * @returns the truth value
 */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return false;
    case "bool":
      return v as boolean;
    case "int":
    case "float":
      return typeof v === "bigint" ? v !== 0n : v !== 0;
    case "string":
      return (v as string).length > 0;
    case "slice":
      return (v as ArrayLike<unknown>).length > 0;
    case "map":
      return mapKeys(v).length > 0;
    default:
      return true;
  }
}

/**
 * Lists the keys of a map-kind value, sorted like Go's fmt and range.
 *
 * @param v a plain object or Map
 * @returns the keys in sorted order
 */
export function mapKeys(v: unknown): unknown[] {
  const keys: unknown[] = v instanceof Map ? [...v.keys()] : Object.keys(v as object);
  return keys.sort(compareKeys);
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Reads one entry of a map-kind value.
 *
 * @param m a plain object or Map
 * @param key the key
 * @returns the value, or undefined when absent
 */
export function mapGet(m: unknown, key: unknown): unknown {
  if (m instanceof Map) return m.get(key);
  const obj = m as Record<string, unknown>;
  const k = String(key);
  return Object.hasOwn(obj, k) ? obj[k] : undefined;
}

/**
 * Lists the own enumerable data fields of a struct-kind value (functions skipped).
 *
 * @param v a class instance
 * @returns `[name, value]` pairs in declaration order
 */
export function structFields(v: object): [string, unknown][] {
  return Object.entries(v).filter(([, x]) => typeof x !== "function");
}

/**
 * Finds the member `name` on a struct- or map-kind value. Exact names win;
 * an exported (capitalised) Go name falls back to a case-insensitive match so
 * `.MediaType` reads `mediaType` and `.OS` reads `os` in JSON data.
 *
 * @param obj the receiver
 * @param name the Go field or method name
 * @returns `{ found, value }`; `value` is unbound (call with `obj` as this)
 */
export function lookupMember(obj: object, name: string): { found: boolean; value: unknown } {
  if (obj instanceof Map) {
    return obj.has(name)
      ? { found: true, value: obj.get(name) }
      : { found: false, value: undefined };
  }
  const plain = isPlainObject(obj);
  const has = (k: string) => plain ? Object.hasOwn(obj, k) : hasNonBaseMember(obj, k);
  if (has(name)) return { found: true, value: (obj as Record<string, unknown>)[name] };
  const first = name[0];
  if (first !== undefined && first !== first.toLowerCase()) {
    const lower = name.toLowerCase();
    for (const k of plain ? Object.keys(obj) : memberNames(obj)) {
      if (k.toLowerCase() === lower) {
        return { found: true, value: (obj as Record<string, unknown>)[k] };
      }
    }
  }
  return { found: false, value: undefined };
}

const BASE_PROTOS = new Set<unknown>([Object.prototype, Function.prototype, Array.prototype]);

function hasNonBaseMember(obj: object, name: string): boolean {
  if (name === "constructor") return false;
  for (
    let o: object | null = obj;
    o !== null && !BASE_PROTOS.has(o);
    o = Object.getPrototypeOf(o)
  ) {
    if (Object.hasOwn(o, name)) return true;
  }
  return false;
}

function memberNames(obj: object): string[] {
  const names: string[] = [];
  for (
    let o: object | null = obj;
    o !== null && !BASE_PROTOS.has(o);
    o = Object.getPrototypeOf(o)
  ) {
    for (const k of Object.getOwnPropertyNames(o)) if (k !== "constructor") names.push(k);
  }
  return names;
}
