/**
 * Maps the key paths of a YAML document (`sync.0.tags.allow`) to the lines
 * where they are written, from js-yaml's event stream, so that config errors
 * and warnings can name a line. Keys that come in through a merge (`<<:`)
 * have no line of their own; callers fall back to the nearest parent.
 *
 * @module
 */
import { type Event, EVENT_ID, getScalarValue, parseEvents } from "js-yaml";

interface Frame {
  kind: "map" | "seq";
  path: string;
  index: number;
  key: string | undefined;
}

/**
 * Reads the line of every key and sequence item of the first document.
 *
 * @param text the YAML text
 * @returns path (`a.b.0.c`, root = "") → 1-based line; empty when the text does not parse
 */
export function yamlKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let events: Event[];
  try {
    events = parseEvents(text, {});
  } catch {
    return lines;
  }
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const stack: Frame[] = [];
  let docs = 0;
  /** Path of the node about to start, or undefined while reading a map key. */
  const place = (offset: number): string | undefined => {
    const top = stack[stack.length - 1];
    if (top === undefined) return "";
    if (top.kind === "seq") {
      const path = `${top.path}${top.path === "" ? "" : "."}${top.index++}`;
      if (!lines.has(path)) lines.set(path, lineOf(offset));
      return path;
    }
    if (top.key === undefined) return undefined;
    const path = `${top.path}${top.path === "" ? "" : "."}${top.key}`;
    top.key = undefined;
    return path;
  };
  for (const ev of events) {
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        if (++docs > 1) return lines;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const offset = ev.anchorStart >= 0 ? ev.anchorStart : ev.start;
        const path = place(offset) ?? "";
        stack.push({
          kind: ev.type === EVENT_ID.MAPPING ? "map" : "seq",
          path,
          index: 0,
          key: undefined,
        });
        break;
      }
      case EVENT_ID.SCALAR: {
        const top = stack[stack.length - 1];
        if (top?.kind === "map" && top.key === undefined) {
          const key = getScalarValue(text, ev);
          top.key = key;
          const path = `${top.path}${top.path === "" ? "" : "."}${key}`;
          if (!lines.has(path)) lines.set(path, lineOf(ev.valueStart));
        } else {
          place(ev.valueStart);
        }
        break;
      }
      case EVENT_ID.ALIAS: {
        const top = stack[stack.length - 1];
        if (top?.kind === "map" && top.key === undefined) top.key = "*";
        else place(ev.anchorStart);
        break;
      }
      case EVENT_ID.POP:
        stack.pop();
        break;
    }
  }
  return lines;
}

/**
 * Finds the line of a path, or of its nearest parent that has one.
 *
 * @param lines the map from {@link yamlKeyLines}
 * @param path a dotted path
 * @returns the 1-based line, or undefined
 */
export function lineOfPath(lines: ReadonlyMap<string, number>, path: string): number | undefined {
  let p = path;
  for (;;) {
    const l = lines.get(p);
    if (l !== undefined) return l;
    const dot = p.lastIndexOf(".");
    if (dot < 0) return p === "" ? undefined : lines.get("");
    p = p.slice(0, dot);
  }
}
