import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import denoJson from "../deno.json" with { type: "json" };
import {
  buildBundle,
  bundledName,
  BundleError,
  bundleExternals,
  CORE_CHUNK,
  linkWorkers,
  WORKER_MODULES,
} from "./bundle.ts";
import { runArgs } from "./compile.ts";
import { startRegistryServer } from "../src/serve/server.ts";
import { randomBytes } from "../tests/registry/_image.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs the bundle the way the binary runs (lazy `import()`, the binary's V8 flags). */
async function _run(main: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...runArgs(main), ...args],
    cwd: "/",
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Every import specifier of a chunk that is not relative (`./x.js`). */
function _bareImports(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;"']*?from\s*"([^"]+)"/g)) {
    found.add(m[1]!);
  }
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*"([^"]+)"/g)) found.add(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) found.add(m[1]!);
  return [...found].filter((s) => !s.startsWith("./") && !s.startsWith("../"));
}

Deno.test("bundleExternals() leaves every package of the import map and every node: built-in out", () => {
  const ext = bundleExternals();
  for (const name of Object.keys(denoJson.imports)) {
    assert.ok(ext.includes(name), name);
    assert.ok(ext.includes(`${name}/*`), `${name}/*`);
  }
  assert.ok(ext.includes("node:*"));
});

