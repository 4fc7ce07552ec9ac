// deno-lint-ignore-file no-console
/**
 * Builds the JavaScript that the `ocictl` executable is compiled from: `deno
 * bundle` of main.ts and the worker modules, split into chunks so that every
 * `import()` of the source (a verb, a transport, an engine) still loads its
 * own chunk on first use. npm packages and `node:` built-ins stay imports,
 * resolved at run time through deno.json's import map, so no chunk carries a
 * package or a Node shim (`createRequire` would start Deno's Node layer on
 * every start).
 *
 * Why: Deno loads a TypeScript module through its transpile cache, as emitted
 * JavaScript with an inline source map (about three times the source), while
 * a bundled chunk is plain JavaScript, without types or source maps. Measured on
 * the start-up commands with `deno run` as the binary runs (callgrind, user
 * instructions over an empty `deno run`): `tag ls` on a registry 125 M from
 * source against 71 M bundled, a no-op `image copy` 156 M against 87 M,
 * `version` 54 M against 28 M.
 *
 * Then rollup re-chunks esbuild's output once: every chunk that main.js
 * imports statically goes into one `core` chunk. esbuild splits main's static
 * graph into a chunk per set of importers (about 20), although main.js has
 * always loaded them before any `import()` runs; each module costs Deno about
 * 0.1 ms to load, so `version` and the registry commands each start 2–5 ms
 * sooner with one core chunk (rotated runs, 30 rounds). The chunks behind
 * `import()` stay as esbuild split them.
 *
 * A worker is started with `new Worker(new URL("./x.ts", import.meta.url))`;
 * the bundler leaves that string alone, so the build points it at the
 * worker's bundled entry, and fails when it does not find exactly one.
 *
 * Last, terser (an npm package, used by the build only) minifies every chunk
 * and worker entry in place: no JSDoc, no `// src/x.ts` marker lines, short
 * local names. A start-up is dominated by the memory it touches (a page fault
 * costs about 11.6 µs on the build machine): `core.js` goes from 114 KB to
 * 49 KB (the bundle from 1.1 MB to 0.6 MB); `version` takes about 3030 page
 * faults instead of 3160, `tag ls` and `manifest head` on a layout about 3160
 * instead of 3360, and each starts 1–4 ms sooner (`perf stat`, 10 runs with a
 * warm code cache, run as the binary runs). The build takes about 2.5 s more.
 * Class names are kept: every ocictl error takes its `name` from
 * `new.target.name` (`src/errors.ts`), and a template's `%T` prints a class
 * name. esbuild writes a top-level class as `var X = class …`, whose name
 * comes from the variable terser renames, so the build names such a class
 * (`class X`) before terser runs with `keep_classnames`. esbuild's `--minify`
 * cuts a little more but renames classes, and its `--keep-names` gives half
 * the gain back to the `__name()` calls it adds. The source modules of each
 * chunk are read from esbuild's marker lines before they go
 * ({@link Bundle.modules}).
 *
 * Run: `deno run -A scripts/bundle.ts [--no-minify] [OUTDIR]` (default
 * `dist/bundle`); `--no-minify` keeps the chunks readable, for debugging.
 *
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type ModuleInfo, rollup } from "rollup";
import { parseAst } from "rollup/parseAst";
import { minify as terserMinify } from "terser";
import denoJson from "../deno.json" with { type: "json" };

/** Where `deno task compile` puts the bundle, relative to the repository root. */
export const BUNDLE_DIR = "dist/bundle";

/**
 * Modules loaded only as workers, which the bundler and `deno compile` do not
 * find by themselves: the ocidir hashing worker.
 */
export const WORKER_MODULES = ["src/transport/ocidir/hash_worker.ts"];

/** Repository root, as a file path. */
const _ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * The modules left to the run-time resolver: every npm package of deno.json's
 * import map (and its subpaths) and every `node:` built-in.
 *
 * @returns `--external` values for `deno bundle`
 */
export function bundleExternals(): string[] {
  const names = Object.keys(denoJson.imports);
  return [...names.flatMap((n) => [n, `${n}/*`]), "node:*"];
}

/**
 * Builds the `deno bundle` argument list.
 *
 * @param outdir output directory (absolute, or relative to the repository root)
 * @returns the arguments after `deno`
 */
