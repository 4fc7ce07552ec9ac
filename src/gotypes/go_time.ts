/**
 * A Go `time.Time` look-alike for templates: `{{ time.Now.Format "2006-01-02" }}`,
 * `{{ (time.Parse "2006-01-02" .Created).Unix }}`. Supports Go reference
 * layouts for formatting (here) and parsing (`go_time_parse.ts`); times are
 * UTC unless parsed with an offset.
 *
 * @module
 */

import { DAYS, MONTHS, splitLayout, two } from "./_go_layout.ts";

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
