import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { runCli as runRaw } from "../../src/cli/run.ts";
import { VERBS } from "../../plugins/mod.ts";
import { digestAt, lineCount, withLayout } from "./_layout.ts";
import { OciDirTransport } from "../../src/transport/ocidir/ocidir_transport.ts";
import { encodeJson, type ImageManifestJson } from "../../src/types/manifest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef, withDigest, withTag } from "../../src/types/ref.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { CountingTransport } from "../ops/_counting_transport.ts";
import { pathExists } from "../_files.ts";

/** Runs fn with a path inside a temp dir that does not exist yet. */
async function withTarget(fn: (dir: string) => Promise<void>): Promise<void> {
  const parent = await Deno.makeTempDir({ prefix: "ocictl_cp_" });
  try {
    await fn(`${parent}/out`);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

async function tagsOf(dir: string): Promise<string[]> {
  const t = new OciDirTransport();
  try {
    return await t.tagList(parseRef(`ocidir://${dir}`));
  } finally {
    await t.close();
  }
}

function counting(): { t: CountingTransport; transports: () => CountingTransport } {
  const t = new CountingTransport(new OciDirTransport());
  return { t, transports: () => t };
}

Deno.test("image copy copies an index between layouts and prints the target", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli(["image", "copy", `${base}:v1`, `ocidir://${out}:v1`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ocidir://${out}:v1\n`);
      assert.equal(r.stderr, "");
      assert.equal(await digestAt(`ocidir://${out}:v1`), sample.index.digest);
      const cp = await runCli(["image", "cp", `${base}:docker`, `ocidir://${out}:d`]);
      assert.equal(cp.code, 0, cp.stderr);
      assert.equal(await digestAt(`ocidir://${out}:d`), sample.dockerList.digest);
    });
  });
});

Deno.test("image copy --platform copies one platform's manifest", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "image",
        "copy",
        "-p",
        "linux/arm64",
        `${base}:v1`,
        `ocidir://${out}:arm`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await digestAt(`ocidir://${out}:arm`), sample.images[1]?.manifest.digest);
    });
  });
});

Deno.test("image copy --platforms writes a filtered index and notes the new digest", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "image",
        "copy",
        "--platforms",
        "linux/amd64",
        `${base}:v1`,
        `ocidir://${out}:v1`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lineCount(r.stderr), 1);
      assert.match(r.stderr, /note/);
      const d = await digestAt(`ocidir://${out}:v1`);
      assert.notEqual(d, sample.index.digest);
      // repeated and comma forms: both platforms, nothing dropped
      const both = await runCli([
        "image",
        "copy",
        "--platforms",
        "linux/amd64,linux/arm64",
        "--platforms",
        "linux/amd64",
        `${base}:v1`,
        `ocidir://${out}:all`,
      ]);
      assert.equal(both.code, 0, both.stderr);
      assert.equal(both.stderr, "");
      assert.equal(await digestAt(`ocidir://${out}:all`), sample.index.digest);
    });
  });
});

Deno.test("image copy --referrers copies the artifact; --referrers-src/-tgt move it elsewhere", async () => {
  await withLayout(async ({ base, dir, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli(["image", "copy", "--referrers", `${base}:v1`, `ocidir://${out}:v1`]);
      assert.equal(r.code, 0, r.stderr);
      const t = new OciDirTransport();
      const list = await t.referrerList(
        withDigest(parseRef(`ocidir://${out}`), sample.index.digest),
      );
      assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
      const ext = `${out}-sigs`;
      const e = await runCli([
        "image",
        "copy",
        "--referrers",
        "--referrers-src",
        `ocidir://${dir}`,
        "--referrers-tgt",
        `ocidir://${ext}`,
        `${base}:v1`,
        `ocidir://${out}:v2`,
      ]);
      assert.equal(e.code, 0, e.stderr);
      const moved = await t.referrerList(
        withDigest(parseRef(`ocidir://${ext}`), sample.index.digest),
      );
      assert.deepEqual(moved.map((d) => d.digest), [sample.artifact.digest]);
      await t.close();
    });
  });
});

