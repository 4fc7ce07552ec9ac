import assert from "node:assert/strict";
import { runBenchmarks, summaryLines } from "./bench.ts";
import { hasDistribution, median, type Metric, ratioOf } from "./bench/_common.ts";
import { bareHead } from "./bench/bare_head.ts";
import { GO_COPY_ENV } from "./bench/copy_vs_skopeo.ts";
import { pageFaultMicros } from "./bench/startup.ts";

const BENCH_TS = new URL("./bench.ts", import.meta.url).pathname;
const BARE_COPY_TS = new URL("./bench/bare_copy.ts", import.meta.url).pathname;

/** The bench's temp dirs left in `dir`. */
function _benchTempDirs(dir: string): string[] {
  const names: string[] = [];
  for (const e of Deno.readDirSync(dir)) if (e.name.startsWith("ocictl-bench-")) names.push(e.name);
  return names;
}

Deno.test({
  name: "bench.ts --quick runs every benchmark end to end and prints a measured summary row each",
  ignore: !hasDistribution,
  async fn() {
    // its own TMPDIR: another bench running on the machine cannot look like a leak
    const tmp = await Deno.makeTempDir({ prefix: "ocictl-benchtest-" });
    // the optional Go peer, played by the bare client (same SRC DST forms)
    const goCopy = `${tmp}/go_copy`;
    await Deno.writeTextFile(
      goCopy,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${BARE_COPY_TS}" "$@"\n`,
    );
    await Deno.chmod(goCopy, 0o755);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", BENCH_TS, "--quick"],
      env: { NO_COLOR: "1", TMPDIR: tmp, [GO_COPY_ENV]: goCopy },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `exit ${out.code}\n${stdout}\n${stderr}`);
    const summary = stdout.slice(stdout.indexOf("== summary"));
    assert.match(summary, /^name\s+ocictl\s+peer\s+ratio\s+target\s+ok\?$/m);
    const rows = [
      /^start-up version \(ms\)\s+\d+\.\d\d\s+\d+\.\d\d\s.*<= floor \+ 25 ms/m,
      /^start-up image copy no-op \(registry\) \(ms\)\s+\d+\.\d\d\s/m,
      /^start-up tag ls \(ocidir\) \(ms\)\s+\d+\.\d\d\s/m,
      /^registry blob push 8 MiB \(MiB\/s\)\s+\d+\.\d\d\s/m,
      /^registry blob RSS growth \(MiB\)\s+\d+\.\d\d\s/m,
      /^serve blob PUT 16 MiB \(MiB\/s\)\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d\s+>= 1\.2x/m,
      /^serve blob GET 16 MiB \(MiB\/s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^serve blob GET 16 MiB unchecked \(MiB\/s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^serve 32x1 MiB pulls \(MiB\/s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^serve peak RSS \(MiB\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy push 2x4 MiB \(s\)\s+\d+\.\d\d\s/m,
      /^copy pull 2x4 MiB \(s\)\s+\d+\.\d\d\s/m,
      /^copy reg->reg 2x4 MiB \(s\)\s+\d+\.\d\d\s/m,
      /^copy pull 2x4 MiB vs bare Deno client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy push 2x4 MiB vs bare Deno client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy reg->reg 2x4 MiB vs bare Deno client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy push 2x4 MiB vs Go client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s.*Go\/skopeo \d+\.\d\d/m,
      /^copy pull 2x4 MiB vs Go client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy reg->reg 2x4 MiB vs Go client \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^copy no-op requests \/ manifest\s+\d+\.\d\d\s/m,
      /^copy peak RSS 2x4 MiB \(MiB\)\s+\d+\.\d\d\s/m,
      /^insecure pull 2x4 MiB peak RSS, pinned vs node:https \(MiB\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^insecure pull 2x4 MiB, pinned vs node:https \(s\)\s+\d+\.\d\d\s+\d+\.\d\d\s/m,
      /^sync no-op 20 tags \(s\)\s+\d+\.\d\d\s/m,
      /^sync no-op HEADs per tag\s+2\.00\s.*yes$/m,
      /^sync no-op manifest\/blob GETs\s+0\.00\s.*yes$/m,
      /^bot Lua first start, wasm load \(ms\)\s+\d+\.\d\d\s/m,
      /^bot Lua engine start-up \(ms\)\s+\d+\.\d\d\s/m,
      /^bot list \+ HEAD 200 tags \(ms\)\s+\d+\.\d\d\s/m,
      /^bot list \+ HEAD 200 tags \(requests\)\s+\d+\.\d\d\s.*yes$/m,
      /^mod --layer-time 16 MiB \[deno run\] peak RSS \(MiB\)\s+\d+\.\d\d\s.*< 120 MiB/m,
      /^mod --layer-add tar= 16 MiB \[binary's V8 flags\] peak RSS \(MiB\)\s+\d+\.\d\d\s/m,
    ];
    for (const row of rows) assert.match(summary, row);
    const leaked = _benchTempDirs(tmp);
    await Deno.remove(tmp, { recursive: true });
    assert.deepEqual(leaked, []);
  },
});

Deno.test("runBenchmarks() refuses an unknown benchmark name with exit code 2", async () => {
  assert.equal(await runBenchmarks(["no_such_bench"]), 2);
  assert.equal(await runBenchmarks(["--fast"]), 2);
});

Deno.test("summaryLines() prints name, ocictl, peer, ratio, target and ok? columns", () => {
  const rows: Metric[] = [
    { name: "a (s)", ocictl: 1, peer: 4, better: "lower", target: "<= 0.55x", ok: true },
    { name: "longer name", ocictl: 3, better: "higher", target: "-" },
    { name: "b", ocictl: 2, peer: 1, better: "higher", target: ">= 1.2x", ok: false },
  ];
  const lines = summaryLines(rows);
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^name\s+ocictl\s+peer\s+ratio\s+target\s+ok\?$/);
  assert.match(lines[1]!, /^a \(s\)\s+1\.00\s+4\.00\s+0\.25\s+<= 0\.55x\s+yes$/);
  assert.match(lines[2]!, /^longer name\s+3\.00\s+-\s+-\s+-\s+-$/);
  assert.match(lines[3]!, /^b\s+2\.00\s+1\.00\s+2\.00\s+>= 1\.2x\s+NO$/);
  // Columns line up: every ocictl figure ends at the same offset.
  const ends = lines.slice(1).map((l) => l.indexOf(".00") + 3);
  assert.equal(new Set(ends).size, 1);
});

Deno.test("median() takes the middle sample, or the mean of the two middle ones", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("ratioOf() is ocictl/peer, NaN without a usable peer figure", () => {
  const m: Metric = { name: "x", ocictl: 3, peer: 2, better: "higher", target: "-" };
  assert.equal(ratioOf(m), 1.5);
  assert.ok(Number.isNaN(ratioOf({ ...m, peer: undefined })));
  assert.ok(Number.isNaN(ratioOf({ ...m, peer: 0 })));
});

Deno.test("bareHead() sends one HEAD with the OCI Accept and returns the named digest", async () => {
  const seen: { method: string; path: string; accept: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push({
      method: req.method,
      path: new URL(req.url).pathname,
      accept: req.headers.get("accept") ?? "",
    });
    const found = req.url.endsWith("/manifests/v1");
    return new Response(null, {
      status: found ? 200 : 404,
      headers: found ? { "Docker-Content-Digest": "sha256:abc" } : {},
    });
  });
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    assert.equal(await bareHead(`${host}/bench/app:v1`), "sha256:abc");
    assert.deepEqual(seen.map((s) => [s.method, s.path]), [["HEAD", "/v2/bench/app/manifests/v1"]]);
    assert.match(seen[0]!.accept, /application\/vnd\.oci\.image\.index\.v1\+json/);
    await assert.rejects(bareHead(`${host}/bench/app:v2`), /HTTP\/1\.1 404/);
    await assert.rejects(bareHead("no-slash"), /want HOST:PORT\/REPO:TAG, got "no-slash"/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("pageFaultMicros() measures a positive cost per page", () => {
  const us = pageFaultMicros();
  assert.ok(Number.isFinite(us) && us > 0, `got ${us}`);
});
