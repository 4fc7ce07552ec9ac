import { deepEqual, equal, throws } from "node:assert/strict";
import { ErrorCode, InvalidDigestError } from "../errors.ts";
import type { Descriptor } from "./descriptor.ts";
import { digestOf } from "./digest.ts";
import { filterReferrers, referrersFallbackTag } from "./referrer.ts";

Deno.test("referrersFallbackTag() turns sha256:<hex> into sha256-<hex>", async () => {
  const digest = await digestOf(new TextEncoder().encode("subject"));
  equal(referrersFallbackTag(digest), digest.replace(":", "-"));
});

Deno.test("referrersFallbackTag() truncates sha512 hex to 64 characters", async () => {
  const digest = await digestOf(new TextEncoder().encode("subject"), "sha512");
  const hex = digest.slice("sha512:".length);
  equal(hex.length, 128);
  equal(referrersFallbackTag(digest), `sha512-${hex.slice(0, 64)}`);
});

Deno.test("referrersFallbackTag() sanitises and truncates a long odd algorithm", () => {
  const algorithm = "x+".repeat(20);
  const tag = referrersFallbackTag(`${algorithm}:ab=cd`);
  equal(tag, `${"x-".repeat(16)}-ab-cd`);
});

Deno.test("referrersFallbackTag() rejects a string without an algorithm", () => {
  for (const bad of ["abc", ":abc", "sha256:"]) {
    throws(() => referrersFallbackTag(bad), (err: unknown) => {
      return err instanceof InvalidDigestError && err.code === ErrorCode.INVALID_DIGEST;
    });
  }
});

async function desc(n: number, extra: Partial<Descriptor> = {}): Promise<Descriptor> {
  return {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: await digestOf(new TextEncoder().encode(String(n))),
    size: n,
    ...extra,
  };
}

Deno.test("filterReferrers() keeps only the artifact type asked for", async () => {
  const a = await desc(1, { artifactType: "application/x.sbom" });
  const b = await desc(2, { artifactType: "application/x.sig" });
  const c = await desc(3);
  deepEqual(filterReferrers([a, b, c], { artifactType: "application/x.sig" }), [b]);
  deepEqual(filterReferrers([a, b, c]), [a, b, c]);
});

Deno.test("filterReferrers() matches annotation values and key presence", async () => {
  const a = await desc(1, { annotations: { k: "v", other: "x" } });
  const b = await desc(2, { annotations: { k: "w" } });
  const c = await desc(3);
  deepEqual(filterReferrers([a, b, c], { annotations: { k: "v" } }), [a]);
  deepEqual(filterReferrers([a, b, c], { annotations: { k: "" } }), [a, b]);
  deepEqual(filterReferrers([a, b, c], { annotations: { other: "", k: "w" } }), []);
});
