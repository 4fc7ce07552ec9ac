/**
 * A subset of Go's fmt package: `%v` value printing (`[a b]`, `map[k:v]`,
 * `<nil>`), `Sprint`, `Sprintln` and `Sprintf` with Go's verbs, flags, width,
 * precision and `%!verb(type=value)` error marks.
 *
 * @module
 */

import { GoTime } from "../gotypes/go_time.ts";
import { isPlainObject, kindOf, mapGet, mapKeys, structFields, typeName } from "./values.ts";

interface Flags {
  plus: boolean;
  plusV: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

/** Go's limit on width and precision (larger values print `%!(BADWIDTH)`). */
const MAX_WIDTH = 1_000_000;

const NO_FLAGS: Flags = {
  plus: false,
  plusV: false,
  minus: false,
  sharp: false,
  space: false,
  zero: false,
  width: undefined,
  prec: undefined,
};

/**
 * Returns the text of a value's Go-style `String()`/`Error()` method or a
 * custom `toString`, if it has one.
 *
 * @param v any value
 * @returns the text, or undefined when the value is not a "Stringer"
 */
export function stringerText(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Map) return undefined;
  if (v instanceof Uint8Array) return undefined;
  const rec = v as Record<string, unknown>;
  // A view object may be plain but carry a Go String() method; JSON data never has functions.
  if (typeof rec.String === "function") return String((rec.String as () => unknown).call(v));
  if (isPlainObject(v)) return undefined;
  if (v instanceof Error) return v.message;
  if (typeof rec.Error === "function") return String((rec.Error as () => unknown).call(v));
  if (v instanceof Date) return undefined;
  if (typeof rec.toString === "function" && rec.toString !== Object.prototype.toString) {
    return String((rec.toString as () => unknown).call(v));
  }
  return undefined;
}

/**
 * Formats an integer in a radix, Go style (sign then digits).
 *
 * @param v the integer
 * @param radix 2, 8, 10 or 16
 * @returns the digits with a leading `-` when negative
 */
function intDigits(v: number | bigint, radix: number): string {
  const b = typeof v === "bigint" ? v : BigInt(v);
  return b.toString(radix);
}

/**
 * Formats a float like Go's `strconv.FormatFloat(v, 'g', -1, 64)` as used by
 * `%v`: shortest digits, exponent form when the exponent is < -4 or >= 6
 * (so `1234567.5` prints `1.2345675e+06`).
 *
 * @param v the number
 * @param prec digits of precision, or -1 for the shortest representation
 * @param sharp keep trailing zeros (`%#g`)
 * @returns the formatted number
 */
export function formatFloatG(v: number, prec: number, sharp = false): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = prec < 0 ? v.toExponential() : v.toExponential(Math.max(prec, 1) - 1);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (m === null) return String(v);
  const sign = m[1] ?? "";
  let digits = (m[2] ?? "") + (m[3] ?? "");
  const e = Number(m[4]);
  if (!sharp) digits = digits.replace(/0+$/, "") || "0";
  let eprec = prec === 0 ? 1 : prec;
  if (prec < 0) eprec = 6;
  else if (eprec > digits.length && digits.length >= e + 1) eprec = digits.length;
  if (e < -4 || e >= eprec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(e);
    return `${sign}${mant}e${e < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${"0".repeat(e + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

function formatFloatE(v: number, prec: number, upper: boolean): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  const s = v.toExponential(Math.min(prec, 100)).replace(/e([+-])(\d)$/, "e$10$2");
  return upper ? s.toUpperCase() : s;
}

function formatFloatF(v: number, prec: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  if (Math.abs(v) < 1e21) return v.toFixed(Math.min(prec, 100));
  const int = BigInt(Math.trunc(v)).toString();
  return prec > 0 ? `${int}.${"0".repeat(prec)}` : int;
}

/**
 * Quotes a string the way Go's `strconv.Quote` does.
 *
 * @param s the text
 * @param quote the quote character (`"` or `'`)
 * @returns the quoted literal
 */
export function goQuote(s: string, quote = '"'): string {
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\v") out += "\\v";
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) out += ch;
    else if (cp < 0x80) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (cp < 0x10000) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out + quote;
}

function utf8Hex(s: string | Uint8Array, upper: boolean, space: boolean): string {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  const parts = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
  const out = parts.join(space ? " " : "");
  return upper ? out.toUpperCase() : out;
}

