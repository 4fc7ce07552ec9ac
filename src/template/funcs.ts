/**
 * The template function set: Go's text/template built-ins and regclient's
 * additions (`json`, `jsonPretty`, `printPretty`, `env`, `file`, `default`,
 * `join`, `split`, `lower`, `upper`, `title`, `trimSpace`, `time`).
 *
 * @module
 */

import { sprint, sprintf, sprintln } from "./fmt.ts";
import { GoTime } from "../gotypes/go_time.ts";
import { parseTime } from "../gotypes/go_time_parse.ts";
import { jsonCompact, jsonPretty, printPretty } from "./pretty.ts";
import { type GoKind, isTrue, kindOf, mapGet, typeName } from "./values.ts";

/** I/O and clock available to functions during one execution. */
export interface FuncEnv {
  /** Environment variables for `env`. */
  env: Record<string, string>;
  /** File reader for `file`; absent means every file reads as "". */
  readFile: ((path: string) => string) | undefined;
  /** Clock for `time.Now`. */
  now: () => Date;
}

/** A function usable from templates. */
export interface FuncDef {
  /** Fewest arguments accepted. */
  min: number;
  /** Most arguments accepted (`Infinity` for variadic). */
  max: number;
  /** The implementation; throws {@link FuncError} for bad input. */
  fn: (env: FuncEnv, args: unknown[]) => unknown;
}

/** A function's complaint about its arguments (the executor adds the position). */
export class FuncError extends Error {}

function str(v: unknown, fname: string): string {
  if (typeof v !== "string") {
    throw new FuncError(`wrong type for value in ${fname}; expected string; got ${typeName(v)}`);
  }
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v === "bigint") return Number(v);
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new FuncError(`cannot index slice/array with type ${typeName(v)} (${what})`);
  }
  return v;
}

function utf8Len(s: string): number {
  return new TextEncoder().encode(s).length;
}

function len(v: unknown): number {
  switch (kindOf(v)) {
    case "invalid":
    case "nil":
      return 0;
    case "string":
      return utf8Len(v as string);
    case "slice":
      return (v as ArrayLike<unknown>).length;
    case "map":
      return v instanceof Map ? v.size : Object.keys(v as object).length;
    default:
      throw new FuncError(`len of type ${typeName(v)}`);
  }
}

function index(item: unknown, idxs: unknown[]): unknown {
  let cur = item;
  for (const idx of idxs) {
    const k = kindOf(cur);
    if (k === "invalid" || k === "nil") {
      if (typeof idx === "string") {
        cur = "";
        continue;
      }
      throw new FuncError("index of untyped nil");
    }
    if (k === "slice" || k === "string") {
      const i = int(idx, "index");
      const arr = k === "string"
        ? new TextEncoder().encode(cur as string)
        : cur as ArrayLike<unknown>;
      if (i < 0 || i >= arr.length) throw new FuncError(`index out of range: ${i}`);
      cur = arr[i];
      continue;
    }
    if (k === "map") {
      if (idx === undefined || idx === null) {
        throw new FuncError("value is nil; should be of type string");
      }
      const val = mapGet(cur, idx);
      if (val === undefined) {
        const vals = cur instanceof Map ? [...cur.values()] : Object.values(cur as object);
        cur = vals.every((x) => typeof x === "string") ? "" : undefined;
      } else cur = val;
      continue;
    }
    throw new FuncError(`can't index item of type ${typeName(cur)}`);
  }
  return cur;
}

function slice(item: unknown, idxs: unknown[]): unknown {
  const k = kindOf(item);
  if (k !== "string" && k !== "slice") {
    throw new FuncError(`can't slice item of type ${typeName(item)}`);
  }
  if (k === "string" && idxs.length > 2) throw new FuncError("cannot 3-index slice a string");
  const n = k === "string" ? utf8Len(item as string) : (item as ArrayLike<unknown>).length;
  const [lo = 0, hi = n, max = n] = idxs.map((x) => int(x, "slice"));
  if (lo < 0 || hi < lo || hi > n || max < hi || max > n) {
    throw new FuncError(`index out of range: [${idxs.map(String).join(":")}] with length ${n}`);
  }
  if (k === "string") {
    return new TextDecoder().decode(new TextEncoder().encode(item as string).slice(lo, hi));
  }
  return Array.from(item as ArrayLike<unknown>).slice(lo, hi);
}

