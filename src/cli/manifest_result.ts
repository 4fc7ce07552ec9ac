/**
 * What regctl's push commands (`manifest put`, `image create`, `index create`,
 * `artifact put`) hand to `--format`: a struct whose `Manifest` field is the
 * manifest pushed (`{{.Manifest.GetDescriptor.Digest}}`), and how they print
 * their result.
 *
 * @module
 */
import type { Manifest } from "../types/manifest.ts";
import type { Ref } from "../types/ref.ts";
import { ManifestView } from "./manifest_view.ts";
import { type Formattable, type RawHeaders, writeFormatted } from "./output.ts";
import type { StreamSink } from "./stream_sink.ts";

/** regctl's `struct{ Manifest manifest.Manifest }` (prints as Go prints the struct). */
class _ManifestResult implements Formattable {
  /** The pushed manifest. */
  readonly Manifest: ManifestView;

  constructor(view: ManifestView) {
    this.Manifest = view;
  }
  marshalPretty(): string {
    return this.Manifest.marshalPretty();
  }
  toJSON(): unknown {
    return { Manifest: this.Manifest.toJSON() };
  }
  RawBody(): Uint8Array {
    return this.Manifest.RawBody();
  }
  RawHeaders(): RawHeaders {
    return this.Manifest.RawHeaders();
  }
}

/**
 * Wraps a pushed manifest as regctl's `struct{ Manifest manifest.Manifest }`.
 *
 * @param view the pushed manifest
 * @returns the template data (pretty form, body and headers are the manifest's)
 * @throws never
 */
export function manifestResult(view: ManifestView): Formattable & { Manifest: ManifestView } {
  return new _ManifestResult(view);
}

/**
 * Prints what a push command prints: the `--format` output over
 * {@link manifestResult} when a format is given, else the digest when asked
 * for (`--by-digest`), else nothing.
 *
 * @param ctx stdout and template sources (a `CliContext` fits)
 * @param pushed the reference and manifest pushed
 * @param format the `--format` value ("" or undefined: none)
 * @param printDigest print the digest when there is no format
 * @returns when written
 * @throws {UsageError} for a bad template
 */
export async function writePushResult(
  ctx: Parameters<typeof writeFormatted>[0] & { out: StreamSink },
  pushed: { ref: Ref; manifest: Manifest },
  format: string | undefined,
  printDigest: boolean,
): Promise<void> {
  if (format !== undefined && format !== "") {
    const view = ManifestView.fromManifest(pushed.ref, pushed.manifest);
    await writeFormatted(ctx, manifestResult(view), format);
  } else if (printDigest) {
    await ctx.out.write(`${pushed.manifest.digest}\n`);
  }
}
