/**
 * `image copy` on a real pseudo-terminal (util-linux `script`): bars and the
 * summary line go to the terminal, nothing with `-v`, and nothing when stderr
 * is not a terminal.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { withLayout } from "./_layout.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** Runs ocictl under `script`; returns what the terminal received. */
async function onPty(args: string, env: Record<string, string>): Promise<string> {
  const cmd = `${Deno.execPath()} run -A --quiet ${MAIN} ${args}`;
  const out = await new Deno.Command("script", {
    args: ["-qec", cmd, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", COLUMNS: "100", ...env },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
  return text;
}

Deno.test("image copy draws per-blob bars and a summary on a terminal, then prints the target", async () => {
  await withLayout(async ({ base, dir }) => {
    const out = `${dir}-out`;
    try {
      const text = await onPty(`image copy ${base}:v1 ocidir://${out}:v1`, {});
      // a bar: short digest, bar, percent, bytes
      assert.match(text, /sha256:[0-9a-f]{7} \[[=> ]{10,40}\] \d+\.\d\d% +[\d.]+k?B\/ *[\d.]+k?B/);
      // the block is redrawn in place, and the last summary counts every manifest
      // deno-lint-ignore no-control-regex -- terminal escape sequences are what is tested
      assert.match(text, /\x1b\[\d+F\x1b\[0J/);
      const summary =
        // deno-lint-ignore no-control-regex -- terminal escape sequences are what is tested
        /\x1b\[0J(Manifests: (\d+)\/(\d+) \| Blobs: [\d.]+kB copied, [\d.]+k?B skipped \| Elapsed: \d+s)\r?\n/g;
      const all = [...text.matchAll(summary)];
      const last = all.at(-1);
      assert.ok(last, text);
      assert.equal(last[2], last[3]);
      assert.ok(Number(last[2]) >= 3, last[1]); // index + two images
      // the result follows the final summary
      assert.ok(text.trimEnd().endsWith(`ocidir://${out}:v1`), JSON.stringify(text.slice(-200)));
    } finally {
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  });
});

Deno.test("image copy draws nothing with -v on a terminal, nor when stderr is not a terminal", async () => {
  await withLayout(async ({ base, dir }) => {
    const out = `${dir}-out`;
    try {
      const verbose = await onPty(`-v info image copy ${base}:v1 ocidir://${out}:v1`, {});
      // deno-lint-ignore no-control-regex -- terminal escape sequences are what is tested
      assert.doesNotMatch(verbose, /Manifests: |\x1b\[0J/);
      const piped = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", MAIN, "image", "copy", `${base}:v1`, `ocidir://${out}:w`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(piped.code, 0);
      assert.equal(new TextDecoder().decode(piped.stderr), "");
      assert.equal(new TextDecoder().decode(piped.stdout), `ocidir://${out}:w\n`);
    } finally {
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  });
});
