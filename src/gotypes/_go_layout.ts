/**
 * Go reference layouts (`Mon Jan 2 15:04:05 MST 2006`): their elements and
 * the names they print, shared by formatting (`go_time.ts`) and parsing
 * (`go_time_parse.ts`).
 *
 * @module
 */

/** Go's month names, January first. */
export const MONTHS: readonly string[] = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
/** Go's day names, Sunday first. */
export const DAYS: readonly string[] = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];

/** Layout elements, longest first within each leading character. */
const STD_CHUNKS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "_2006",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "1",
  "2",
  "3",
  "4",
  "5",
  "PM",
  "pm",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
];

/**
 * Splits a Go layout into literal text and layout elements.
 *
 * @param layout the Go layout
 * @returns its pieces, in order
 * @throws never
 */
export function splitLayout(layout: string): { std: boolean; text: string }[] {
  const out: { std: boolean; text: string }[] = [];
  let lit = "";
  let i = 0;
  while (i < layout.length) {
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    let chunk = frac !== null ? frac[0] : undefined;
    if (chunk === undefined) {
      chunk = STD_CHUNKS.find((c) => layout.startsWith(c, i));
      if (chunk === "_2006") {
        lit += "_";
        i++;
        continue;
      }
      // "Jan" and "Mon" must not be followed by a lower-case letter (e.g. "Monthly").
      if ((chunk === "Jan" || chunk === "Mon") && /[a-z]/.test(layout[i + 3] ?? "")) {
        chunk = undefined;
      }
    }
    if (chunk === undefined) {
      lit += layout[i];
      i++;
      continue;
    }
    if (lit !== "") out.push({ std: false, text: lit });
    lit = "";
    out.push({ std: true, text: chunk });
    i += chunk.length;
  }
  if (lit !== "") out.push({ std: false, text: lit });
  return out;
}

/**
 * A number as two digits.
 *
 * @param n the number (0 to 99)
 * @returns it, zero-padded
 * @throws never
 */
export function two(n: number): string {
  return String(n).padStart(2, "0");
}