Deno.test("image copy --digest-tags copies the fallback tag of the index", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const fallback = referrersFallbackTag(sample.index.digest);
      const plain = await runCli(["image", "copy", `${base}:v1`, `ocidir://${out}:v1`]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(await tagsOf(out), ["v1"]);
      const r = await runCli([
        "image",
        "copy",
        "--digest-tags",
        `${base}:v1`,
        `ocidir://${out}:v1`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await tagsOf(out), [fallback, "v1"].sort());
      assert.equal(
        await digestAt(`ocidir://${out}:${fallback}`),
        await digestAt(`${base}:${fallback}`),
      );
    });
  });
});

Deno.test("image copy --fast skips referrer checks; --force-recursive re-pushes children", async () => {
  await withLayout(async ({ base }) => {
    await withTarget(async (out) => {
      const c = counting();
      const args = [`${base}:v1`, `ocidir://${out}:v1`];
      assert.equal((await runCli(["image", "copy", ...args], c)).code, 0);
      c.t.reset();
      const fast = await runCli(["image", "copy", "--referrers", "--fast", ...args], c);
      assert.equal(fast.code, 0, fast.stderr);
      assert.equal(c.t.counts.referrerList, 0);
      assert.equal(c.t.counts.manifestPut, 0);
      const slow = await runCli(["image", "copy", "--referrers", ...args], c);
      assert.equal(slow.code, 0, slow.stderr);
      assert.ok(c.t.counts.referrerList > 0);
      c.t.reset();
      const force = await runCli(["image", "copy", "--force-recursive", ...args], c);
      assert.equal(force.code, 0, force.stderr);
      assert.equal(c.t.counts.manifestPut, 3);
      assert.equal(c.t.counts.blobPut, 0);
    });
  });
});

Deno.test("image copy --include-external copies foreign layers, which are skipped otherwise", async () => {
  await withTarget(async (src) => {
    const t = new OciDirTransport();
    const layout = parseRef(`ocidir://${src}`);
    const layer = await t.blobPut(layout, ReadableStream.from([new TextEncoder().encode("x")]));
    const config = await t.blobPut(layout, ReadableStream.from([new TextEncoder().encode("{}")]));
    const json: ImageManifestJson = {
      schemaVersion: 2,
      mediaType: MediaType.OCI_MANIFEST,
      config: { mediaType: MediaType.OCI_CONFIG, digest: config.digest, size: config.size },
      layers: [{ ...layer, mediaType: MediaType.OCI_LAYER_GZIP, urls: ["https://example.com/l"] }],
    };
    await t.manifestPut(withTag(layout, "f"), encodeJson(json));
    const out = `${src}-out`;
    const r = await runCli(["image", "copy", `ocidir://${src}:f`, `ocidir://${out}:f`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await pathExists(`${out}/blobs/sha256/${layer.digest.slice(7)}`), false);
    const x = await runCli([
      "image",
      "copy",
      "--include-external",
      `ocidir://${src}:f`,
      `ocidir://${out}:g`,
    ]);
    assert.equal(x.code, 0, x.stderr);
    assert.equal(await pathExists(`${out}/blobs/sha256/${layer.digest.slice(7)}`), true);
    await t.close();
    await Deno.remove(out, { recursive: true });
  });
});

Deno.test("image copy --format sees the target reference as regctl does, plus the copy's result", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "image",
        "copy",
        "--format",
        "{{.CommonName}}|{{.Tag}}|{{.Digest}}|{{.ManifestDigest}} {{.Filtered}}",
        `${base}:v1`,
        `ocidir://${out}:v1`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `ocidir://${out}:v1|v1||${sample.index.digest} false`);
      const j = await runCli([
        "image",
        "copy",
        "--format",
        "{{json .}}",
        `${base}:v1`,
        `ocidir://${out}:v1`,
      ]);
      const typed = await runCli([
        "image",
        "copy",
        "--format",
        "{{.Reference}}|{{.CommonName}}",
        `${base}:v1`,
        `ocidir://${out}`,
      ]);
      assert.equal(typed.stdout, `ocidir://${out}|ocidir://${out}:latest`);
      assert.deepEqual(JSON.parse(j.stdout), {
        Scheme: "ocidir",
        Reference: `ocidir://${out}:v1`,
        Registry: "",
        Repository: "",
        Tag: "v1",
        Digest: "",
        Path: out,
      });
    });
  });
});

