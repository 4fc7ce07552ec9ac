/**
 * The checks shared by the `bot` tests against our `serve` and against CNCF
 * distribution.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseRef } from "../../src/types/ref.ts";
import { pathExists } from "../_files.ts";
import {
  type BotRegistry,
  promotionScript,
  registryState,
  retentionScript,
  runBot,
} from "./_bot.ts";

export { registryState, retentionScript, runBot, withBotRegistry } from "./_bot.ts";

/**
 * Runs the retention script (keep 2) and checks that only the 3 oldest
 * `ci-N` tags are gone.
 *
 * @param r the registry
 * @returns nothing
 */
export async function checkRetention(r: BotRegistry): Promise<void> {
  const before = await registryState(r);
  const res = await runBot(r, retentionScript(r.host, 2));
  assert.equal(res.code, 0, res.stderr);
  const after = await registryState(r);
  const expected = { ...before };
  for (const t of ["ci-1", "ci-2", "ci-3"]) delete expected[`app:${t}`];
  assert.deepEqual(after, expected);
  assert.match(res.stderr, /level=info msg="Delete tag" script=retention image=\S+\/app:ci-1/);
}

/**
 * Runs the promotion script and checks that only the labelled image reached `prod`.
 *
 * @param r the registry
 * @returns nothing
 */
export async function checkPromotion(r: BotRegistry): Promise<void> {
  const before = await registryState(r);
  const res = await runBot(r, promotionScript(r.host));
  assert.equal(res.code, 0, res.stderr);
  const after = await registryState(r);
  assert.deepEqual(after, { ...before, "prod:labeled": before["app:labeled"] });
}

/** Every write of the API, once each. */
function writesScript(host: string, dir: string): string {
  return `  - name: writes
    script: |
      local m = manifest.get("${host}/app:ci-1")
      tag.delete("${host}/app:ci-2")
      manifest.put(m, "${host}/app:put")
      manifest.head("${host}/app:ci-3"):delete()
      image.copy("${host}/app:ci-4", "${host}/copy:ci-4")
      image.exportTar("${host}/app:ci-5", "${dir}/export.tar")
      image.importTar("${host}/imported:v1", "${dir}/seed.tar")
      local d, n = blob.put("${host}/store", "some text")
      print(d, n)
`;
}

/**
 * Runs every write call under `--dry-run` (nothing changes, each is logged),
 * then for real (each changes what it should).
 *
 * @param r the registry
 * @returns nothing
 */
export async function checkWrites(r: BotRegistry): Promise<void> {
  // A tar to import: exported for real first, then the registry state is taken.
  const seed = await runBot(
    r,
    `  - name: seed\n    script: image.exportTar("${r.host}/app:keep", "${r.dir}/seed.tar")\n`,
  );
  assert.equal(seed.code, 0, seed.stderr);
  const before = await registryState(r);
  const res = await runBot(r, writesScript(r.host, r.dir), { args: ["--dry-run"] });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(await registryState(r), before);
  assert.equal(await pathExists(`${r.dir}/export.tar`), false);
  await assert.rejects(
    r.client.blobHead(parseRef(`${r.host}/store`), res.stdout.split("\t")[0] ?? ""),
  );
  for (
    const would of [
      "delete tag",
      "put manifest",
      "delete manifest",
      "copy image",
      "export image to a file",
      "import image from a file",
      "put blob",
    ]
  ) {
    assert.match(res.stderr, new RegExp(`msg="dry-run: would ${would}" script=writes`), would);
  }
  // The digest and size are still computed for the script.
  assert.match(res.stdout, /^sha256:[0-9a-f]{64}\t9\n$/);

  // The same script without --dry-run changes each of those.
  const real = await runBot(r, writesScript(r.host, r.dir));
  assert.equal(real.code, 0, real.stderr);
  const after = await registryState(r);
  assert.equal(after["app:ci-2"], undefined);
  assert.equal(after["app:ci-3"], undefined);
  assert.equal(after["app:put"], before["app:ci-1"]);
  assert.equal(after["copy:ci-4"], before["app:ci-4"]);
  assert.equal(after["imported:v1"], before["app:keep"]);
  assert.equal(await pathExists(`${r.dir}/export.tar`), true);
  const [digest] = real.stdout.trim().split("\t");
  assert.equal((await r.client.blobHead(parseRef(`${r.host}/store`), digest ?? "")).size, 9);
}

