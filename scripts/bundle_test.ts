import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import {
  buildBundle,
  bundledName,
  BundleError,
  bundleExternals,
  chunkModules,
  CORE_CHUNK,
  coreModules,
  FOLD_MAX_CHARS,
  FOLD_MIN_ENTRIES,
  linkWorkers,
  minifyChunks,
  type PlanModule,
  WORKER_MODULES,
} from "./bundle.ts";
import { denoInfo, type InfoJson } from "./check_startup.ts";
import { runArgs } from "./compile.ts";
import { startRegistryServer } from "../src/serve/server.ts";
import { copyTree } from "../tests/cli/_mod_check.ts";
import { randomBytes } from "../tests/registry/_image.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/** The source entry, to compare the bundle with. */
const SOURCE = `${ROOT}main.ts`;

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

/**
 * Every module reached from the entries, static or `import()`ed, with its
 * imports.
 */
async function _graph(entries: readonly string[]): Promise<Map<string, InfoJson["modules"][0]>> {
  const graph = new Map<string, InfoJson["modules"][0]>();
  for (const entry of entries) {
    for (const m of (await denoInfo(entry, ROOT)).modules) graph.set(m.specifier, m);
  }
  return graph;
}

/**
 * Runs short commands through the bundle and from source (main.ts) on a copy
 * of a fixture layout, and compares: `tag ls`, `manifest head`, a usage
 * error, and the stack a failure prints at debug verbosity, which starts
 * with the error's class name (`new.target.name`, lost if the minifier
 * renamed the class). Also a layout copy through the bundle.
 */
