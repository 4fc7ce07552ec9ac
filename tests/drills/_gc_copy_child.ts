/**
 * The control of the GC race drill, run as its own process: `ocictl image
 * copy` from a plain-HTTP registry into an OCI layout, but with the
 * layout's garbage-collection leases off, so a collection in another
 * process does not wait for it and the drill must see the race lost.
 *
 * Usage: `deno run -A _gc_copy_child.ts HOST SOURCE TARGET`
 *
 * @module
 */
import { createTransportFactory } from "../../src/client.ts";
import { copyImage } from "../../src/ops/copy.ts";
import { parseRef } from "../../src/types/ref.ts";

const [host, source, target] = Deno.args;
if (host === undefined || source === undefined || target === undefined) {
  throw new Error("usage: _gc_copy_child.ts HOST SOURCE TARGET");
}
const factory = createTransportFactory({ ocidir: { gcLeases: false } });
const settings = { env: Deno.env.toObject(), hostFlags: [`reg=${host},tls=disabled`] };
const src = factory("reg", settings);
const dst = factory("ocidir", settings);
try {
  await copyImage({ transport: src, ref: parseRef(source) }, {
    transport: dst,
    ref: parseRef(target),
  });
} finally {
  await dst.close();
  await src.close();
}
