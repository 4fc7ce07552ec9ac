/**
 * Shared pieces of the fuzzing drills: the seed (`FUZZ_SEED` reruns one),
 * the case counts, "token soup" strings built from a parser's own
 * vocabulary, and one runner that reports a failure with its seed, path and
 * shrunk input.
 *
 * @module
 */
import fc from "fast-check";
import { OciError } from "../../src/errors.ts";
import type { DrillSize } from "./_drill.ts";

/** Cases per property: a few hundred in the tests, 10,000 in `deno task drill`. */
export function fuzzRuns(size: DrillSize): number {
  return size === "short" ? 300 : 10_000;
}

/**
 * The seed of this run: `FUZZ_SEED` when set (to replay a failure), else random.
 *
 * @returns the seed
 */
export function fuzzSeed(): number {
  const env = Deno.env.get("FUZZ_SEED");
  return env !== undefined && env !== ""
    ? Number(env)
    : (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
}

/**
 * Strings made of pieces of a vocabulary mixed with arbitrary characters, so
 * that most inputs are near-valid and reach deep into a parser.
 *
 * @param words the parser's vocabulary
 * @param maxPieces most pieces per string
 * @returns the arbitrary
 */
export function tokenSoup(words: readonly string[], maxPieces = 12): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...words) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
  );
  return fc.array(piece, { maxLength: maxPieces }).map((p) => p.join(""));
}

/** One property's outcome. */
export interface PropertyOutcome {
  /** Property name. */
  name: string;
  /** Cases run. */
  runs: number;
  /** Failure report (seed, path, shrunk input, error), when it failed. */
  failure?: string | undefined;
  /** Slowest case in milliseconds. */
  slowestMs: number;
}

/** Longest a single case may take before it counts as a hang. */
export const CASE_LIMIT_MS = 2000;

/**
 * Checks that `fn` returns or throws an {@link OciError} for every input,
 * and that no case takes longer than {@link CASE_LIMIT_MS}.
 *
 * @param name property name
 * @param arb inputs
 * @param fn the code under test
 * @param options runs and seed
 * @returns the outcome
 */
export async function checkTyped<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  fn: (input: T) => unknown,
  options: { runs: number; seed: number },
): Promise<PropertyOutcome> {
  let slowest = 0;
  const details = await fc.check(
    fc.asyncProperty(arb, async (input) => {
      const t0 = performance.now();
      let thrown: unknown;
      try {
        await fn(input);
      } catch (err) {
        thrown = err;
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      if (thrown !== undefined && !(thrown instanceof OciError)) throw thrown;
      if (ms > CASE_LIMIT_MS) throw new Error(`case took ${ms.toFixed(0)} ms`);
    }),
    { numRuns: options.runs, seed: options.seed },
  );
  return { name, runs: details.numRuns, failure: failureReport(details), slowestMs: slowest };
}

/**
 * Describes a failed fast-check run so it can be replayed.
 *
 * @param details fast-check's run details
 * @returns the report, or undefined when the run passed
 */
export function failureReport<T>(details: fc.RunDetails<T>): string | undefined {
  if (!details.failed) return undefined;
  const err = details.errorInstance;
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `seed=${details.seed} path=${details.counterexamplePath ?? ""} ` +
    `input=${fc.stringify(details.counterexample)} error=${msg.slice(0, 300)} ` +
    `(rerun with FUZZ_SEED=${details.seed})`;
}
