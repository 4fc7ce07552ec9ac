/**
 * `image mod` against regctl's own results: every mod case of the golden
 * file runs through the CLI on a fresh copy of the fixtures, and the created
 * tag must name regctl's digest, with regctl's manifest and config bytes.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import { copyTree } from "./_mod_check.ts";

const GOLDEN = new URL("../testdata/regctl-golden/", import.meta.url);

interface ModCase {
  name: string;
  kind?: string;
  source: string;
  flags: string[];
  digest: string;
  mediaType: string;
  manifest: string;
  config: string | null;
}

const CASES: ModCase[] = Deno.readTextFileSync(new URL("cases.jsonl", GOLDEN)).trim().split("\n")
  .map((l) => JSON.parse(l) as ModCase).filter((c) => c.kind === "mod");

function tagged(index: { manifests: { digest: string; annotations?: Record<string, string> }[] }) {
  return index.manifests.find((m) =>
    m.annotations?.["org.opencontainers.image.ref.name"] === "modout"
  )?.digest;
}

Deno.test("image mod golden cases: the created tag has regctl's digest", async (t) => {
  assert.ok(CASES.length >= 15);
  for (const c of CASES) {
    await t.step(`${c.name}: ${c.source} ${c.flags.join(" ")}`, async () => {
      const dir = await Deno.makeTempDir({ prefix: "ocictl_mod_golden_" });
      try {
        const layout = c.source.split(":")[0]!;
        await copyTree(new URL(`fixtures/${layout}`, GOLDEN).pathname, `${dir}/${layout}`);
        const r = await runCli([
          "image",
          "mod",
          `ocidir://${dir}/${c.source}`,
          "--create",
          "modout",
          ...c.flags,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `ocidir://${dir}/${layout}:modout\n`);
        const index = JSON.parse(await Deno.readTextFile(`${dir}/${layout}/index.json`));
        const digest = tagged(index);
        const blob = (d: string) =>
          Deno.readTextFile(`${dir}/${layout}/blobs/${d.replace(":", "/")}`);
        if (digest !== c.digest && digest !== undefined) {
          const manifest = await blob(digest);
          assert.equal(manifest, c.manifest);
          if (c.config !== null) {
            const cd = (JSON.parse(manifest) as { config: { digest: string } }).config.digest;
            assert.equal(await blob(cd), c.config);
          }
        }
        assert.equal(digest, c.digest);
        const m = await blob(digest!);
        assert.equal(m, c.manifest);
        assert.equal(
          (JSON.parse(m) as { mediaType: string }).mediaType ?? c.mediaType,
          c.mediaType,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});