/**
 * Runs every read call of the API and checks what the script saw.
 *
 * @param r the registry
 * @returns nothing
 */
export async function checkReads(r: BotRegistry): Promise<void> {
  const h = r.host;
  const res = await runBot(
    r,
    `  - name: reads
    script: |
      local ref = reference.new("${h}/app:ci-1")
      print(tostring(ref), ref:tag(), ref:digest())
      local m = manifest.get(ref)
      local d = m:descriptor()
      assert(d.digest == d.Digest and d.size == d.Size and d.mediaType == m.mediaType)
      ref:digest(d.digest)
      assert(ref:tag() == "" and ref:digest() == d.digest)
      ref:tag("ci-1")
      assert(ref:digest() == "")
      print(m.SchemaVersion, m.schemaVersion, m.Config.Digest == m.config.digest, #m.layers)
      assert(string.find(tostring(m), '"schemaVersion": 2', 1, true))
      local ic = m:config()
      print(ic.Config.Labels.build, ic.config.Labels.build, ic.OS, ic.os, ic.Architecture)
      assert(ic.Platform.Architecture == ic.architecture and ic.Platform.os == "linux")
      assert(string.find(tostring(ic), '"build": "1"', 1, true))
      ic.config.Labels.build = "edited"
      local ic2 = ic:export()
      assert(ic2.config.Labels.build == "edited" and ic2.Config.Labels.build == "edited")
      m.annotations = { note = "x" }
      local m2 = m:export()
      assert(m2.Annotations.note == "x")
      assert(m2:descriptor().digest ~= d.digest)
      local again = m:get()
      assert(again:descriptor().digest == d.digest)
      local h = manifest.head("${h}/app:ci-1")
      assert(h:descriptor().digest == d.digest and m:head():descriptor().digest == d.digest)
      local l = manifest.getList("${h}/app:keep")
      assert(image.manifestList("${h}/app:keep"):descriptor().digest == l:descriptor().digest)
      assert(image.manifest("${h}/app:keep"):descriptor().digest == l:descriptor().digest)
      assert(image.manifestHead("${h}/app:keep"):descriptor().digest == l:descriptor().digest)
      assert(image.config("${h}/app:keep").config.Labels.build == "k")
      local rl = h:ratelimit()
      assert(rl.Set == false and rl.Remain == 0)
      assert(m:ratelimitWait(1, "1s", "2s") == true)
      assert(image.ratelimitWait("${h}/app:ci-1", 5) == true)
      local tags = tag.ls("${h}/app")
      print(table.concat(tags, ","))
      print(table.concat(tag.ls("${h}/app", {limit = 2}), ","), table.concat(tag.ls("${h}/app", {last = "keep"}), ","))
      print(table.concat(repo.ls("${h}"), ","))
      local b = blob.get("${h}/app", m.config.digest)
      local b2 = blob.head("${h}/app", m.Config.Digest)
      print(blob.put("${h}/copied", b))
      print(b2:put("${h}/copied2"))
      print(blob.put("${h}/fromconfig", ic) == blob.put("${h}/fromconfig", ic))
      reference.close(ref)
      ref:close()
      print(type(sleep), pcall(sleep, -1))
`,
  );
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.split("\n");
  assert.equal(lines[0], `${h}/app:ci-1\tci-1\t`);
  assert.equal(lines[1], "2\t2\ttrue\t0");
  assert.equal(lines[2], "1\t1\tlinux\tlinux\tamd64");
  assert.equal(lines[3], "ci-1,ci-2,ci-3,ci-4,ci-5,keep,labeled,plain");
  assert.equal(lines[4], "ci-1,ci-2\tlabeled,plain");
  assert.equal(lines[5], "app");
  const state = await registryState(r);
  assert.deepEqual(Object.keys(state).filter((k) => !k.startsWith("app:")), []);
  const cfg = (await r.client.manifestGet(parseRef(`${h}/app:ci-1`))).json as {
    config: { digest: string; size: number };
  };
  assert.equal(lines[6], `${cfg.config.digest}\t${cfg.config.size}`);
  assert.equal(lines[7], `${cfg.config.digest}\t${cfg.config.size}`);
  assert.equal(lines[8], "true");
  assert.match(lines[9] ?? "", /^function\tfalse\t.*seconds expected/);
  assert.deepEqual(
    (await r.client.blobHead(parseRef(`${h}/copied`), cfg.config.digest)).digest,
    cfg.config.digest,
  );
}
