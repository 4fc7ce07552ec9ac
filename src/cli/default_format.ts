/**
 * The default `--format` of most verbs: regctl's pretty output. A module of
 * its own so that a verb can name its default without loading the formatting
 * code (`output.ts`, the pretty printer, Go's JSON), which it then imports
 * only for another format.
 *
 * @module
 */

/** The default format of most verbs. */
export const FORMAT_PRETTY = "{{printPretty .}}";
