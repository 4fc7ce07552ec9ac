/**
 * Aligns tab-separated cells the way Go's `text/tabwriter` does with
 * minwidth 0, padding 1, pad character ' ' and no flags (regctl's pretty
 * output). Private to the CLI.
 *
 * @module
 */

/**
 * Aligns the tab-terminated cells of `text` into columns.
 *
 * @param text lines whose cells end with `\t`; the text after the last tab is not aligned
 * @returns the aligned text
 */
export function _tabwrite(text: string): string {
  const lines = text.split("\n");
  const rows = lines.map((l) => l.split("\t"));
  const out: string[] = rows.map(() => "");
  const widths: number[] = [];
  _format(rows, out, widths, 0, rows.length);
  return out.join("\n");
}

function _width(cell: string): number {
  return [...cell].length;
}

/** Go's recursive column-block formatter. */
function _format(
  rows: string[][],
  out: string[],
  widths: number[],
  line0: number,
  line1: number,
): void {
  const column = widths.length;
  for (let i = line0; i < line1; i++) {
    const row = rows[i] ?? [];
    if (column >= row.length - 1) {
      // no aligned cell in this column: write the line with the widths so far
      out[i] = _render(row, widths);
      continue;
    }
    // a column block starts here
    let width = 0;
    let end = i;
    for (; end < line1; end++) {
      const r = rows[end] ?? [];
      if (column >= r.length - 1) break;
      width = Math.max(width, _width(r[column] ?? "") + 1);
    }
    widths.push(width);
    _format(rows, out, widths, i, end);
    widths.pop();
    i = end - 1;
  }
}

function _render(row: string[], widths: number[]): string {
  let s = "";
  for (let c = 0; c < row.length; c++) {
    const cell = row[c] ?? "";
    const w = widths[c];
    s += c < row.length - 1 && w !== undefined ? cell + " ".repeat(w - _width(cell)) : cell;
  }
  return s;
}
