/**
 * Go's `time.Parse` for templates: text read with a Go reference layout.
 *
 * @module
 */
import { DAYS, MONTHS, splitLayout } from "./_go_layout.ts";
import { GoTime } from "./go_time.ts";

/**
 * Parses text with a Go reference layout, like Go's `time.Parse`.
 *
 * @param layout the Go layout
 * @param value the text
 * @returns the time
 * @throws {Error} when `value` does not match `layout` (the executor wraps it in a TemplateError)
 */
export function parseTime(layout: string, value: string): GoTime {
  const fail = (rest: string, chunk: string) =>
    new Error(
      `parsing time ${JSON.stringify(value)} as ${JSON.stringify(layout)}: cannot parse ${
        JSON.stringify(rest)
      } as ${JSON.stringify(chunk)}`,
    );
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zone = "UTC";
  let rest = value;
  const num = (re: RegExp, chunk: string): number => {
    const m = re.exec(rest);
    if (m === null) throw fail(rest, chunk);
    rest = rest.slice(m[0].length);
    return Number(m[0].trim());
  };
  const chunks = splitLayout(layout);
  for (const [idx, c] of chunks.entries()) {
    const s = c.text;
    if (!c.std) {
      if (!rest.startsWith(s)) throw fail(rest, s);
      rest = rest.slice(s.length);
      continue;
    }
    if (/^[.,]/.test(s)) {
      const m = /^[.,](\d+)/.exec(rest);
      if (m === null) {
        if (s[1] === "9") continue;
        throw fail(rest, s);
      }
      nanos = Number((m[1] ?? "").slice(0, 9).padEnd(9, "0"));
      rest = rest.slice(m[0].length);
      continue;
    }
    switch (s) {
      case "January":
      case "Jan":
      case "Monday":
      case "Mon": {
        const names = s.startsWith("J") ? MONTHS : DAYS;
        const found = names.findIndex((n) => rest.startsWith(s.length === 3 ? n.slice(0, 3) : n));
        if (found < 0) throw fail(rest, s);
        rest = rest.slice(s.length === 3 ? 3 : (names[found] ?? "").length);
        if (names === MONTHS) month = found + 1;
        break;
      }
      case "MST": {
        const m = /^[A-Z]{3,5}/.exec(rest);
        if (m === null) throw fail(rest, s);
        zone = m[0];
        if (zone === "UTC" || zone === "GMT") offset = 0;
        rest = rest.slice(m[0].length);
        break;
      }
      case "2006":
        year = num(/^\d{4}/, s);
        break;
      case "06": {
        const y = num(/^\d{2}/, s);
        year = y >= 69 ? 1900 + y : 2000 + y;
        break;
      }
      case "01":
      case "02":
      case "03":
      case "04":
      case "05":
      case "15":
      case "1":
      case "2":
      case "3":
      case "4":
      case "5":
      case "_2": {
        const v = num(s.length === 2 && s !== "_2" ? /^\d{2}/ : /^ ?\d{1,2}/, s);
        if (s === "01" || s === "1") month = v;
        else if (s === "02" || s === "2" || s === "_2") day = v;
        else if (s === "03" || s === "3" || s === "15") hour = v;
        else if (s === "04" || s === "4") minute = v;
        else {
          second = v;
          const next = chunks[idx + 1];
          const m = /^[.,](\d+)/.exec(rest);
          if (m !== null && !(next?.std === true && /^[.,]/.test(next.text))) {
            nanos = Number((m[1] ?? "").slice(0, 9).padEnd(9, "0"));
            rest = rest.slice(m[0].length);
          }
        }
        if (s === "03" || s === "3") pm ??= false;
        break;
      }
      case "002":
      case "__2":
        num(/^ *\d{1,3}/, s);
        break;
      case "PM":
      case "pm": {
        const m = /^(AM|PM|am|pm)/.exec(rest);
        if (m === null) throw fail(rest, s);
        pm = m[0].toUpperCase() === "PM";
        rest = rest.slice(2);
        break;
      }
      default: {
        if (s.startsWith("Z") && rest.startsWith("Z")) {
          offset = 0;
          rest = rest.slice(1);
          break;
        }
        const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(rest);
        if (m === null) throw fail(rest, s);
        const sign = m[1] === "-" ? -1 : 1;
        offset = sign * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
        zone = "";
        rest = rest.slice(m[0].length);
      }
    }
  }
  if (rest !== "") {
    throw new Error(
      `parsing time ${JSON.stringify(value)}: extra text: ${JSON.stringify(rest)}`,
    );
  }
  if (pm === true && hour < 12) hour += 12;
  if (pm === false && hour === 12) hour = 0;
  if (month < 1 || month > 12) {
    throw new Error(`parsing time ${JSON.stringify(value)}: month out of range`);
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`parsing time ${JSON.stringify(value)}: field out of range`);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, Math.floor(nanos / 1_000_000));
  if (wall.getUTCDate() !== day) {
    throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
  }
  const off = offset ?? 0;
  if (offset === 0 && zone === "") zone = "UTC";
  return new GoTime(wall.getTime() - off * 1000, nanos % 1_000_000, off, zone);
}
