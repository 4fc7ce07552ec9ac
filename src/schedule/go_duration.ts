/**
 * Go `time.ParseDuration` syntax (`1h30m`, `5s`, `250ms`), used by
 * `credExpire` in the config file and by schedule intervals.
 *
 * @module
 */

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration string into milliseconds.
 *
 * @param text duration such as `1h`, `90s`, `1.5m`, `0`
 * @returns milliseconds, or `undefined` when the text is not a Go duration
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  const re = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== "") {
    const m = re.exec(s);
    if (!m || m[1] === undefined || m[2] === undefined) return undefined;
    total += Number(m[1]) * (UNITS[m[2]] ?? Number.NaN);
    s = s.slice(m[0].length);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

function _fraction(n: number, unit: number, digits: number): string {
  const whole = Math.floor(n / unit);
  const rest = n % unit;
  if (rest === 0) return String(whole);
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

/**
 * Formats milliseconds as Go's `time.Duration.String` does (`1h0m0s`,
 * `1m30s`, `1.5s`, `250ms`, `0s`), as regctl writes `credExpire`.
 *
 * @param ms the duration in milliseconds (rounded to nanoseconds)
 * @returns the Go spelling
 */
export function formatGoDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  ns = Math.abs(ns);
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${_fraction(ns, 1e3, 3)}µs`;
  if (ns < 1e9) return `${sign}${_fraction(ns, 1e6, 6)}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const s = _fraction(ns % 6e10, 1e9, 9);
  return `${sign}${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}
