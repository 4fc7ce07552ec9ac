import assert from "node:assert/strict";
import { createProgress } from "./progress.ts";

const blob = (n: string, size: number) => ({ kind: "blob" as const, digest: n, size });

Deno.test("createProgress() counts blobs, bytes and skips, redrawing at most per interval", () => {
  let text = "";
  let t = 0;
  const p = createProgress({ write: (s) => text += s, now: () => t, interval: 100 });
  p.onStart?.(blob("a", 2048));
  p.onProgress?.(blob("a", 2048), 1024);
  const draws = text.split("\r").length;
  t = 50;
  p.onProgress?.(blob("a", 2048), 2048);
  assert.equal(text.split("\r").length, draws);
  p.onDone?.(blob("a", 2048));
  p.onSkip?.(blob("b", 10), "exists");
  p.onDone?.({ kind: "manifest", digest: "m", size: 5 });
  p.finish();
  assert.match(text, /1\/1 blobs, 2\.0 KiB\/2\.0 KiB, 40\.0 KiB\/s, 1 skipped, 1 manifests\n$/);
});

Deno.test("createProgress() writes nothing for an empty copy", () => {
  let text = "";
  const p = createProgress({ write: (s) => text += s });
  p.finish();
  assert.equal(text, "");
});

Deno.test("createProgress() drops a started blob that was mounted instead", () => {
  let text = "";
  const p = createProgress({ write: (s) => text += s, now: () => 0 });
  p.onStart?.(blob("a", 10));
  p.onSkip?.(blob("a", 10), "mounted");
  p.finish();
  assert.match(text, /0\/0 blobs, 0 B\/0 B, 1 skipped/);
});