Deno.test("image copy -v info logs one line per blob", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "-v",
        "info",
        "image",
        "copy",
        `${base}:single`,
        `ocidir://${out}:s`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const blobs = 1 + sample.single.layers.length;
      assert.equal(r.stderr.split("\n").filter((l) => l.includes("copied blob")).length, blobs);
    });
  });
});

Deno.test("image copy -v debug logs a timeline: each blob and manifest started and done, in order", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "-v",
        "debug",
        "image",
        "copy",
        `${base}:single`,
        `ocidir://${out}:s`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split("\n");
      const field = (l: string, name: string) => Number(new RegExp(` ${name}=(\\d+)`).exec(l)?.[1]);
      for (const d of [sample.single.config, ...sample.single.layers]) {
        const start = lines.find((l) => l.includes('"blob started"') && l.includes(d.digest));
        const done = lines.find((l) => l.includes('"blob done"') && l.includes(d.digest));
        assert.ok(start !== undefined && done !== undefined, `timeline of ${d.digest}`);
        assert.ok(field(done, "since") >= field(start, "since"));
        assert.ok(field(done, "ms") >= 0);
      }
      const manifest = lines.findIndex((l) => l.includes('"manifest done"'));
      const lastBlob = lines.findLastIndex((l) => l.includes('"blob done"'));
      assert.ok(manifest > lastBlob, "the manifest is written after its blobs");
    });
  });
});

Deno.test("image copy draws progress on a terminal stderr only", async () => {
  await withLayout(async ({ base }) => {
    await withTarget(async (out) => {
      const chunks: Uint8Array[] = [];
      const order: string[] = [];
      const code = await runRaw(["image", "copy", `${base}:single`, `ocidir://${out}:s`], {
        stdout: new WritableStream({ write: () => void order.push("out") }),
        stderr: new WritableStream({
          write: (c) => {
            chunks.push(c.slice());
            order.push("err");
          },
        }),
        stdin: ReadableStream.from([]),
        env: {},
        signal: new AbortController().signal,
        isTerminal: { stdin: false, stdout: false, stderr: true },
        transports: () => new OciDirTransport(),
        platform: { os: "linux", architecture: "amd64" },
      }, VERBS);
      assert.equal(code, 0);
      const text = chunks.map((c) => new TextDecoder().decode(c)).join("");
      // bars while blobs are in flight, then only the summary line is left
      assert.match(text, /sha256:[0-9a-f]{7} \[[=> ]+\] \d+\.\d\d% /);
      assert.match(
        text,
        // deno-lint-ignore no-control-regex -- terminal escape sequences are what is tested
        /\x1b\[0JManifests: 1\/1 \| Blobs: [\d.]+kB copied, 0\.000B skipped \| Elapsed: \d+s\n$/,
      );
      // The summary is finished before the result goes to stdout.
      assert.equal(order.at(-1), "out");
      assert.equal(order.filter((o) => o === "out").length, 1);
    });
  });
});

Deno.test("image copy rejects bad input with a usage error and writes nothing", async () => {
  await withLayout(async ({ base }) => {
    await withTarget(async (out) => {
      const cases: string[][] = [
        ["image", "copy", `${base}:v1`, "ocidir://bad//path"],
        ["image", "copy", "Bad Ref!", `ocidir://${out}:v1`],
        ["image", "copy", `${base}:v1`],
        [
          "image",
          "copy",
          "-p",
          "linux/amd64",
          "--platforms",
          "linux/arm64",
          `${base}:v1`,
          `ocidir://${out}:v1`,
        ],
        ["image", "copy", "--referrers-src", base, `${base}:v1`, `ocidir://${out}:v1`],
        ["image", "copy", "--referrers-tgt", base, `${base}:v1`, `ocidir://${out}:v1`],
        ["image", "copy", "--platforms", "linux//", `${base}:v1`, `ocidir://${out}:v1`],
        ["image", "copy", "--platforms", ",", `${base}:v1`, `ocidir://${out}:v1`],
      ];
      for (const args of cases) {
        const r = await runCli(args);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(lineCount(r.stderr), 1, r.stderr);
        assert.equal(await pathExists(out), false, args.join(" "));
      }
    });
  });
});

Deno.test("image copy of a missing source or platform exits 1 and writes nothing", async () => {
  await withLayout(async ({ base }) => {
    await withTarget(async (out) => {
      const cases: string[][] = [
        ["image", "copy", `${base}:nope`, `ocidir://${out}:v1`],
        ["image", "copy", `${base}-missing:v1`, `ocidir://${out}:v1`],
        ["image", "copy", "-p", "linux/s390x", `${base}:v1`, `ocidir://${out}:v1`],
        ["image", "copy", "--platforms", "linux/s390x", `${base}:v1`, `ocidir://${out}:v1`],
        ["image", "copy", `${base}:v1`, `ocidir://${out}@sha256:${"0".repeat(64)}`],
      ];
      for (const args of cases) {
        const r = await runCli(args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(lineCount(r.stderr), 1, r.stderr);
        assert.equal(await pathExists(out), false, args.join(" "));
      }
    });
  });
});

Deno.test("blob copy copies one blob, and fails cleanly on bad input", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const d = sample.single.config;
      const r = await runCli(["blob", "cp", base, `ocidir://${out}`, d.digest]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await Deno.stat(`${out}/blobs/sha256/${d.digest.slice(7)}`)).size, d.size);
      const again = await runCli(["blob", "copy", base, `ocidir://${out}`, d.digest]);
      assert.equal(again.code, 0, again.stderr);
      const bad = await runCli(["blob", "copy", base, `ocidir://${out}-x`, "sha256:nothex"]);
      assert.equal(bad.code, 2);
      const missing = await runCli([
        "blob",
        "copy",
        base,
        `ocidir://${out}-x`,
        `sha256:${"1".repeat(64)}`,
      ]);
      assert.equal(missing.code, 1);
      assert.equal(lineCount(missing.stderr), 1);
      assert.equal(await pathExists(`${out}-x/blobs/sha256/${"1".repeat(64)}`), false);
    });
  });
});

