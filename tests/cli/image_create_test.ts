import assert from "node:assert/strict";
import { Command, type CommandUnknownOpts } from "../../src/cli/command.ts";
import { createTransportFactory } from "../../src/client.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { createImageCreateCommand } from "../../plugins/image/create.ts";
import { runCli as run, type VerbEntry } from "../../src/cli/run.ts";
import { runCli } from "../cli_harness.ts";
import { snapshot, withLayout } from "./_layout.ts";

const CLOCK = new Date("2031-02-03T04:05:06Z");

/**
 * `image create` as the lead wires it into `plugins/image.ts`, with a fixed
 * clock: a one-verb manifest whose `image` verb holds only `create`.
 */
const VERBS: readonly VerbEntry[] = [{
  name: "image",
  summary: "images",
  aliases: [],
  load: () =>
    Promise.resolve({
      createCommand: (ctx) =>
        new Command("image").addCommand(
          createImageCreateCommand(ctx, { now: () => CLOCK }),
        ) as unknown as CommandUnknownOpts,
    }),
}];

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks: Uint8Array[] = [];
  const errs: Uint8Array[] = [];
  const sink = (to: Uint8Array[]) =>
    new WritableStream<Uint8Array>({
      write(c) {
        to.push(c.slice());
      },
    });
  const code = await run(["image", ...argv], {
    stdout: sink(chunks),
    stderr: sink(errs),
    stdin: ReadableStream.from([]),
    env: {},
    signal: new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: createTransportFactory(),
    platform: { os: "linux", architecture: "amd64" },
  }, VERBS);
  const text = (l: Uint8Array[]) =>
    new TextDecoder().decode(new Uint8Array(l.flatMap((c) => [...c])));
  return { code, stdout: text(chunks), stderr: text(errs) };
}

async function read(
  ref: string,
): Promise<{ manifest: Record<string, unknown>; config: Record<string, unknown> }> {
  const m = await runCli(["manifest", "get", ref, "--format", "body"]);
  assert.equal(m.code, 0, m.stderr);
  const manifest = JSON.parse(m.stdout) as { config: { digest: string } };
  const repo = ref.replace(/[:@][^/]*$/, "");
  const c = await runCli(["blob", "get", repo, manifest.config.digest]);
  assert.equal(c.code, 0, c.stderr);
  return { manifest: manifest as unknown as Record<string, unknown>, config: JSON.parse(c.stdout) };
}

Deno.test("image create pushes a scratch image with platform, labels and annotations", async () => {
  await withLayout(async ({ base }) => {
    const r = await cli([
      "create",
      `${base}:scratch`,
      "--platform",
      "linux/arm64",
      "--label",
      "a=b",
      "--annotation",
      "x=y",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    const { manifest, config } = await read(`${base}:scratch`);
    assert.equal(manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.deepEqual(manifest.layers, []);
    assert.deepEqual(manifest.annotations, { x: "y" });
    assert.deepEqual(config, {
      architecture: "arm64",
      os: "linux",
      variant: "v8",
      config: { Labels: { a: "b" } },
      rootfs: { type: "layers", diff_ids: [] },
    });
  });
});

Deno.test("image create --created takes now from the injected clock or an RFC 3339 time", async () => {
  await withLayout(async ({ base }) => {
    assert.equal((await cli(["init", `${base}:now`, "--created", "now"])).code, 0);
    assert.equal((await read(`${base}:now`)).config.created, CLOCK.toISOString());
    assert.equal((await cli(["new", `${base}:t`, "--created", "2024-01-02T03:04:05Z"])).code, 0);
    assert.equal((await read(`${base}:t`)).config.created, "2024-01-02T03:04:05.000Z");
    const local = await read(`${base}:t`);
    assert.equal(local.config.architecture, "amd64", "the platform defaults to local");
  });
});

Deno.test("image create --by-digest prints the digest, --format and --media-type apply", async () => {
  await withLayout(async ({ base }) => {
    const r = await cli(["create", `${base}:bd`, "--by-digest"]);
    assert.equal(r.code, 0, r.stderr);
    const digest = r.stdout.trim();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await read(`${base}@${digest}`)).manifest.schemaVersion, 2);
    const f = await cli([
      "create",
      `${base}:docker`,
      "--media-type",
      "application/vnd.docker.distribution.manifest.v2+json",
      "--format",
      "{{.Manifest.MediaType}}",
    ]);
    assert.equal(f.stdout, "application/vnd.docker.distribution.manifest.v2+json");
    const { manifest } = await read(`${base}:docker`);
    assert.equal(
      (manifest.config as { mediaType: string }).mediaType,
      "application/vnd.docker.container.image.v1+json",
    );
  });
});

Deno.test("image create rejects bad input with exit 2 and writes nothing", async () => {
  await withLayout(async ({ base, dir }) => {
    const before = await snapshot(dir);
    for (
      const args of [
        ["--created", "yesterday"],
        ["--media-type", "application/json"],
        [
          "--media-type",
          "application/vnd.docker.distribution.manifest.v2+json",
          "--annotation",
          "a=b",
        ],
        ["--platform", "linux/"],
        ["--label", "=v"],
      ]
    ) {
      const r = await cli(["create", `${base}:bad`, ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /^ocictl: Cannot /);
    }
    assert.deepEqual(await snapshot(dir), before);
  });
});

Deno.test("createImageCreateCommand() names the command create with regctl's aliases and flags", () => {
  const cmd = createImageCreateCommand(
    { platform: { os: "linux", architecture: "amd64" } } as CliContext,
  );
  assert.equal(cmd.name(), "create");
  assert.deepEqual(cmd.aliases(), ["init", "new"]);
  const flags = cmd.options.map((o) => o.long);
  for (
    const f of [
      "--annotation",
      "--by-digest",
      "--created",
      "--format",
      "--label",
      "--media-type",
      "--platform",
    ]
  ) {
    assert.ok(flags.includes(f), f);
  }
});