Deno.test({
  name:
    "buildBundle() writes plain chunks: packages and node: built-ins stay imports, no Node shim",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-test-" });
    try {
      const b = await buildBundle(dir);
      assert.equal(b.main, `${dir}/main.js`);
      assert.deepEqual(b.workers, WORKER_MODULES.map((w) => `${dir}/${bundledName(w)}`));
      const names = Object.keys(denoJson.imports);
      const files = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name);
      assert.ok(files.length > 20, `${files.length} chunks: is the bundle split?`);
      // the chunks deno compile is told to include: every top-level file, main.js among them
      assert.deepEqual(
        b.chunks,
        files.filter((n) => n.endsWith(".js")).sort().map((n) => `${dir}/${n}`),
      );
      assert.ok(b.chunks.includes(b.main));
      // main.js's static graph is one core chunk: what every command loads before a verb
      const local = (f: string) =>
        [
          ...Deno.readTextFileSync(f).matchAll(
            /^import\s*(?:[^"']*?from\s*)?["'](\.\/[^"']+)["']/gm,
          ),
        ]
          .map((m) => m[1]!);
      const fromMain = local(b.main);
      assert.equal(fromMain.length, 1, `main.js imports ${fromMain.join(", ")}`);
      assert.match(fromMain[0]!, new RegExp(`^\\./${CORE_CHUNK}\\.js$`));
      assert.deepEqual(
        local(`${dir}/${fromMain[0]!.slice(2)}`),
        [],
        "the core chunk imports a chunk",
      );
      // main.js awaits the command at its top level: a chunk importing it would wait forever
      for (const f of files.filter((n) => n.endsWith(".js"))) {
        const text = await Deno.readTextFile(`${dir}/${f}`);
        assert.ok(!/["']\.\/main\.js["']/.test(text), `${f} imports main.js`);
      }
      for (const f of [...files.map((n) => `${dir}/${n}`), ...b.workers]) {
        const text = await Deno.readTextFile(f);
        assert.doesNotMatch(text, /createRequire|__require\b/, `${f} carries a Node shim`);
        for (const spec of _bareImports(text)) {
          const pkg = names.find((n) => spec === n || spec.startsWith(`${n}/`));
          assert.ok(spec.startsWith("node:") || pkg !== undefined, `${f} imports ${spec}`);
        }
      }
      // every module in a chunk is one of ours: no package was bundled in
      for (const f of [...files.map((n) => `${dir}/${n}`), ...b.workers]) {
        for (const m of (await Deno.readTextFile(f)).matchAll(/^\/\/ (\S+\.[cm]?[jt]sx?)$/gm)) {
          const path = m[1]!;
          const inside = !path.startsWith("../") && !path.startsWith("/");
          const stat = inside
            ? await Deno.stat(`${ROOT}/${path}`).catch(() => undefined)
            : undefined;
          assert.ok(stat?.isFile, `${f} carries ${path}, which is not a file of this repository`);
        }
      }
      // one chunk starts the hashing worker, at its bundled entry
      const linked = [];
      for (const f of files) {
        const text = await Deno.readTextFile(`${dir}/${f}`);
        assert.ok(!text.includes('"./hash_worker.ts"'), `${f} still names hash_worker.ts`);
        if (text.includes(`"./${bundledName(WORKER_MODULES[0]!)}"`)) linked.push(f);
      }
      assert.equal(linked.length, 1, linked.join(", "));
      // every chunk is reachable from main.js or a worker entry, and every import resolves
      // through deno.json (what deno compile needs)
      const reached = new Set<string>();
      for (const entry of [b.main, ...b.workers]) {
        const info = await new Deno.Command(Deno.execPath(), {
          args: ["info", "--json", entry],
          cwd: ROOT,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(info.code, 0, new TextDecoder().decode(info.stderr));
        const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
          modules: { specifier: string; error?: string }[];
        };
        for (const m of graph.modules) {
          assert.equal(m.error, undefined, `${m.specifier}: ${m.error}`);
          reached.add(m.specifier);
        }
      }
      for (const f of files.filter((n) => n.endsWith(".js"))) {
        assert.ok(reached.has(new URL(`file://${dir}/${f}`).href), `${f} is not reached`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("linkWorkers() refuses a bundle where no chunk names a worker, with a typed error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-test-" });
  try {
    await Deno.writeTextFile(`${dir}/main.js`, 'console.log("no worker here");\n');
    await assert.rejects(
      () => linkWorkers(dir),
      (e: unknown) =>
        e instanceof BundleError && e.code === "BUNDLE_FAILED" &&
        /^Cannot link the worker "\.\/hash_worker\.ts": 0 chunks name it, expected one$/.test(
          e.message,
        ),
    );
    assert.equal(await Deno.readTextFile(`${dir}/main.js`), 'console.log("no worker here");\n');
    // twice in one chunk: refused, and the chunk is left as it was
    const twice = 'new URL("./hash_worker.ts", a); new URL("./hash_worker.ts", b);\n';
    await Deno.writeTextFile(`${dir}/main.js`, twice);
    await assert.rejects(() => linkWorkers(dir), BundleError);
    assert.equal(await Deno.readTextFile(`${dir}/main.js`), twice);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "buildBundle() reports a failed deno bundle as a BundleError",
  ignore: Deno.build.os !== "linux",
  async fn() {
    // /proc takes no new directories: deno bundle cannot write its output
    await assert.rejects(
      () => buildBundle("/proc/ocictl-no-such-dir/bundle"),
      (e: unknown) =>
        e instanceof BundleError &&
        /^Cannot build the bundle: deno bundle exited \d+/.test(e.message),
    );
  },
});

Deno.test("buildBundle() replaces only an earlier bundle: other files, a file path and the repository are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-test-" });
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "keep me\n");
    await Deno.writeTextFile(`${dir}/main.js`, "// an old bundle\n");
    await assert.rejects(
      () => buildBundle(dir),
      (e: unknown) =>
        e instanceof BundleError &&
        e.message === `Cannot build the bundle in "${dir}": it holds "notes.txt", which no ` +
            "bundle writes; give a new or empty directory",
    );
    assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "keep me\n");
    assert.equal(await Deno.readTextFile(`${dir}/main.js`), "// an old bundle\n");
    await assert.rejects(
      () => buildBundle(`${dir}/notes.txt/bundle`),
      (e: unknown) => e instanceof BundleError && e.cause instanceof Error,
    );
    for (const root of [ROOT, `${ROOT}/scripts/..`, "/"]) {
      await assert.rejects(
        () => buildBundle(root),
        (e: unknown) => e instanceof BundleError && /: it holds the repository$/.test(e.message),
      );
    }
    assert.ok((await Deno.stat(`${ROOT}/main.ts`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "the bundle runs ocictl end to end: version, help (commander), a push, a pull and a layout copy through the hashing worker",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-e2e-" });
    let server: Awaited<ReturnType<typeof startRegistryServer>> | undefined;
    try {
      server = await startRegistryServer({
        dir: `${dir}/registry`,
        hostname: "127.0.0.1",
        port: 0,
      });
      const b = await buildBundle(`${dir}/bundle`);
      const env = { OCICTL_CONFIG: `${dir}/config.json`, HOME: dir };
      const version = await _run(b.main, ["version", "--format", "{{.VCSTag}}"], env);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^v\d+\.\d+\.\d+/);
      const help = await _run(b.main, ["tag", "ls", "--help"], env);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: ocictl tag ls\|list \[options\] <repository>/);
      const bad = await _run(b.main, ["tag", "lss"], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /did you mean/i);

      const reg = `127.0.0.1:${server.addr.port}`;
      const host = ["--host", `reg=${reg},tls=disabled`];
      const payload = randomBytes(3 * 1024 * 1024 + 17, 7);
      await Deno.writeFile(`${dir}/payload.bin`, payload);
      const push = await _run(b.main, [
        ...host,
        "artifact",
        "put",
        "--artifact-type",
        "application/x-bundle-test",
        "--file",
        `${dir}/payload.bin`,
        `${reg}/bundle/art:v1`,
      ], env);
      assert.equal(push.code, 0, push.stderr);
      const pull = await _run(b.main, [
        ...host,
        "image",
        "copy",
        `${reg}/bundle/art:v1`,
        `ocidir://${dir}/layout:v1`,
      ], env);
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal(pull.stderr, "");
      const hex = createHash("sha256").update(payload).digest("hex");
      assert.deepEqual(await Deno.readFile(`${dir}/layout/blobs/sha256/${hex}`), payload);
      // layout to layout, the big blob is piped and hashed from its file by the worker
      const local = await _run(b.main, [
        "image",
        "copy",
        `ocidir://${dir}/layout:v1`,
        `ocidir://${dir}/again:v1`,
      ], env);
      assert.equal(local.code, 0, local.stderr);
      assert.equal(local.stderr, "", "the hashing worker started and finished cleanly");
      assert.deepEqual(await Deno.readFile(`${dir}/again/blobs/sha256/${hex}`), payload);
    } finally {
      await server?.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