function pad(s: string, f: Flags, numeric = false): string {
  const w = f.width;
  if (w === undefined) return s;
  const len = [...s].length;
  if (len >= w) return s;
  if (f.minus) return s + " ".repeat(w - len);
  if (f.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s.slice(0, 1) : "";
    return sign + "0".repeat(w - len) + s.slice(sign.length);
  }
  return " ".repeat(w - len) + s;
}

function signed(s: string, f: Flags): string {
  if (s.startsWith("-") || s === "NaN") return s;
  if (f.plus) return "+" + s;
  if (f.space) return " " + s;
  return s;
}

function badVerb(verb: string, v: unknown): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v)})`;
}

/**
 * Formats one value with one verb (the core of `Sprintf`).
 *
 * @param v the value
 * @param verb the verb letter (`v`, `s`, `d`, `q`, `x`, …)
 * @param f flags, width and precision
 * @param depth nesting depth (for composites)
 * @returns the formatted text (padded)
 */
function formatArg(v: unknown, verb: string, f: Flags, depth = 0): string {
  if (verb === "T") return pad(typeName(v), f);
  const kind = kindOf(v);
  if (kind === "invalid" || kind === "nil") {
    return verb === "v" ? pad("<nil>", f) : badVerb(verb, v);
  }
  if ("vsqxX".includes(verb)) {
    const text = stringerText(v);
    if (text !== undefined) return formatArg(text, verb, f, depth);
  }
  if (v instanceof Date) return formatArg(GoTime.fromDate(v), verb, f, depth);
  switch (kind) {
    case "bool":
      return verb === "v" || verb === "t" ? pad(String(v), f) : badVerb(verb, v);
    case "int":
      return formatInt(v as number | bigint, verb, f);
    case "float":
      return formatFloat(v as number, verb, f);
    case "string":
      return formatString(v as string, verb, f);
    case "slice": {
      const inner = { ...NO_FLAGS, plusV: f.plusV };
      if (v instanceof Uint8Array && "sqxX".includes(verb)) {
        if (verb === "x" || verb === "X") return pad(utf8Hex(v, verb === "X", f.space), f);
        return formatString(new TextDecoder().decode(v), verb, f);
      }
      const items = Array.from(v as ArrayLike<unknown>).map((x) =>
        formatArg(x, verb, inner, depth + 1)
      );
      return pad(`[${items.join(" ")}]`, f);
    }
    case "map": {
      const inner = { ...NO_FLAGS, plusV: f.plusV };
      const parts = mapKeys(v).map((k) =>
        `${formatArg(k, verb, inner, depth + 1)}:${formatArg(mapGet(v, k), verb, inner, depth + 1)}`
      );
      return pad(`map[${parts.join(" ")}]`, f);
    }
    case "struct": {
      const parts = structFields(v as object).map(([k, x]) =>
        (f.plusV ? `${k}:` : "") + formatArg(x, verb, { ...NO_FLAGS, plusV: f.plusV }, depth + 1)
      );
      return pad(`{${parts.join(" ")}}`, f);
    }
    default:
      return verb === "v" ? pad("<func>", f) : badVerb(verb, v);
  }
}

function formatInt(v: number | bigint, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
    case "d":
      return pad(signed(intDigits(v, 10), f), f, true);
    case "b":
      return pad(signed(intDigits(v, 2), f), f, true);
    case "o":
    case "O": {
      const d = intDigits(v, 8);
      const prefix = verb === "O" ? "0o" : f.sharp ? "0" : "";
      return pad(signed(d.startsWith("-") ? `-${prefix}${d.slice(1)}` : prefix + d, f), f, true);
    }
    case "x":
    case "X": {
      let d = intDigits(v, 16);
      if (f.sharp) d = d.startsWith("-") ? `-0x${d.slice(1)}` : `0x${d}`;
      return pad(signed(verb === "X" ? d.toUpperCase().replace("0X", "0X") : d, f), f, true);
    }
    case "c":
      return pad(String.fromCodePoint(Number(v)), f);
    case "q":
      return pad(goQuote(String.fromCodePoint(Number(v)), "'"), f);
    case "U":
      return pad("U+" + Number(v).toString(16).toUpperCase().padStart(4, "0"), f);
    case "e":
    case "E":
    case "f":
    case "F":
    case "g":
    case "G":
      // JSON numbers are float64 in Go, so integral numbers accept float verbs.
      return formatFloat(Number(v), verb, f);
    default:
      return badVerb(verb, v);
  }
}

function formatFloat(v: number, verb: string, f: Flags): string {
  switch (verb) {
    case "v":
      return pad(signed(formatFloatG(v, -1), f), f, true);
    case "g":
    case "G": {
      const s = formatFloatG(v, f.prec ?? -1, f.sharp);
      return pad(signed(verb === "G" ? s.toUpperCase() : s, f), f, true);
    }
    case "e":
    case "E":
      return pad(signed(formatFloatE(v, f.prec ?? 6, verb === "E"), f), f, true);
    case "f":
    case "F":
      return pad(signed(formatFloatF(v, f.prec ?? 6), f), f, true);
    default:
      return badVerb(verb, v);
  }
}

function formatString(s: string, verb: string, f: Flags): string {
  const cut = f.prec !== undefined ? [...s].slice(0, f.prec).join("") : s;
  switch (verb) {
    case "v":
    case "s":
      return pad(cut, f);
    case "q":
      return pad(
        f.sharp && !cut.includes("`") && !/[\n\r]/.test(cut) ? `\`${cut}\`` : goQuote(cut),
        f,
      );
    case "x":
    case "X":
      return pad(utf8Hex(cut, verb === "X", f.space), f);
    default:
      return badVerb(verb, s);
  }
}

