/**
 * What regctl's push commands (`manifest put`, `image create`, `index create`,
 * `artifact put`) hand to `--format`: a struct whose `Manifest` field is the
 * manifest pushed (`{{.Manifest.GetDescriptor.Digest}}`).
 *
 * @module
 */
import type { ManifestView } from "./manifest_view.ts";
import type { Formattable } from "./output.ts";

/**
 * Wraps a pushed manifest as regctl's `struct{ Manifest manifest.Manifest }`.
 *
 * @param view the pushed manifest
 * @returns the template data (pretty form, body and headers are the manifest's)
 * @throws never
 */
export function manifestResult(view: ManifestView): Formattable & { Manifest: ManifestView } {
  return {
    Manifest: view,
    marshalPretty: () => view.marshalPretty(),
    toJSON: () => ({ Manifest: view.toJSON() }),
    RawBody: () => view.RawBody(),
    RawHeaders: () => view.RawHeaders(),
  };
}
