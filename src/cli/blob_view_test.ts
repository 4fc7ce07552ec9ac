import assert from "node:assert/strict";
import { BlobView } from "./blob_view.ts";
import { formatOutput } from "./output.ts";

Deno.test("BlobView gives the digest line and headers", async () => {
  const d = { mediaType: "application/octet-stream", digest: "sha256:" + "d".repeat(64), size: 9 };
  const v = new BlobView(d);
  assert.equal(await formatOutput(v, "{{println .Digest}}"), `${d.digest}\n`);
  assert.equal(await formatOutput(v, "{{println .Size}}"), "9\n");
  assert.equal(
    await formatOutput(v, "raw-headers"),
    `Content-Length: 9\nContent-Type: application/octet-stream\nDocker-Content-Digest: ${d.digest}\n`,
  );
  assert.deepEqual(JSON.parse(await formatOutput(v, "{{json .}}") as string), d);
});