export function bundleArgs(outdir: string): string[] {
  return [
    "bundle",
    "--quiet",
    "--frozen",
    "--code-splitting",
    "--platform=deno",
    "--format=esm",
    ...bundleExternals().flatMap((e) => ["--external", e]),
    "--outdir",
    outdir,
    "main.ts",
    ...WORKER_MODULES,
  ];
}

/** What {@link buildBundle} wrote. */
export interface Bundle {
  /** Absolute directory of the bundle. */
  dir: string;
  /** Absolute path of the entry (`main.js`). */
  main: string;
  /** Absolute paths of the worker entries, in {@link WORKER_MODULES} order. */
  workers: string[];
  /** Absolute paths of every top-level chunk, `main.js` among them, sorted. */
  chunks: string[];
  /**
   * The source modules each chunk and worker entry holds: absolute chunk path
   * to paths relative to the repository root (`src/cli/run.ts`), in bundle
   * order. A chunk that only re-exports another holds none.
   */
  modules: Record<string, string[]>;
}

/** How {@link buildBundle} builds. */
export interface BundleOptions {
  /** Minify every chunk and worker entry with terser (default true; false to debug). */
  minify?: boolean;
}

/** The bundle could not be built, or its worker references not fixed. */
export class BundleError extends Error {
  /** Stable code. */
  readonly code = "BUNDLE_FAILED";
  /**
   * @param message what went wrong ("Cannot build the bundle …: …")
   * @param options the underlying error, as `cause`
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BundleError";
  }
}

/**
 * Where a source module's entry lands in the bundle.
 *
 * @param module path relative to the repository root (`src/x/y.ts`)
 * @returns path relative to the bundle directory (`src/x/y.js`)
 */
export function bundledName(module: string): string {
  return module.replace(/\.ts$/, ".js");
}

/**
 * The source modules of an unminified chunk: esbuild writes a `// <path>`
 * line before each module's code (the path relative to the directory it ran
 * in, the repository root), and rollup keeps it.
 *
 * @param text the chunk's JavaScript, before {@link minifyChunks}
 * @returns the paths, in chunk order
 */
export function chunkModules(text: string): string[] {
  return [...text.matchAll(/^\/\/ (\S+\.(?:[cm]?[jt]sx?|json))$/gm)].map((m) => m[1]!);
}

/** terser's settings: safe compression, mangled local names, class names kept. */
const _TERSER = {
  module: true,
  keep_classnames: true,
  format: { comments: false },
} as const;

/**
 * Minifies chunks in place with terser ({@link _TERSER}), each anonymous
 * class bound to a name given that name first ({@link _nameClasses}).
 * Nothing is written unless every chunk minifies.
 *
 * @param files absolute paths of the chunks
 * @returns nothing
 * @throws {BundleError} when a chunk does not parse ("Cannot build the
 *   bundle: cannot minify …: …")
 */
export async function minifyChunks(files: readonly string[]): Promise<void> {
  const out = new Map<string, string>();
  for (const f of files) {
    const text = await Deno.readTextFile(f);
    let code: string | undefined;
    try {
      code = (await terserMinify({ [f]: _nameClasses(text) }, _TERSER)).code;
    } catch (err) {
      throw new BundleError(
        `Cannot build the bundle: cannot minify "${f}": ${_parseMessage(err)}`,
        { cause: err },
      );
    }
    if (code === undefined) {
      throw new BundleError(`Cannot build the bundle: cannot minify "${f}": terser wrote no code`);
    }
    out.set(f, code);
  }
  for (const [f, code] of out) await Deno.writeTextFile(f, code);
}

/** The ESTree fields {@link _nameClasses} reads. */
interface _Node {
  type?: unknown;
  start?: number;
  operator?: string;
  name?: string;
  id?: _Node | null;
  init?: _Node | null;
  left?: _Node;
  right?: _Node;
}

/**
 * Names each anonymous class bound to a name after it: `var X = class
 * extends Y {` (how esbuild writes every top-level class) becomes `var X =
 * class X extends Y {`. Such a class takes its `name` from the binding,
 * which terser renames; a class's own name terser keeps
 * (`keep_classnames`), so `new.target.name` still reads `X`. Inside the
 * class body `X` then names the class itself, as it did (esbuild's classes
 * are never reassigned).
 *
 * @param code a chunk
 * @returns the chunk, with those classes named
 * @throws {Error} what rollup's parser throws
 */
function _nameClasses(code: string): string {
  const at: { pos: number; name: string }[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as _Node;
    const [id, value] = n.type === "VariableDeclarator"
      ? [n.id, n.init]
      : n.type === "AssignmentExpression" && n.operator === "="
      ? [n.left, n.right]
      : [];
    if (
      id?.type === "Identifier" && id.name !== undefined && value?.type === "ClassExpression" &&
      value.id === null && value.start !== undefined
    ) {
      if (code.slice(value.start, value.start + 5) !== "class") {
        throw new Error(`the class bound to ${id.name} does not start with "class"`);
      }
      at.push({ pos: value.start + 5, name: id.name });
    }
    for (const v of Object.values(n)) visit(v);
  };
  visit(parseAst(code));
  let out = code;
  for (const { pos, name } of at.sort((a, b) => b.pos - a.pos)) {
    out = `${out.slice(0, pos)} ${name}${out.slice(pos)}`;
  }
  return out;
}

/** A parse error of rollup's parser or terser as one line, with its position when known. */
function _parseMessage(err: unknown): string {
  const e = err as { message?: unknown; line?: unknown; col?: unknown; pos?: unknown } | null;
  if (typeof e?.message !== "string") return String(err);
  if (typeof e.line === "number") return `${e.message} (line ${e.line}, column ${String(e.col)})`;
  return typeof e.pos === "number" ? `${e.message} (at offset ${e.pos})` : e.message;
}

/**
 * Points each `new URL("./<worker>.ts", import.meta.url)` of the bundle at the
 * worker's bundled entry ({@link WORKER_MODULES}). Every chunk sits at the
 * top of `dir`. Nothing is written unless every worker is named once, by
 * exactly one chunk.
 *
 * @param dir bundle directory
 * @returns the names of the chunks at the top of `dir`, sorted
 * @throws {BundleError} unless exactly one chunk names each worker, once
 */
export async function linkWorkers(dir: string): Promise<string[]> {
  const chunks: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".js")) chunks.push(e.name);
  }
  chunks.sort();
  const edits = new Map<string, string>();
  for (const w of WORKER_MODULES) {
    const name = `"./${w.slice(w.lastIndexOf("/") + 1)}"`;
    const hits: string[] = [];
    for (const c of chunks) {
      const text = edits.get(c) ?? await Deno.readTextFile(`${dir}/${c}`);
      const n = text.split(name).length - 1;
      if (n === 0) continue;
      if (n > 1) {
        throw new BundleError(
          `Cannot link the worker ${name}: chunk "${c}" names it ${n} times, expected once`,
        );
      }
      hits.push(c);
      edits.set(c, text.replace(name, `"./${bundledName(w)}"`));
    }
    if (hits.length !== 1) {
      throw new BundleError(
        `Cannot link the worker ${name}: ${hits.length} chunks name it${
          hits.length > 0 ? ` (${hits.join(", ")})` : ""
        }, expected one`,
      );
    }
  }
  for (const [c, text] of edits) await Deno.writeTextFile(`${dir}/${c}`, text);
  return chunks;
}