Deno.test("repo copy copies tags with --include, --exclude, --new-tags, --concurrent, --referrers", async () => {
  await withLayout(async ({ base, sample }) => {
    await withTarget(async (out) => {
      const r = await runCli([
        "repo",
        "copy",
        "--include",
        "v.*|docker",
        "--exclude",
        "docker",
        "--concurrent",
        "1",
        "--referrers",
        base,
        `ocidir://${out}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const tags = await tagsOf(out);
      assert.ok(tags.includes("v1") && !tags.includes("docker") && !tags.includes("single"));
      const t = new OciDirTransport();
      const list = await t.referrerList(
        withDigest(parseRef(`ocidir://${out}`), sample.index.digest),
      );
      assert.deepEqual(list.map((d) => d.digest), [sample.artifact.digest]);
      await t.close();
      const c = counting();
      const n = await runCli([
        "repo",
        "cp",
        "--new-tags",
        "--concurrent",
        "0",
        base,
        `ocidir://${out}`,
      ], c);
      assert.equal(n.code, 0, n.stderr);
      assert.ok((await tagsOf(out)).includes("single"));
      // only the missing tags were read: v1 was not
      assert.ok(c.t.manifestPuts.every((p) => p.ref.tag !== "v1"));
    });
  });
});

Deno.test("repo copy rejects bad patterns and a missing source, writing nothing", async () => {
  await withLayout(async ({ base }) => {
    await withTarget(async (out) => {
      const bad = await runCli(["repo", "copy", "--include", "(", base, `ocidir://${out}`]);
      assert.equal(bad.code, 2);
      const neg = await runCli(["repo", "copy", "--concurrent", "-1", base, `ocidir://${out}`]);
      assert.equal(neg.code, 2);
      const missing = await runCli(["repo", "copy", `${base}-missing`, `ocidir://${out}`]);
      assert.equal(missing.code, 1);
      assert.equal(lineCount(missing.stderr), 1);
      assert.equal(await pathExists(out), false);
    });
  });
});