type BasicKind = "bool" | "number" | "string";

function basic(v: unknown): BasicKind | "nil" | GoKind {
  const k = kindOf(v);
  if (k === "int" || k === "float") return "number";
  if (k === "invalid") return "nil";
  return k;
}

function eq(a: unknown, rest: unknown[]): boolean {
  const k1 = basic(a);
  for (const b of rest) {
    const k2 = basic(b);
    if (k1 !== k2) {
      if (k1 !== "nil" && k2 !== "nil") throw new FuncError("incompatible types for comparison");
      continue;
    }
    if (k1 === "slice" || k1 === "map" || k1 === "func") {
      throw new FuncError(`non-comparable types ${typeName(a)} and ${typeName(b)}`);
    }
    if (k1 === "number" && typeof a !== typeof b) {
      if (Number(a) === Number(b)) return true;
      continue;
    }
    if (k1 === "nil" || a === b) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basic(a);
  const k2 = basic(b);
  if (k1 !== "number" && k1 !== "string") {
    throw new FuncError(`invalid type for comparison: ${typeName(a)}`);
  }
  if (k2 !== "number" && k2 !== "string") {
    throw new FuncError(`invalid type for comparison: ${typeName(b)}`);
  }
  if (k1 !== k2) throw new FuncError("incompatible types for comparison");
  return (a as number | string) < (b as number | string);
}

function evalArgsText(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === "string" ? args[0] : sprint(args);
}

function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) =>
      ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\uFFFD" })[c] ??
        c,
  );
}

function jsEscape(s: string): string {
  let out = "";
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case "\\":
        out += "\\\\";
        break;
      case "'":
        out += "\\'";
        break;
      case '"':
        out += '\\"';
        break;
      case "<":
        out += "\\u003C";
        break;
      case ">":
        out += "\\u003E";
        break;
      case "&":
        out += "\\u0026";
        break;
      case "=":
        out += "\\u003D";
        break;
      default:
        if (cp < 0x20 || (cp >= 0x7f && !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch))) {
          out += "\\u" + cp.toString(16).toUpperCase().padStart(4, "0");
        } else out += ch;
    }
  }
  return out;
}

function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*~]/g,
    (c) => c === "~" ? "~" : "%" + (c.codePointAt(0) ?? 0).toString(16).toUpperCase(),
  ).replaceAll("%20", "+");
}

/** Go's `unicode.IsSpace` set, used by `trimSpace` and `file`. */
const SPACE_RE = /^[\s\u0085]+|[\s\u0085]+$/g;

function goTitle(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, pre: string, c: string) => pre + c.toUpperCase(),
  );
}

