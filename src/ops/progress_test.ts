import assert from "node:assert/strict";
import { createProgress, humanSize } from "./progress.ts";

const D1 = "sha256:" + "1".repeat(64);
const D2 = "sha256:" + "2".repeat(64);
const blob = (digest: string, size: number) => ({ kind: "blob" as const, digest, size });

/** The text a terminal shows after the writes: cursor-up/clear sequences applied. */
function screen(text: string): string[] {
  const lines: string[] = [];
  // deno-lint-ignore no-control-regex -- terminal escape sequences are what is tested
  const re = /\x1b\[(\d*)F|\x1b\[0J/g;
  let at = 0;
  let pos = 0;
  for (const m of text.matchAll(re)) {
    for (const l of text.slice(at, m.index).split("\n").slice(0, -1)) lines[pos++] = l;
    if (m[0].endsWith("F")) pos -= Number(m[1]);
    else lines.length = pos;
    at = m.index + m[0].length;
  }
  for (const l of text.slice(at).split("\n").slice(0, -1)) lines[pos++] = l;
  return lines.slice(0, pos);
}

Deno.test("humanSize() prints decimal units with three decimals as regclient does", () => {
  assert.equal(humanSize(0), "0.000B");
  assert.equal(humanSize(385), "385.000B");
  assert.equal(humanSize(131452), "131.452kB");
  assert.equal(humanSize(2_746_000), "2.746MB");
});

Deno.test("createProgress() draws a bar per blob in flight above the summary line", () => {
  let text = "";
  let t = 0;
  const p = createProgress({ write: (s) => text += s, now: () => t, interval: 0, columns: 100 });
  p.onStart?.(blob(D1, 4000));
  p.onStart?.(blob(D2, 1000));
  t = 2000;
  p.onProgress?.(blob(D1, 4000), 1000);
  const shown = screen(text);
  assert.equal(shown.length, 3, shown.join("\n"));
  assert.equal(shown[0]?.slice(0, 16), "sha256:1111111 [");
  assert.match(shown[0] ?? "", /\] 25\.00% 1\.000kB\/4\.000kB 500\.000B\/s 6s left$/);
  // the bar fills the width left over, at most 40 characters
  assert.match(shown[0] ?? "", /\[==========>\s{29}\]/);
  assert.match(shown[1] ?? "", /^sha256:2222222 \[>\s+\] 0\.00% 0\.000B\/1\.000kB$/);
  assert.equal(
    shown[2],
    "Manifests: 0/0 | Blobs: 1.000kB copied, 0.000B skipped, 4.000kB queued | Elapsed: 2s",
  );

  p.onSkip?.(blob(D2, 1000), "mounted");
  p.onDone?.(blob(D1, 4000));
  p.onStart?.({ kind: "manifest", digest: "m", size: 5 });
  p.onDone?.({ kind: "manifest", digest: "m", size: 5 });
  p.finish();
  assert.deepEqual(screen(text), [
    "Manifests: 1/1 | Blobs: 4.000kB copied, 1.000kB skipped | Elapsed: 2s",
  ]);
  assert.ok(text.endsWith("\n"));
});

Deno.test("createProgress() redraws at most once per interval for events, and tick redraws each second", () => {
  let text = "";
  let t = 0;
  const p = createProgress({ write: (s) => text += s, now: () => t, interval: 250 });
  p.onStart?.(blob(D1, 10));
  const draws = () => text.split("\x1b[0J").length - 1;
  assert.equal(draws(), 1);
  t = 100;
  p.onProgress?.(blob(D1, 10), 5);
  assert.equal(draws(), 1);
  p.tick(); // changed since the last draw
  assert.equal(draws(), 2);
  p.tick(); // nothing new in the same second
  assert.equal(draws(), 2);
  t = 1000;
  p.tick(); // the elapsed time moved
  assert.equal(draws(), 3);
  assert.match(screen(text).at(-1) ?? "", /Elapsed: 1s$/);
});

Deno.test("createProgress() writes nothing for a copy that reported nothing", () => {
  let text = "";
  const p = createProgress({ write: (s) => text += s });
  p.tick();
  p.finish();
  assert.equal(text, "");
});
