/**
 * A Go `time.Time` look-alike for templates: `{{ time.Now.Format "2006-01-02" }}`,
 * `{{ (time.Parse "2006-01-02" .Created).Unix }}`. Supports Go reference
 * layouts for formatting and parsing; times are UTC unless parsed with an offset.
 *
 * @module
 */

const MONTHS = [
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
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

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

/** Splits a Go layout into literal text and layout elements. */
function splitLayout(layout: string): { std: boolean; text: string }[] {
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

function two(n: number): string {
  return String(n).padStart(2, "0");
}

/** A point in time with a fixed zone offset, exposing Go's `time.Time` methods. */
export class GoTime {
  #ms: number;
  #nanos: number;
  #offset: number;
  #zone: string;

  /**
   * Creates a time from epoch milliseconds plus extra nanoseconds in a fixed zone.
   *
   * @param ms milliseconds since the Unix epoch
   * @param nanos extra nanoseconds (0–999999)
   * @param offset zone offset in seconds east of UTC
   * @param zone zone abbreviation ("UTC", "" for an unnamed offset)
   */
  constructor(ms: number, nanos = 0, offset = 0, zone = "UTC") {
    this.#ms = ms;
    this.#nanos = nanos;
    this.#offset = offset;
    this.#zone = zone;
  }

  /**
   * Wraps a JavaScript Date (UTC).
   *
   * @param d the date
   * @returns the time
   */
  static fromDate(d: Date): GoTime {
    return new GoTime(d.getTime());
  }

  /** The wall-clock fields in the time's own zone. */
  #wall(): Date {
    return new Date(this.#ms + this.#offset * 1000);
  }

  /**
   * Formats the time with a Go reference layout (e.g. `2006-01-02`).
   *
   * @param layout Go reference layout
   * @returns the formatted text
   */
  Format(layout: string): string {
    return formatTime(this, layout);
  }
  /**
   * Formats the time as Go's `time.Time.String` does.
   *
   * @returns `2006-01-02 15:04:05.999999999 -0700 MST` style text
   */
  String(): string {
    return formatTime(this, "2006-01-02 15:04:05.999999999 -0700 MST");
  }
  /**
   * Reads the time as whole seconds since the Unix epoch.
   *
   * @returns Unix seconds
   */
  Unix(): number {
    return Math.floor(this.#ms / 1000);
  }
  /**
   * Reads the time as milliseconds since the Unix epoch.
   *
   * @returns Unix milliseconds
   */
  UnixMilli(): number {
    return this.#ms;
  }
  /**
   * Reads the time as nanoseconds since the Unix epoch.
   *
   * @returns Unix nanoseconds
   */
  UnixNano(): bigint {
    return BigInt(this.#ms) * 1_000_000n + BigInt(this.#nanos);
  }
  /**
   * Moves the time to the UTC zone.
   *
   * @returns the same instant in UTC
   */
  UTC(): GoTime {
    return new GoTime(this.#ms, this.#nanos, 0, "UTC");
  }
  /**
   * Moves the time to the local zone, which is UTC in templates.
   *
   * @returns the same instant in UTC
   */
  Local(): GoTime {
    return this.UTC();
  }
  /**
   * Reads the year in the time's zone.
   *
   * @returns the year
   */
  Year(): number {
    return this.#wall().getUTCFullYear();
  }
  /**
   * Reads the month in the time's zone.
   *
   * @returns the English month name, e.g. `January`
   */
  Month(): string {
    return MONTHS[this.#wall().getUTCMonth()] ?? "";
  }
  /**
   * Reads the day of the month in the time's zone.
   *
   * @returns the day of the month (1–31)
   */
  Day(): number {
    return this.#wall().getUTCDate();
  }
  /**
   * Reads the hour in the time's zone.
   *
   * @returns the hour (0–23)
   */
  Hour(): number {
    return this.#wall().getUTCHours();
  }
  /**
   * Reads the minute in the time's zone.
   *
   * @returns the minute (0–59)
   */
  Minute(): number {
    return this.#wall().getUTCMinutes();
  }
  /**
   * Reads the second in the time's zone.
   *
   * @returns the second (0–59)
   */
  Second(): number {
    return this.#wall().getUTCSeconds();
  }
  /**
   * Reads the fraction of the second.
   *
   * @returns the nanoseconds within the second
   */
  Nanosecond(): number {
    return (((this.#ms % 1000) + 1000) % 1000) * 1_000_000 + this.#nanos;
  }
  /**
   * Reads the day of the year in the time's zone.
   *
   * @returns the day of the year (1–366)
   */
  YearDay(): number {
    const w = this.#wall();
    return Math.floor((w.getTime() - Date.UTC(w.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  }
  /**
   * Reads the weekday in the time's zone.
   *
   * @returns the English weekday name, e.g. `Monday`
   */
  Weekday(): string {
    return DAYS[this.#wall().getUTCDay()] ?? "";
  }
  /**
   * Tells whether this is Go's zero time (January 1, year 1, UTC).
   *
   * @returns true for the zero time
   */
  IsZero(): boolean {
    return this.#ms === ZERO_MS && this.#nanos === 0;
  }
  /**
   * Compares two instants.
   *
   * @param t the other time
   * @returns true when this is before `t`
   */
  Before(t: GoTime): boolean {
    return this.#ms < t.#ms || (this.#ms === t.#ms && this.#nanos < t.#nanos);
  }
  /**
   * Compares two instants.
   *
   * @param t the other time
   * @returns true when this is after `t`
   */
  After(t: GoTime): boolean {
    return t.Before(this);
  }
  /**
   * Compares two instants, whatever their zones.
   *
   * @param t the other time
   * @returns true when both are the same instant
   */
  Equal(t: GoTime): boolean {
    return this.#ms === t.#ms && this.#nanos === t.#nanos;
  }
  /**
   * Adds a duration, keeping the zone.
   *
   * @param ns nanoseconds to add (negative to subtract)
   * @returns this time plus `ns` nanoseconds
   */
  Add(ns: number): GoTime {
    const total = this.#nanos + ns;
    const ms = Math.floor(total / 1_000_000);
    return new GoTime(this.#ms + ms, total - ms * 1_000_000, this.#offset, this.#zone);
  }
  /**
   * Adds calendar years, months and days in the time's zone, normalising overflow as Go does.
   *
   * @param years years to add
   * @param months months to add
   * @param days days to add
   * @returns the shifted time
   */
  AddDate(years: number, months: number, days: number): GoTime {
    const w = this.#wall();
    w.setUTCFullYear(w.getUTCFullYear() + years, w.getUTCMonth() + months, w.getUTCDate() + days);
    return new GoTime(w.getTime() - this.#offset * 1000, this.#nanos, this.#offset, this.#zone);
  }
  /**
   * Measures the duration between two instants.
   *
   * @param t the time to subtract
   * @returns the duration `this - t` in nanoseconds
   */
  Sub(t: GoTime): number {
    return (this.#ms - t.#ms) * 1_000_000 + (this.#nanos - t.#nanos);
  }
  /**
   * Encodes the time as Go's JSON encoding does.
   *
   * @returns RFC 3339 text with nanoseconds
   */
  toJSON(): string {
    return formatTime(this, "2006-01-02T15:04:05.999999999Z07:00");
  }
  /**
   * Formats the time as {@link GoTime.String} does.
   *
   * @returns Go's default text
   */
  toString(): string {
    return this.String();
  }

  /**
   * The wall-clock date, nanoseconds and zone, as the formatter needs them.
   *
   * @returns the wall time (as a UTC `Date`), nanoseconds, offset in seconds and zone name
   */
  get parts(): { wall: Date; nanos: number; offset: number; zone: string } {
    return { wall: this.#wall(), nanos: this.Nanosecond(), offset: this.#offset, zone: this.#zone };
  }
}

const ZERO_MS = new Date(0).setUTCFullYear(1, 0, 1);

function formatOffset(offset: number, std: string): string {
  if (std.startsWith("Z") && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const a = Math.abs(offset);
  const hh = two(Math.floor(a / 3600));
  const mm = two(Math.floor((a % 3600) / 60));
  const ss = two(a % 60);
  const body = std.slice(1);
  if (body === "07") return sign + hh;
  if (body === "0700") return sign + hh + mm;
  if (body === "07:00") return `${sign}${hh}:${mm}`;
  if (body === "070000") return sign + hh + mm + ss;
  return `${sign}${hh}:${mm}:${ss}`;
}

/**
 * Formats a time with a Go reference layout (`Mon Jan 2 15:04:05 MST 2006`).
 *
 * @param t the time
 * @param layout the Go layout
 * @returns the formatted text
 */
export function formatTime(t: GoTime, layout: string): string {
  const { wall, nanos, offset, zone } = t.parts;
  const year = wall.getUTCFullYear();
  const month = wall.getUTCMonth();
  const day = wall.getUTCDate();
  const hour = wall.getUTCHours();
  const yday = t.YearDay();
  let out = "";
  for (const c of splitLayout(layout)) {
    if (!c.std) {
      out += c.text;
      continue;
    }
    const s = c.text;
    if (/^[.,]/.test(s)) {
      const digits = String(nanos).padStart(9, "0").slice(0, s.length - 1);
      if (s[1] === "0") out += s[0] + digits;
      else {
        const trimmed = digits.replace(/0+$/, "");
        if (trimmed !== "") out += s[0] + trimmed;
      }
      continue;
    }
    switch (s) {
      case "January":
        out += MONTHS[month];
        break;
      case "Jan":
        out += MONTHS[month]?.slice(0, 3);
        break;
      case "Monday":
        out += DAYS[wall.getUTCDay()];
        break;
      case "Mon":
        out += DAYS[wall.getUTCDay()]?.slice(0, 3);
        break;
      case "MST":
        out += zone !== "" ? zone : formatOffset(offset, "-0700");
        break;
      case "2006":
        out += String(year).padStart(4, "0");
        break;
      case "06":
        out += two(year % 100);
        break;
      case "01":
        out += two(month + 1);
        break;
      case "1":
        out += String(month + 1);
        break;
      case "02":
        out += two(day);
        break;
      case "_2":
        out += String(day).padStart(2, " ");
        break;
      case "2":
        out += String(day);
        break;
      case "002":
        out += String(yday).padStart(3, "0");
        break;
      case "__2":
        out += String(yday).padStart(3, " ");
        break;
      case "15":
        out += two(hour);
        break;
      case "03":
        out += two(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case "3":
        out += String(hour % 12 === 0 ? 12 : hour % 12);
        break;
      case "04":
        out += two(wall.getUTCMinutes());
        break;
      case "4":
        out += String(wall.getUTCMinutes());
        break;
      case "05":
        out += two(wall.getUTCSeconds());
        break;
      case "5":
        out += String(wall.getUTCSeconds());
        break;
      case "PM":
        out += hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += hour >= 12 ? "pm" : "am";
        break;
      default:
        out += formatOffset(offset, s);
    }
  }
  return out;
}

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