/** The `time` helper object of regclient (`time.Now`, `time.Parse`). */
export class TimeFuncs {
  #now: () => Date;
  /**
   * Creates the helper object reading time from a clock.
   *
   * @param now the clock
   */
  constructor(now: () => Date) {
    this.#now = now;
  }
  /**
   * Reads the clock (`time.Now` in templates).
   *
   * @returns the current time
   */
  Now(): GoTime {
    return GoTime.fromDate(this.#now());
  }
  /**
   * Parses a time with a Go reference layout (`time.Parse` in templates).
   *
   * @param layout Go reference layout
   * @param value the text to parse
   * @returns the parsed time
   * @throws {FuncError} when the text does not match the layout
   */
  Parse(layout: unknown, value: unknown): GoTime {
    try {
      return parseTime(str(layout, "time.Parse"), str(value, "time.Parse"));
    } catch (err) {
      throw new FuncError(err instanceof Error ? err.message : String(err));
    }
  }
}

const V = Infinity;

/**
 * Every built-in and regclient function, by name. `and`, `or` and `call` are
 * listed for parse-time checks; the executor implements `and`/`or` itself to
 * short-circuit.
 */
export const BUILTIN_FUNCS: Readonly<Record<string, FuncDef>> = {
  and: { min: 1, max: V, fn: (_e, a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1] },
  or: { min: 1, max: V, fn: (_e, a) => a.find((x) => isTrue(x)) ?? a[a.length - 1] },
  not: { min: 1, max: 1, fn: (_e, [a]) => !isTrue(a) },
  len: { min: 1, max: 1, fn: (_e, [a]) => len(a) },
  index: { min: 1, max: V, fn: (_e, [a, ...i]) => index(a, i) },
  slice: { min: 1, max: 4, fn: (_e, [a, ...i]) => slice(a, i) },
  print: { min: 0, max: V, fn: (_e, a) => sprint(a) },
  printf: { min: 1, max: V, fn: (_e, [f, ...a]) => sprintf(str(f, "printf"), a) },
  println: { min: 0, max: V, fn: (_e, a) => sprintln(a) },
  html: { min: 0, max: V, fn: (_e, a) => htmlEscape(evalArgsText(a)) },
  js: { min: 0, max: V, fn: (_e, a) => jsEscape(evalArgsText(a)) },
  urlquery: { min: 0, max: V, fn: (_e, a) => queryEscape(evalArgsText(a)) },
  call: {
    min: 1,
    max: V,
    fn: (_e, [f, ...a]) => {
      if (typeof f !== "function") throw new FuncError(`non-function of type ${typeName(f)}`);
      return (f as (...x: unknown[]) => unknown)(...a);
    },
  },
  eq: {
    min: 1,
    max: V,
    fn: (_e, [a, ...b]) => {
      if (b.length === 0) throw new FuncError("missing argument for comparison");
      return eq(a, b);
    },
  },
  ne: { min: 2, max: 2, fn: (_e, [a, b]) => !eq(a, [b]) },
  lt: { min: 2, max: 2, fn: (_e, [a, b]) => lt(a, b) },
  le: { min: 2, max: 2, fn: (_e, [a, b]) => lt(a, b) || eq(a, [b]) },
  gt: { min: 2, max: 2, fn: (_e, [a, b]) => !lt(a, b) && !eq(a, [b]) },
  ge: { min: 2, max: 2, fn: (_e, [a, b]) => !lt(a, b) },
  // regclient additions
  default: {
    min: 2,
    max: 2,
    fn: (_e, [def, orig]) => (isTrue(orig) || kindOf(orig) === "struct" ? orig : def),
  },
  env: { min: 1, max: 1, fn: (e, [k]) => e.env[str(k, "env")] ?? "" },
  file: {
    min: 1,
    max: 1,
    fn: (e, [p]) => {
      const name = str(p, "file");
      if (e.readFile === undefined) return "";
      try {
        return e.readFile(name).replace(SPACE_RE, "");
      } catch {
        return "";
      }
    },
  },
  join: {
    min: 2,
    max: 2,
    fn: (_e, [list, sep]) => {
      if (!Array.isArray(list) || !list.every((x) => typeof x === "string")) {
        throw new FuncError(
          `wrong type for value in join; expected []string; got ${typeName(list)}`,
        );
      }
      return list.join(str(sep, "join"));
    },
  },
  json: { min: 1, max: 1, fn: (_e, [v]) => jsonCompact(v) },
  jsonPretty: { min: 1, max: 1, fn: (_e, [v]) => jsonPretty(v) },
  printPretty: { min: 1, max: 1, fn: (_e, [v]) => printPretty(v) },
  lower: { min: 1, max: 1, fn: (_e, [s]) => str(s, "lower").toLowerCase() },
  upper: { min: 1, max: 1, fn: (_e, [s]) => str(s, "upper").toUpperCase() },
  title: { min: 1, max: 1, fn: (_e, [s]) => goTitle(str(s, "title")) },
  trimSpace: { min: 1, max: 1, fn: (_e, [s]) => str(s, "trimSpace").replace(SPACE_RE, "") },
  split: {
    min: 2,
    max: 2,
    fn: (_e, [s, sep]) => {
      const text = str(s, "split");
      const by = str(sep, "split");
      return by === "" ? [...text] : text.split(by);
    },
  },
  time: { min: 0, max: 0, fn: (e) => new TimeFuncs(e.now) },
};
