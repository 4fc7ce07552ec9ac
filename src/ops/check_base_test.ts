import assert from "node:assert/strict";
import { _rawTar } from "../archive/_raw_tar_test_helper.ts";
import { UsageError } from "../errors.ts";
import { MemoryTransport } from "../transport/memory/memory_transport.ts";
import { commonName } from "../types/ref.ts";
import { _pushImage } from "./_image_test_helper.ts";
import { BASE_DIGEST_ANNOTATION, BASE_NAME_ANNOTATION, checkBase } from "./check_base.ts";

const platform = { os: "linux", architecture: "amd64" };

async function setup() {
  const t = new MemoryTransport();
  const l1 = await _rawTar([{ name: "base", content: "1" }]);
  const l2 = await _rawTar([{ name: "app", content: "2" }]);
  const base = await _pushImage(t, "base", [l1], {}, ["FROM scratch"]);
  const img = await _pushImage(t, "app", [l1, l2], {
    annotations: {
      [BASE_NAME_ANNOTATION]: commonName(base.ref),
      [BASE_DIGEST_ANNOTATION]: base.manifest.digest,
    },
  }, ["FROM scratch", "COPY app"]);
  const plain = await _pushImage(t, "plain", [l1, l2], {}, ["FROM scratch", "COPY app"]);
  return { t, base, img, plain, l1 };
}

Deno.test("checkBase() matches from the annotations, and sees a retagged base", async () => {
  const { t, img, l1 } = await setup();
  assert.equal((await checkBase(t, img.ref, { platform })).matches, true);
  await _pushImage(t, "base", [l1], {}, ["FROM other"]);
  const r = await checkBase(t, img.ref, { platform });
  assert.equal(r.matches, false);
});

Deno.test("checkBase() compares layers and history when no digest is known", async () => {
  const { t, base, plain } = await setup();
  assert.equal((await checkBase(t, plain.ref, { platform, base: base.ref })).matches, true);
  await _pushImage(t, "base", [await _rawTar([{ name: "x", content: "x" }])]);
  assert.equal((await checkBase(t, plain.ref, { platform, base: base.ref })).matches, false);
});

Deno.test("checkBase() with --no-config ignores a history change", async () => {
  const { t, base, plain, l1 } = await setup();
  await _pushImage(t, "base", [l1], {}, ["FROM elsewhere"]);
  assert.equal((await checkBase(t, plain.ref, { platform, base: base.ref })).matches, false);
  assert.equal(
    (await checkBase(t, plain.ref, { platform, base: base.ref, noConfig: true })).matches,
    true,
  );
});

Deno.test("checkBase() with --digest compares the base's current digest", async () => {
  const { t, base, plain } = await setup();
  const ok = await checkBase(t, plain.ref, {
    platform,
    base: base.ref,
    digest: base.manifest.digest,
  });
  assert.equal(ok.matches, true);
  const bad = await checkBase(t, plain.ref, {
    platform,
    base: base.ref,
    digest: plain.manifest.digest,
  });
  assert.equal(bad.matches, false);
});

Deno.test("checkBase() without --base or annotation is a UsageError", async () => {
  const { t, plain } = await setup();
  await assert.rejects(checkBase(t, plain.ref, { platform }), UsageError);
});
