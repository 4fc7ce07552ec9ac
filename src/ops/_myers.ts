/**
 * A small Myers diff of two line lists and its unified-diff rendering.
 *
 * @module
 */

/** One line of an edit script. */
export interface _Edit {
  /** ` ` kept, `-` removed, `+` added. */
  op: " " | "-" | "+";
  /** The line. */
  line: string;
}

/**
 * Computes a shortest edit script between two line lists (Myers, O((N+M)D)).
 *
 * @param a old lines
 * @param b new lines
 * @returns the edit script in order
 */
export function _diffLines(a: readonly string[], b: readonly string[]): _Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) {
        x = v[offset + k + 1] as number;
      } else {
        x = (v[offset + k - 1] as number) + 1;
      }
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  const edits: _Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    let prevK: number;
    if (k === -d || (k !== d && (vd[offset + k - 1] as number) < (vd[offset + k + 1] as number))) {
      prevK = k + 1;
    } else {
      prevK = k - 1;
    }
    const prevX = vd[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: " ", line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) edits.push({ op: "+", line: b[y - 1] as string });
      else edits.push({ op: "-", line: a[x - 1] as string });
      x = prevX;
      y = prevY;
    }
  }
  return edits.reverse();
}

/**
 * Renders an edit script as unified-diff hunks.
 *
 * @param edits the edit script
 * @param context lines of context around changes (`Infinity` for everything)
 * @returns the lines (`@@ -a,b +c,d @@` headers, then ` `/`-`/`+` lines); empty when equal
 */
export function _unified(edits: readonly _Edit[], context: number): string[] {
  const changed = edits.map((e, i) => (e.op !== " " ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return [];
  const out: string[] = [];
  const ranges: [number, number][] = [];
  for (const i of changed) {
    const lo = Math.max(0, i - context);
    const hi = Math.min(edits.length - 1, i + context);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else ranges.push([lo, hi]);
  }
  // line numbers before each edit
  const aAt: number[] = [];
  const bAt: number[] = [];
  let ai = 1;
  let bi = 1;
  for (const e of edits) {
    aAt.push(ai);
    bAt.push(bi);
    if (e.op !== "+") ai++;
    if (e.op !== "-") bi++;
  }
  for (const [lo, hi] of ranges) {
    const slice = edits.slice(lo, hi + 1);
    const aLen = slice.filter((e) => e.op !== "+").length;
    const bLen = slice.filter((e) => e.op !== "-").length;
    const aStart = aLen === 0 ? (aAt[lo] as number) - 1 : aAt[lo] as number;
    const bStart = bLen === 0 ? (bAt[lo] as number) - 1 : bAt[lo] as number;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const e of slice) out.push(`${e.op}${e.line}`);
  }
  return out;
}