/**
 * Formats a value like Go's `%v`.
 *
 * @param v any value
 * @param plus print struct field names (`%+v`)
 * @returns the text
 */
export function formatValue(v: unknown, plus = false): string {
  return formatArg(v, "v", { ...NO_FLAGS, plusV: plus });
}

/**
 * Go's `fmt.Sprint`: operands printed with `%v`, a space between two
 * operands when neither is a string.
 *
 * @param args the operands
 * @returns the text
 */
export function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof a !== "string" && typeof prev !== "string") out += " ";
    out += formatValue(a);
  });
  return out;
}

/**
 * Go's `fmt.Sprintln`: operands with `%v`, always space separated, newline at the end.
 *
 * @param args the operands
 * @returns the text
 */
export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a)).join(" ") + "\n";
}

/**
 * Go's `fmt.Sprintf` for the verbs `%v %+v %s %q %d %b %o %x %X %c %U %e
 * %f %g %t %T %%` with flags `+ - # 0 space`, width and precision (`*` too).
 *
 * @param format the format string
 * @param args the arguments
 * @returns the text, with `%!verb(...)`, `%!v(MISSING)` and `%!(EXTRA ...)` marks as Go prints them
 */
export function sprintf(format: string, args: unknown[]): string {
  let out = "";
  let argNum = 0;
  const chars = [...format];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c !== "%") {
      out += c;
      i++;
      continue;
    }
    i++;
    const f: Flags = { ...NO_FLAGS };
    for (; i < chars.length; i++) {
      const fc = chars[i];
      if (fc === "+") f.plus = true;
      else if (fc === "-") f.minus = true;
      else if (fc === "#") f.sharp = true;
      else if (fc === " ") f.space = true;
      else if (fc === "0") f.zero = true;
      else break;
    }
    const readNum = (): number | undefined => {
      if (chars[i] === "*") {
        i++;
        const a = args[argNum++];
        return typeof a === "number" && Number.isInteger(a) ? a : undefined;
      }
      let n = "";
      while (/[0-9]/.test(chars[i] ?? "")) n += chars[i++];
      return n === "" ? undefined : Number(n);
    };
    f.width = readNum();
    if (f.width !== undefined && f.width < 0) {
      f.minus = true;
      f.width = -f.width;
    }
    if (f.width !== undefined && f.width > MAX_WIDTH) {
      out += "%!(BADWIDTH)";
      f.width = undefined;
    }
    if (chars[i] === ".") {
      i++;
      f.prec = readNum() ?? 0;
      if (f.prec < 0 || f.prec > MAX_WIDTH) {
        out += "%!(BADPREC)";
        f.prec = undefined;
      }
    }
    const verb = chars[i++];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (verb === "v") {
      f.plusV = f.plus;
      f.plus = false;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatArg(args[argNum++], verb, f);
  }
  if (argNum < args.length) {
    const extra = args.slice(argNum).map((a) =>
      a === undefined || a === null ? "<nil>" : `${typeName(a)}=${formatValue(a)}`
    );
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}
