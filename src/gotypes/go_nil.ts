/**
 * Go's nil slices and maps. Go tells a nil slice (`null` in JSON, left out by
 * `omitzero`) from an empty one (`[]`), while both print as `[]` with `%v`
 * and range over nothing. A nil value here is an ordinary empty array or
 * `Map` remembered as nil until something is added to it, so templates and
 * code treat it as empty and only the JSON encoder tells the two apart.
 *
 * @module
 */

const NIL = new WeakSet<object>();

/**
 * Makes a nil slice: an empty array that encodes as `null`.
 *
 * @returns a new empty array marked nil
 *
 * @example A nil slice is empty but not `[]` in JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNil, nilSlice } from "./go_nil.ts";
 * const s = nilSlice<string>();
 * assert.equal(s.length, 0);
 * assert.ok(isNil(s));
 * s.push("x");
 * assert.ok(!isNil(s));
 * ```
 */
export function nilSlice<T>(): T[] {
  const a: T[] = [];
  NIL.add(a);
  return a;
}

/**
 * Makes a nil map: an empty `Map` that encodes as `null`.
 *
 * @returns a new empty Map marked nil
 */
export function nilMap<K, V>(): Map<K, V> {
  const m = new Map<K, V>();
  NIL.add(m);
  return m;
}

/**
 * Tells whether a value is Go's nil: null, undefined, or a nil slice or map
 * that is still empty.
 *
 * @param v any value
 * @returns true for nil
 */
export function isNil(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0 && NIL.has(v);
  if (v instanceof Map) return v.size === 0 && NIL.has(v);
  return false;
}
