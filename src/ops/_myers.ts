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

/** A run of deleted or inserted lines: `a[x1, x2)` removed or `b[y1, y2)` added at `x1`/`y1`. */
interface _Op {
  del: boolean;
  x1: number;
  x2: number;
  y1: number;
  y2: number;
}

function _operations(edits: readonly _Edit[]): _Op[] {
  const ops: _Op[] = [];
  let x = 0;
  let y = 0;
  for (const e of edits) {
    if (e.op === " ") {
      x++;
      y++;
      continue;
    }
    const del = e.op === "-";
    let op = ops[ops.length - 1];
    if (op === undefined || op.del !== del || op.x2 !== x || op.y2 !== y) {
      op = { del, x1: x, x2: x, y1: y, y2: y };
      ops.push(op);
    }
    if (del) x++;
    else y++;
    op.x2 = x;
    op.y2 = y;
  }
  return ops;
}

/**
 * Renders an edit script in regclient's diff format: `@@ -a,b +c,d @@`
 * headers, then lines prefixed with two characters (`  ` kept, `- ` removed,
 * `+ ` added). A gap of more than `context` kept lines starts a new hunk;
 * context lines are taken from the old side, as regctl does (its header
 * arithmetic included, so scripts parsing regctl's output read ours alike).
 *
 * @param a old lines
 * @param b new lines
 * @param edits the edit script from {@link _diffLines}
 * @param context lines of context around changes (`Infinity` for everything)
 * @returns the lines; empty when equal
 */
export function _unified(
  a: readonly string[],
  b: readonly string[],
  edits: readonly _Edit[],
  context: number,
): string[] {
  const full = context === Infinity;
  const out: string[] = [];
  let hunk: string[] = [];
  let sx1 = 0;
  let sx2 = 0;
  let sy1 = 0;
  let sy2 = 0;
  const kept = (from: number, to: number) => a.slice(from, to).map((l) => `  ${l}`);
  const flush = () => {
    if (hunk.length === 0) return;
    const before = full || sx1 - context < 0 ? sx1 : context;
    const after = full || sx2 + context > a.length ? a.length - sx2 : context;
    const span = before + after;
    out.push(
      `@@ -${sx1 - before + 1},${sx2 + span - sx1} +${sy1 - before + 1},${sy2 + span - sy1} @@`,
    );
    out.push(...kept(sx1 - before, sx1), ...hunk, ...kept(sx2, sx2 + after));
    hunk = [];
  };
  for (const op of _operations(edits)) {
    const dx = op.x1 - sx2;
    const dy = op.y1 - sy2;
    if (dx !== dy || (!full && dx > context)) {
      flush();
      sx1 = op.x1;
      sy1 = op.y1;
    } else if (dx > 0) {
      hunk.push(...kept(sx2, op.x1));
    }
    if (op.del) hunk.push(...a.slice(op.x1, op.x2).map((l) => `- ${l}`));
    else hunk.push(...b.slice(op.y1, op.y2).map((l) => `+ ${l}`));
    sx2 = op.x2;
    sy2 = op.y2;
  }
  flush();
  return out;
}
