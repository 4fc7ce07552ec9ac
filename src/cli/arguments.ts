/**
 * Argument and option parsers shared by the verbs (commander `argParser`
 * functions): references, digests, platforms, counts, patterns.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { Platform } from "../types/descriptor.ts";
import { parseDigest } from "../types/digest.ts";
import { parsePlatform } from "../types/platform.ts";
import { parseRef, type Ref } from "../types/ref.ts";

/**
 * Parses a reference argument.
 *
 * @param value the argument
 * @returns the reference
 * @throws {InvalidReferenceError} when malformed
 * @throws {UnknownSchemeError} for an unknown scheme
 */
export function refArg(value: string): Ref {
  return parseRef(value);
}

/**
 * Parses a digest argument.
 *
 * @param value the argument
 * @returns the digest string
 * @throws {InvalidDigestError} when malformed or of an unknown algorithm
 */
export function digestArg(value: string): string {
  return parseDigest(value).value;
}

/**
 * Makes a platform parser that understands `local` and fills in from the host.
 *
 * @param host the host platform
 * @returns a parser for commander
 * @throws never (the parser throws {@link InvalidPlatformError})
 */
export function platformArg(host: Platform): (value: string) => Platform {
  return (value) => parsePlatform(value, { host });
}

/**
 * Parses a non-negative integer option.
 *
 * @param value the option value
 * @returns the number
 * @throws {UsageError} when not a non-negative integer
 */
export function countArg(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`Cannot use "${value}" as a count: expected a non-negative integer`);
  }
  return Number(value);
}

/**
 * Collects a repeatable option's values, in command-line order.
 *
 * @param value this occurrence's value
 * @param previous values so far (undefined before the first)
 * @returns the values with this one appended
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectValue } from "./arguments.ts";
 * assert.deepEqual(collectValue("b", collectValue("a", undefined)), ["a", "b"]);
 * ```
 */
export function collectValue(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Collects a repeatable anchored regular expression option.
 *
 * @param value the pattern (anchored with `^(?:…)$`)
 * @param previous patterns so far
 * @returns the patterns with this one appended
 * @throws {UsageError} when the pattern does not compile
 */
export function collectRegexp(value: string, previous: RegExp[]): RegExp[] {
  try {
    return [...previous, new RegExp(`^(?:${value})$`)];
  } catch (err) {
    throw new UsageError(`Cannot use pattern "${value}": ${(err as Error).message}`, {
      cause: err,
    });
  }
}