/**
 * Empties `dir` for a new bundle. Only an earlier bundle is removed: a
 * directory holding anything but `*.js` files, the `src/` of worker entries
 * and an unfinished build's `.stage/`, or one that holds the repository, is
 * refused.
 */
async function _clearOutdir(dir: string): Promise<void> {
  const up = relative(dir, _ROOT);
  if (up === "" || (!up.startsWith("..") && !isAbsolute(up))) {
    throw new BundleError(`Cannot build the bundle in "${dir}": it holds the repository`);
  }
  try {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      const ours = e.isDirectory && (e.name === "src" || e.name === _STAGE);
      if (!(e.isFile && e.name.endsWith(".js")) && !ours) {
        throw new BundleError(
          `Cannot build the bundle in "${dir}": it holds "${e.name}", which no bundle writes; ` +
            "give a new or empty directory",
        );
      }
      names.push(e.name);
    }
    if (names.length > 0) await Deno.remove(dir, { recursive: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    if (err instanceof BundleError) throw err;
    throw new BundleError(`Cannot build the bundle in "${dir}": ${String(err)}`, { cause: err });
  }
}

/** Where `deno bundle` writes inside the output directory, before {@link rechunk}. */
const _STAGE = ".stage";

/** Name of the chunk that holds every module main.js imports statically. */
export const CORE_CHUNK = "core";

/**
 * A module behind `import()` smaller than this (its code without comment
 * lines, whitespace runs counted once) may be folded into the core chunk.
 */
export const FOLD_MAX_CHARS = 2000;

/** ... when at least this many modules loaded by `import()` reach it statically. */
export const FOLD_MIN_ENTRIES = 10;

/**
 * Globals whose first use makes Deno load more of its runtime (web streams,
 * fetch, the Node layer behind the timers): a module that names one is never
 * folded into the core chunk, where its top level would run on every start.
 */
const _LAZY_GLOBALS =
  /\b(?:ReadableStream|WritableStream|TransformStream|TextDecoderStream|TextEncoderStream|CompressionStream|DecompressionStream|Headers|Request|Response|fetch|setTimeout|setInterval)\b/;

/** One module of the graph {@link coreModules} plans over. */
export interface PlanModule {
  /** The module's code. */
  code: string;
  /** The modules it imports statically (packages and built-ins included). */
  imports: readonly string[];
  /** The modules that load it with `import()`. */
  dynamicImporters: readonly string[];
}

/**
 * The modules of the core chunk: every module `main` imports statically, at
 * any depth, then every small module that many `import()`-loaded modules
 * share ({@link FOLD_MAX_CHARS}, {@link FOLD_MIN_ENTRIES}), that imports only
 * core modules and that names no lazily loaded global. Such a module (the
 * plugin registry every verb marks itself in, `bytes.ts`, the argument
 * parsers) would otherwise be a file of its own that most commands load:
 * about 0.1 ms each. Folding the 11 such modules of today's graph took 1.0 ms
 * off a registry `manifest head`, 1.4 off `tag ls` and 2.2 off a no-op copy,
 * with `version` unchanged (rotated runs, 25 rounds).
 *
 * @param main the entry
 * @param graph every module by id; an id it does not hold is a package or a built-in
 * @returns the ids of the core chunk's modules (`main` left out)
 */
export function coreModules(main: string, graph: ReadonlyMap<string, PlanModule>): Set<string> {
  const imports = (id: string) => graph.get(id)?.imports.filter((d) => graph.has(d)) ?? [];
  const core = _staticClosure(main, imports);
  // how many import()-loaded modules reach each module through static imports
  const reached = new Map<string, number>();
  for (const [id, m] of graph) {
    if (m.dynamicImporters.length === 0 || core.has(id) || id === main) continue;
    for (const r of [id, ..._staticClosure(id, imports)]) {
      if (!core.has(r)) reached.set(r, (reached.get(r) ?? 0) + 1);
    }
  }
  for (let folded = true; folded;) {
    folded = false;
    for (const [id, m] of graph) {
      if (core.has(id) || id === main || (reached.get(id) ?? 0) < FOLD_MIN_ENTRIES) continue;
      if (_codeChars(m.code) >= FOLD_MAX_CHARS || _LAZY_GLOBALS.test(m.code)) continue;
      if (!m.imports.every((d) => core.has(d))) continue;
      core.add(id);
      folded = true;
    }
  }
  return core;
}

/** A module's size without comment lines, whitespace runs counted once. */
function _codeChars(code: string): number {
  return code.replace(/^\s*\/\/.*$/gm, "").replace(/\s+/g, " ").trim().length;
}

/**
 * Re-chunks a `deno bundle` output with rollup: the modules main.js imports
 * statically (at any depth) and the small shared ones {@link coreModules}
 * folds in become one `core` chunk; the rest keep esbuild's split. Worker entries (`src/…`) are copied as they are: they import no
 * chunk.
 *
 * @param stage the `deno bundle` output
 * @param dir where the re-chunked bundle goes (empty or missing)
 * @returns nothing
 * @throws {Error} what rollup throws (a parse error, a missing chunk)
 */
export async function rechunk(stage: string, dir: string): Promise<void> {
  const main = join(stage, "main.js");
  let core: Set<string> | undefined;
  const build = await rollup({
    input: { main },
    // packages and node: built-ins stay imports, as deno bundle left them
    external: (id) => !id.startsWith(".") && !isAbsolute(id),
    onwarn: (w, warn) => {
      if (w.code !== "CIRCULAR_DEPENDENCY") warn(w);
    },
  });
  try {
    await build.write({
      dir,
      format: "es",
      entryFileNames: "[name].js",
      chunkFileNames: "[name].js",
      manualChunks: (id, { getModuleInfo, getModuleIds }) => {
        core ??= coreModules(main, _planGraph([...getModuleIds()], getModuleInfo));
        return core.has(id) ? CORE_CHUNK : undefined;
      },
    });
  } finally {
    await build.close();
  }
  for (const w of WORKER_MODULES) {
    const to = join(dir, bundledName(w));
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(join(stage, bundledName(w)), to);
  }
}

/** rollup's module graph as {@link coreModules} reads it: our modules only. */
function _planGraph(
  ids: readonly string[],
  info: (id: string) => ModuleInfo | null,
): Map<string, PlanModule> {
  const graph = new Map<string, PlanModule>();
  for (const id of ids) {
    const m = info(id);
    if (!m || m.isExternal) continue;
    graph.set(id, {
      code: m.code ?? "",
      imports: m.importedIds,
      dynamicImporters: m.dynamicImporters,
    });
  }
  return graph;
}

/** The modules `entry` imports statically, at any depth (the entry left out). */
function _staticClosure(entry: string, imports: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...imports(entry)];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || id === entry) continue;
    seen.add(id);
    stack.push(...imports(id));
  }
  return seen;
}

