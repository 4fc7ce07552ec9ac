/**
 * Time options of `image mod` (`--time`, `--config-time`, `--layer-time`,
 * `--file-tar-time`): `set=` or `from-label=`, `after=`, `base-ref=`,
 * `base-layers=`, as regctl reads them.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { parseRef, type Ref } from "../types/ref.ts";

/** A parsed time option list. */
export interface TimeOption {
  /** The time to set (`set=`), with the text as given (its offset is kept in configs). */
  set?: { date: Date; text: string } | undefined;
  /** Label of the config holding the time to set (`from-label=`). */
  fromLabel?: string | undefined;
  /** Only times after this one change (`after=`). */
  after?: Date | undefined;
  /** Layers (and history) of this image are left alone (`base-ref=`). */
  baseRef?: Ref | undefined;
  /** The first N layers (and their history) are left alone (`base-layers=`). */
  baseLayers?: number | undefined;
}

const RFC3339_REGEXP = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 time as Go's `time.Parse(time.RFC3339, …)` accepts it.
 *
 * @param value the text
 * @param what names the value in the error (`--time set`)
 * @returns the time
 * @throws {UsageError} when the text is not an RFC 3339 time
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRfc3339 } from "./time_option.ts";
 * assert.equal(parseRfc3339("2021-02-03T04:05:06Z", "set").toISOString(), "2021-02-03T04:05:06.000Z");
 * ```
 */
export function parseRfc3339(value: string, what: string): Date {
  const d = new Date(value);
  if (!RFC3339_REGEXP.test(value) || Number.isNaN(d.getTime())) {
    throw new UsageError(
      `Cannot use "${value}" as ${what}: expected an RFC 3339 time such as 2021-02-03T04:05:06Z`,
    );
  }
  return d;
}

/**
 * Parses a comma list of time options. Keys named in `extra` are returned
 * apart (`filename` for `--file-tar-time`); any other key is a usage error.
 *
 * @param value the flag value (`set=2021-02-03T04:05:06Z,base-layers=2`)
 * @param flag the flag name, for messages (`--time`)
 * @param extra other keys the flag takes
 * @returns the option and the extra keys given
 * @throws {UsageError} for a key without a value, an unknown key, a bad time,
 *   count or reference, or neither `set=` nor `from-label=`
 *
 * @example Parse a time with a base layer count
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTimeOption } from "./time_option.ts";
 * const { option } = parseTimeOption("set=2021-02-03T04:05:06Z,base-layers=2", "--time");
 * assert.equal(option.baseLayers, 2);
 * assert.equal(option.set?.text, "2021-02-03T04:05:06Z");
 * ```
 */
export function parseTimeOption(
  value: string,
  flag: string,
  extra: readonly string[] = [],
): { option: TimeOption; extra: Record<string, string> } {
  const option: TimeOption = {};
  const others: Record<string, string> = {};
  for (const part of value.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      throw new UsageError(
        `Cannot use "${part}" in ${flag}: every option needs a value (set=TIME, from-label=NAME, after=TIME, base-ref=IMAGE, base-layers=N)`,
      );
    }
    const key = part.slice(0, eq);
    const v = part.slice(eq + 1);
    switch (key) {
      case "set":
        option.set = { date: parseRfc3339(v, `${flag} set`), text: v };
        break;
      case "after":
        option.after = parseRfc3339(v, `${flag} after`);
        break;
      case "from-label":
        option.fromLabel = v;
        break;
      case "base-ref":
        option.baseRef = parseRef(v);
        break;
      case "base-layers":
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
          throw new UsageError(
            `Cannot use "${v}" as ${flag} base-layers: expected a non-negative layer count`,
          );
        }
        option.baseLayers = Number(v);
        break;
      default:
        if (!extra.includes(key)) {
          throw new UsageError(
            `Cannot use "${key}" in ${flag}: unknown time option (use set, from-label, after, base-ref, base-layers${
              extra.map((e) => `, ${e}`).join("")
            })`,
          );
        }
        others[key] = v;
    }
  }
  if (option.set === undefined && (option.fromLabel ?? "") === "") {
    throw new UsageError(
      `Cannot use "${value}" as ${flag}: give the time with set=TIME or from-label=LABEL`,
    );
  }
  return { option, extra: others };
}

/**
 * Builds the option of a hidden `--*-time-max` flag: set every time after
 * the given one to it.
 *
 * @param value an RFC 3339 time
 * @param flag the flag name, for messages
 * @returns `set=` and `after=` that time
 * @throws {UsageError} when the time does not parse
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeMaxOption } from "./time_option.ts";
 * assert.equal(timeMaxOption("2021-02-03T04:05:06Z", "--time-max").after?.getUTCFullYear(), 2021);
 * ```
 */
export function timeMaxOption(value: string, flag: string): TimeOption {
  const date = parseRfc3339(value, flag);
  return { set: { date, text: value }, after: date };
}

/**
 * Applies a time option to one time (regclient's rule): a time not after
 * `after` is kept, otherwise it becomes `set`.
 *
 * @param t the current time
 * @param set the time to set
 * @param after only change times after this one
 * @returns the new time, or undefined when the time stays
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adjustTime } from "./time_option.ts";
 * const set = new Date("2021-01-01T00:00:00Z");
 * assert.equal(adjustTime(new Date("2020-01-01T00:00:00Z"), set, set), undefined);
 * assert.equal(adjustTime(new Date("2022-01-01T00:00:00Z"), set, set), set);
 * ```
 */
export function adjustTime(t: Date, set: Date, after?: Date): Date | undefined {
  if (after !== undefined && !(t.getTime() > after.getTime())) return undefined;
  return t.getTime() === set.getTime() ? undefined : set;
}