async function _likeSource(main: string, dir: string, env: Record<string, string>) {
  const both = async (args: string[]) => {
    const [bundled, source] = [await _run(main, args, env), await _run(SOURCE, args, env)];
    return { bundled, source };
  };
  await copyTree(`${ROOT}/tests/testdata/regctl-golden/fixtures/small`, `${dir}/small`);
  const layout = `ocidir://${dir}/small`;
  const version = await both(["version"]);
  assert.equal(version.bundled.code, 0, version.bundled.stderr);
  assert.equal(version.bundled.stdout, version.source.stdout);
  for (const args of [["tag", "ls", layout], ["manifest", "head", `${layout}:latest`]]) {
    const r = await both(args);
    assert.equal(r.source.code, 0, r.source.stderr);
    assert.deepEqual(r.bundled, r.source, args.join(" "));
  }
  // a reference that does not parse: a usage error, and its message
  const bad = await both(["manifest", "head", "Bad Ref!!"]);
  assert.equal(bad.source.code, 2, bad.source.stderr);
  assert.deepEqual(bad.bundled, bad.source);
  // the stack printed at debug verbosity starts with the class name
  const missing = await both(["-v", "debug", "manifest", "head", `${layout}:nosuch`]);
  const className = (stderr: string) =>
    stderr.match(/^(?!ocictl:)([\w$]+): Cannot find tag "nosuch"/m)?.[1];
  assert.equal(missing.bundled.code, missing.source.code);
  assert.equal(className(missing.source.stderr), "NotFoundError", missing.source.stderr);
  assert.equal(className(missing.bundled.stderr), "NotFoundError", missing.bundled.stderr);
  // a layout to a new layout
  const copy = await _run(
    main,
    ["image", "copy", `${layout}:latest`, `ocidir://${dir}/copy:v1`],
    env,
  );
  assert.equal(copy.code, 0, copy.stderr);
  const tags = await _run(main, ["tag", "ls", `ocidir://${dir}/copy`], env);
  assert.equal(tags.code, 0, tags.stderr);
  assert.equal(tags.stdout, "v1\n");
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
      // every chunk is reachable from main.js or a worker entry, and every import resolves
      // through deno.json (what deno compile needs)
      const graph = await _graph([b.main, ...b.workers]);
      for (const [specifier, m] of graph) {
        assert.equal(m.error, undefined, `${specifier}: ${m.error}`);
      }
      const imports = (f: string) => {
        const m = graph.get(pathToFileURL(f).href);
        assert.ok(m !== undefined, `${f} is not reached`);
        return m.dependencies ?? [];
      };
      const local = (f: string) =>
        imports(f).filter((d) => !d.isDynamic && d.specifier.startsWith("./")).map((d) =>
          d.specifier
        );
      // main.js's static graph is one core chunk: what every command loads before a verb
      assert.deepEqual(local(b.main), [`./${CORE_CHUNK}.js`]);
      assert.deepEqual(local(`${dir}/${CORE_CHUNK}.js`), [], "the core chunk imports a chunk");
      // main.js awaits the command at its top level: a chunk importing it would wait forever
      const mainUrl = pathToFileURL(b.main).href;
      for (const f of [...b.chunks, ...b.workers]) {
        for (const d of imports(f)) {
          assert.notEqual(d.code?.specifier, mainUrl, `${f} imports main.js`);
        }
      }
      for (const f of [...b.chunks, ...b.workers]) {
        const text = await Deno.readTextFile(f);
        // the shim's names, its import and its error message (a minifier renames the helper)
        assert.doesNotMatch(
          text,
          /createRequire|__require\b|typeof require\b|Dynamic require of/,
          `${f} carries a Node shim`,
        );
        // minified: no JSDoc or module marker lines left
        assert.doesNotMatch(text, /^\/\/ |\/\*\*/m, `${f} is not minified`);
        for (const { specifier: spec } of imports(f)) {
          if (spec.startsWith("./") || spec.startsWith("../")) continue;
          const pkg = names.find((n) => spec === n || spec.startsWith(`${n}/`));
          assert.ok(spec.startsWith("node:") || pkg !== undefined, `${f} imports ${spec}`);
          assert.notEqual(spec, "node:module", `${f} imports node:module (a Node shim)`);
        }
      }
      // every module in a chunk is one of ours: no package was bundled in
      assert.deepEqual(Object.keys(b.modules).sort(), [...b.chunks, ...b.workers].sort());
      assert.ok(b.modules[b.main]!.includes("main.ts"), "main.js holds main.ts");
      // main's static graph, and the small modules every verb shares (folded in)
      const core = b.modules[`${dir}/${CORE_CHUNK}.js`]!;
      for (
        const m of [
          "src/cli/run.ts",
          "src/errors.ts",
          "src/cli/fast_parse.ts",
          "src/cli/plugin_registry.ts",
          "src/cli/arguments.ts",
          "src/bytes.ts",
        ]
      ) assert.ok(core.includes(m), `core.js holds ${m}`);
      // a small shared module whose top level builds a web stream class stays out
      assert.ok(!core.includes("src/verify_stream.ts"), "core.js holds verify_stream.ts");
      assert.ok(!core.includes("src/transport/registry/registry_transport.ts"));
      assert.ok(b.modules[b.workers[0]!]!.includes(WORKER_MODULES[0]!), "the worker holds its own");
      const held = Object.values(b.modules).flat();
      assert.ok(held.length > 100, `${held.length} modules: are the marker lines read?`);
      for (const [f, paths] of Object.entries(b.modules)) {
        for (const path of paths) {
          const inside = !path.startsWith("../") && !path.startsWith("/");
          const stat = inside
            ? await Deno.stat(`${ROOT}/${path}`).catch(() => undefined)
            : undefined;
          assert.ok(stat?.isFile, `${f} carries ${path}, which is not a file of this repository`);
        }
      }
      // one chunk starts the hashing worker, at its bundled entry
      const linked = [];
      const worker = new RegExp(`["'\`]\\./${bundledName(WORKER_MODULES[0]!)}["'\`]`);
      for (const f of b.chunks) {
        const text = await Deno.readTextFile(f);
        assert.ok(!/["'`]\.\/hash_worker\.ts["'`]/.test(text), `${f} still names hash_worker.ts`);
        if (worker.test(text)) linked.push(f);
      }
      assert.equal(linked.length, 1, linked.join(", "));
      for (const f of b.chunks) assert.ok(graph.has(pathToFileURL(f).href), `${f} is not reached`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("coreModules() folds small modules that many verbs share, never one that loads more runtime", () => {
  const small = "export const x = 1;\n";
  const big = `export const y = "${"y".repeat(FOLD_MAX_CHARS)}";\n`;
  const verbs = Array.from({ length: FOLD_MIN_ENTRIES }, (_, i) => `verb${i}`);
  const graph = new Map<string, PlanModule>([
    ["main", { code: "", imports: ["run", "node:fs"], dynamicImporters: [] }],
    ["run", { code: small, imports: [], dynamicImporters: [] }],
    ["shared", { code: small, imports: ["run"], dynamicImporters: [] }],
    ["sharedNeedsShared", { code: small, imports: ["shared"], dynamicImporters: [] }],
    ["bigShared", { code: big, imports: [], dynamicImporters: [] }],
    ["streams", {
      code: "class V extends TransformStream {}\n",
      imports: [],
      dynamicImporters: [],
    }],
    ["usesPackage", { code: small, imports: ["commander"], dynamicImporters: [] }],
    ["fewShare", { code: small, imports: [], dynamicImporters: [] }],
    ...verbs.map((v, i): [string, PlanModule] => [v, {
      code: small,
      imports: [
        "sharedNeedsShared",
        "bigShared",
        "streams",
        "usesPackage",
        ...(i === 0 ? ["fewShare"] : []),
      ],
      dynamicImporters: ["run"],
    }]),
  ]);
  const core = coreModules("main", graph);
  // the static graph, then what folds (a fold can make another possible)
  assert.deepEqual([...core].sort(), ["run", "shared", "sharedNeedsShared"]);
  // one verb fewer than the threshold: nothing folds
  graph.delete(verbs[0]!);
  assert.deepEqual([...coreModules("main", graph)].sort(), ["run"]);
});

Deno.test("chunkModules() lists the source modules after esbuild's marker lines", () => {
  const text = "import { a } from './core.js';\n\n// src/x/y.ts\nvar b = 1;\n" +
    "  // src/not/a_marker.ts\n// plugins/z.tsx\n// deno.json\nvar c = '// src/in_string.ts';\n";
  assert.deepEqual(chunkModules(text), ["src/x/y.ts", "plugins/z.tsx", "deno.json"]);
  assert.deepEqual(chunkModules("export { a } from './core.js';\n"), []);
});

Deno.test("minifyChunks() keeps class names, also of classes esbuild binds to a variable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-test-" });
  try {
    const chunk = `${dir}/chunk.js`;
    await Deno.writeTextFile(
      chunk,
      [
        "// src/errors.ts",
        "/** The base. */",
        "var BaseError = class extends Error {",
        "  constructor(message) {",
        "    super(message);",
        "    this.name = new.target.name;",
        "  }",
        "};",
        "var NotFoundError = class extends BaseError {};",
        "var Plain = class {};",
        "var Later;",
        "Later = class {};",
        "class Declared {}",
        "var _Self = class _Self { static make() { return new _Self(); } };",
        "export const names = [new NotFoundError('x').name, new BaseError('y').name, Plain.name,",
        "  Later.name, Declared.name, _Self.make().constructor.name, 'µ–'];",
        "",
      ].join("\n"),
    );
    await minifyChunks([chunk]);
    const text = await Deno.readTextFile(chunk);
    assert.doesNotMatch(text, /\/\/ src|The base|\n/, text);
    const { names } = await import(pathToFileURL(chunk).href);
    assert.deepEqual(names, [
      "NotFoundError",
      "BaseError",
      "Plain",
      "Later",
      "Declared",
      "_Self",
      "µ–",
    ]);
    // a chunk that does not parse: a typed error, and no chunk is written
    const other = `${dir}/other.js`;
    await Deno.writeTextFile(other, "export const a = 1;\n");
    await Deno.writeTextFile(chunk, "export const = ;\n");
    await assert.rejects(
      () => minifyChunks([other, chunk]),
      (e: unknown) =>
        e instanceof BundleError && e.code === "BUNDLE_FAILED" &&
        e.message.startsWith(`Cannot build the bundle: cannot minify "${chunk}": `),
    );
    assert.equal(await Deno.readTextFile(other), "export const a = 1;\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
    "the minified bundle runs ocictl end to end: version, help (commander), a push, a pull and a layout copy through the hashing worker; it prints what the source prints",
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "ocictl-bundle-e2e-" });
    let server: Awaited<ReturnType<typeof startRegistryServer>> | undefined;
    try {
      const b = await buildBundle(`${dir}/bundle`);
      const env = { OCICTL_CONFIG: `${dir}/config.json`, HOME: dir };
      await t.step(
        "layout commands, a usage error and an error's class name, as from source",
        () => _likeSource(b.main, `${dir}/likesource`, env),
      );
      server = await startRegistryServer({
        dir: `${dir}/registry`,
        hostname: "127.0.0.1",
        port: 0,
      });
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