/** Runs `deno bundle`; the stderr of a failure. */
async function _runBundle(dir: string): Promise<string | undefined> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(dir),
    cwd: _ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return out.code === 0
    ? undefined
    : `deno bundle exited ${out.code}: ${new TextDecoder().decode(out.stderr).trim()}`;
}

/**
 * Bundles main.ts and the workers into `outdir`, then minifies the chunks
 * (unless `minify` is false). An earlier bundle there is replaced; any other
 * content is refused.
 *
 * `deno bundle` puts its esbuild into `DENO_DIR` on first use, and two
 * first uses at once can collide on that copy, so a failure that names
 * esbuild is tried once more.
 *
 * @param outdir output directory, absolute or relative to the repository root
 * @param options `minify: false` keeps the chunks as the bundlers wrote them
 * @returns the bundle's paths, and the source modules of each chunk
 * @throws {BundleError} when the directory holds other files, `deno bundle`
 *   fails, a worker reference is not found, or terser cannot parse a chunk
 */
export async function buildBundle(
  outdir: string = BUNDLE_DIR,
  { minify = true }: BundleOptions = {},
): Promise<Bundle> {
  const dir = resolve(_ROOT, outdir);
  await _clearOutdir(dir);
  let chunks: string[];
  const workers = WORKER_MODULES.map((w) => join(dir, bundledName(w)));
  const modules: Record<string, string[]> = {};
  // esbuild's chunks, before rollup re-chunks them into `dir` (removed after)
  const stage = join(dir, _STAGE);
  try {
    let failed = await _runBundle(stage);
    if (failed !== undefined && /esbuild/i.test(failed)) failed = await _runBundle(stage);
    if (failed !== undefined) throw new BundleError(`Cannot build the bundle: ${failed}`);
    await rechunk(stage, dir);
    chunks = (await linkWorkers(dir)).map((c) => join(dir, c));
    for (const f of [...chunks, ...workers]) {
      modules[f] = chunkModules(await Deno.readTextFile(f));
    }
    if (minify) await minifyChunks([...chunks, ...workers]);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`Cannot build the bundle in "${dir}": ${String(err)}`, { cause: err });
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
  return { dir, main: join(dir, "main.js"), workers, chunks, modules };
}

if (import.meta.main) {
  const minify = !Deno.args.includes("--no-minify");
  const b = await buildBundle(Deno.args.find((a) => a !== "--no-minify"), { minify });
  console.error(`bundled ${b.main}${minify ? "" : " (not minified)"}`);
}
