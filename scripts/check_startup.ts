// deno-lint-ignore-file no-console
/**
 * Startup check: root `--help` imports no verb module, and `tag ls --help`
 * imports only `plugins/tag.ts`. Each verb module records itself in the
 * plugin registry when imported; this script runs the CLI in-process in a
 * fresh process and compares the registry before and after.
 *
 * It also walks the static import graphs of the start path (`deno info
 * --json`, leaving out `import()` and type-only imports) and fails when one
 * reaches a module that must only be loaded on first use: the transports
 * (loaded by `src/client.ts` when a reference of their scheme is used),
 * config resolution, the copy engine, the archive code and the tar, zstd,
 * gzip and `node:http(s)` modules behind them.
 *
 * Then, for each short command measured for start-up time ({@link SHORT_COMMANDS}:
 * `version`, and `manifest head`, `tag ls` and a no-op `image copy` on a
 * registry and on an OCI layout), it walks the static graph of every module
 * that command loads at run time (main.ts, the verb's plugin and the modules
 * the run takes with `import()`: transport, config resolution, copy engine)
 * and fails when one reaches a module in {@link SHORT_PATH_FORBIDDEN}: any
 * `node:` built-in starts Deno's Node compatibility layer (8–28 ms).
 *
 * It walks the same graphs in the JavaScript bundle the binary is compiled
 * from ({@link checkBundle}), where a bundler's Node shim would show.
 *
 * Last, it runs the short commands ({@link NO_STREAM_COMMANDS}: `version`,
 * and `tag ls`, `manifest head` and a no-op `image copy` on a layout and on
 * a registry served here on loopback) each in a fresh process through
 * `scripts/_stream_probe.ts`, and fails when one uses Deno's web streams,
 * fetch or `Headers` (3–4 ms of start-up for streams, 10 for fetch).
 *
 * Run: `deno run -A scripts/check_startup.ts` (exit 0 when the check holds).
 *
 * @module
 */
import { buildBundle } from "./bundle.ts";
import { runArgs } from "./compile.ts";
import { Client, createTransportFactory } from "../src/client.ts";
import { createImage } from "../src/ops/image_create.ts";
import { parseRef } from "../src/types/ref.ts";
import { quietIo } from "../tests/cli_harness.ts";
import { loadedPlugins } from "../src/cli/plugin_registry.ts";
import { runCli } from "../src/cli/run.ts";
import { startRegistryServer } from "../src/serve/server.ts";
import { VERBS } from "../plugins/mod.ts";

/** One step of the check: argv and the verb modules expected loaded after it. */
export interface StartupCase {
  /** Arguments. */
  argv: string[];
  /** Verb modules loaded after the run (cumulative). */
  loaded: string[];
}

/** The steps, run in order in one process. */
export const CASES: readonly StartupCase[] = [
  { argv: ["--help"], loaded: [] },
  { argv: [], loaded: [] },
  { argv: ["tag", "--help"], loaded: ["tag"] },
  { argv: ["tag", "ls", "--help"], loaded: ["tag"] },
  { argv: ["manifest", "get", "--help"], loaded: ["manifest", "tag"] },
  { argv: ["image", "copy", "--help"], loaded: ["image", "manifest", "tag"] },
  { argv: ["version"], loaded: ["image", "manifest", "tag", "version"] },
];

/** A start-path module and what its static imports must never reach. */
export interface LeanGraphCase {
  /** Module whose static imports are walked, relative to the repository root. */
  root: string;
  /**
   * Forbidden modules: a path prefix relative to the repository root
   * (`src/ops/`), a `node:` module, or an npm package as `npm:<name>`.
   */
  forbidden: string[];
  /** Modules a forbidden prefix covers that this root may import statically anyway. */
  allowed?: string[] | undefined;
}

/** What every start-path module leaves to `import()` on first use. */
const LOADED_ON_USE: readonly string[] = [
  "src/transport/registry/",
  "src/transport/ocidir/",
  "src/transport/ocifile/",
  "src/transport/memory/",
  "src/config/resolve_hosts.ts",
  "src/ops/copy.ts",
  "src/ops/blob_copy.ts",
  "src/ops/image_export.ts",
  "src/ops/image_import.ts",
  "src/archive/",
  "src/serve/",
  "npm:modern-tar",
  "npm:js-yaml",
  "npm:bcryptjs",
  "npm:wasmoon",
  "src/bot/",
  "node:http",
  "node:https",
  "node:tls",
  "node:zlib",
];

/**
 * commander starts Deno's Node layer (about 40 ms): the start path parses
 * with `src/cli/fast_parse.ts` and loads commander only for help, usage
 * errors and completion (`src/cli/commander_tree.ts`, through `import()`).
 */
const PARSER_ON_USE: readonly string[] = ["npm:@commander-js/extra-typings", "npm:commander"];

/** `--format` rendering and response-header capture: only a format other than the default needs them. */
const _FORMATTING: readonly string[] = [
  "src/cli/output.ts",
  "src/cli/response_headers.ts",
  "src/template/pretty.ts",
  "src/gotypes/go_json.ts",
];

/** The start path: the executable and the verbs measured for start-up time. */
export const LEAN_GRAPHS: readonly LeanGraphCase[] = [
  // node:path only when a config file is written (it starts Node compatibility: ~8 ms)
  {
    root: "main.ts",
    forbidden: [
      ...LOADED_ON_USE,
      ...PARSER_ON_USE,
      "src/ops/",
      "src/template/",
      "plugins/tag.ts",
      "node:path",
    ],
  },
  // a verb with subcommands loads only the chosen one's module
  {
    root: "plugins/image.ts",
    forbidden: [
      ...LOADED_ON_USE,
      ...PARSER_ON_USE,
      "src/ops/",
      "src/mod/",
      "plugins/image/",
      "plugins/manifest/",
    ],
  },
  {
    // image copy needs none of mod's flags or step parsers, the engines or the result views
    root: "plugins/image/copy.ts",
    forbidden: [
      ...LOADED_ON_USE,
      ...PARSER_ON_USE,
      "src/ops/",
      "src/mod/",
      "src/cli/ref_template.ts",
      "src/cli/config_view.ts",
      ..._FORMATTING,
    ],
    // every copy starts with the precheck (two HEADs); the engine loads after it
    allowed: ["src/ops/copy_precheck.ts", "src/ops/copy_error.ts"],
  },
  // a copy whose target already has the image moves no blob and filters no index
  { root: "src/ops/copy.ts", forbidden: ["src/ops/blob_copy.ts", "src/ops/platform_filter.ts"] },
  {
    root: "plugins/manifest.ts",
    forbidden: [...LOADED_ON_USE, ...PARSER_ON_USE, "plugins/manifest/"],
  },
  // the digest alone: no views, header capture or output formats
  {
    root: "plugins/manifest/head.ts",
    forbidden: [
      ...LOADED_ON_USE,
      ...PARSER_ON_USE,
      "plugins/manifest/get.ts",
      "src/cli/manifest_view.ts",
      "src/cli/response_headers.ts",
      "src/cli/output.ts",
    ],
  },
  // the default format prints a line per tag: the formatter and header capture load for others
  {
    root: "plugins/tag.ts",
    forbidden: [...LOADED_ON_USE, ...PARSER_ON_USE, "src/ops/", ..._FORMATTING],
  },
  // `bot --help` loads neither the Lua runtime (wasmoon) nor the bot engine.
  { root: "plugins/bot.ts", forbidden: [...LOADED_ON_USE] },
  {
    root: "plugins/version.ts",
    forbidden: [...LOADED_ON_USE, ...PARSER_ON_USE, "src/ops/", "src/mod.ts"],
  },
  // `serve` without --ui: the browser and its renderer come in only with the flag.
  {
    root: "plugins/serve.ts",
    forbidden: ["src/serve/ui/", "npm:hono"],
  },
];

/**
 * What no short command may load: any `node:` built-in (a prefix), and
 * commander (which imports several).
 */
export const SHORT_PATH_FORBIDDEN: readonly string[] = [
  "node:",
  ...PARSER_ON_USE,
  // the copy engine: a no-op copy ends after copy_precheck.ts's two HEADs
  "src/ops/copy.ts",
  // the Go template engine: the default format (printPretty) needs none of it
  "src/template/template.ts",
  "src/template/parser.ts",
  "src/template/exec.ts",
  // the registry's blob requests, uploads, manifest pushes, deletes (regctl's
  // tag delete too), pulls with mirrors, and bodies read piece by piece
  "src/transport/registry/_blob_requests.ts",
  "src/transport/registry/_blob_writes.ts",
  "src/transport/registry/blob_upload.ts",
  "src/transport/registry/_manifest_put.ts",
  "src/transport/registry/_deletes.ts",
  "src/transport/registry/_delete_tag.ts",
  "src/transport/registry/_mirror_pulls.ts",
  "src/transport/registry/_body_pieces.ts",
  // registry auth (loaded at the first 401), the referrers API and fallback
  // tag, and credential helpers (loaded by a host or a docker credsStore that
  // names one)
  "src/config/cred_helper.ts",
  // config files that are absent on the measured machine: ocictl's and
  // docker's config parsers (and JSON error positions), docker's certificate
  // loader (after an empty listing), the credential lookup (asked at a 401),
  // host entries as written to a file, and the Deno seam's file write and
  // program run
  "src/config/ocictl_config.ts",
  "src/config/host_json.ts",
  "src/config/docker_config.ts",
  "src/config/config_file_error.ts",
  "src/config/_json_error.ts",
  "src/config/certs_dir.ts",
  "src/config/host_credentials.ts",
  "src/config/_deno_write_atomic.ts",
  "src/config/_deno_run.ts",
  "src/transport/registry/auth.ts",
  "src/transport/registry/www_authenticate.ts",
  "src/transport/registry/token_cache.ts",
  "src/transport/registry/_referrers.ts",
  // the registry fetch seam's rare paths: Deno's fetch with HTTP clients, tls
  // insecure, the proxy rules (loaded when a proxy variable is set), a host's
  // extra CAs, a content-encoded answer and the typed errors of failures
  "src/transport/registry/_native_fetch.ts",
  "src/transport/registry/_insecure_fetch.ts",
  "src/config/proxy_env.ts",
  "src/transport/registry/_pem.ts",
  "src/transport/registry/_content_coding.ts",
  "src/transport/registry/_tls_error.ts",
  "src/transport/registry/_https_only.ts",
  // an upload's source body, redirects, error answers and network failures
  "src/transport/registry/_wire_source.ts",
  "src/transport/registry/_redirect.ts",
  "src/transport/registry/local_address.ts",
  "src/transport/registry/error_response.ts",
  "src/transport/registry/_network_error.ts",
  // a layout's blob reads and writes, its hashing worker and referrers fallback tag
  "src/transport/ocidir/_blob_reads.ts",
  "src/transport/ocidir/_blob_writes.ts",
  "src/transport/ocidir/_hash_pool.ts",
  "src/transport/ocidir/_layout_referrers.ts",
];

/** A short command and every module it loads at run time. */
export interface ShortCommandCase {
  /** The command, as measured (`tag ls` on a registry). */
  command: string;
  /**
   * Modules loaded by the run, relative to the repository root: main.ts, the
   * plugin, and each module the run takes with `import()` (its static graph is
   * walked; an `import()` it takes must be listed too).
   */
  roots: string[];
}

/** The start of every command: the executable and its parser (`Command.parseAsync`). */
const START: readonly string[] = ["main.ts", "src/cli/fast_parse.ts"];
/** What the first registry call loads (`src/client.ts`, ConfiguredRegistryTransport). */
const REGISTRY: readonly string[] = [
  "src/config/resolve_hosts.ts",
  "src/config/deno_config_io.ts",
  "src/transport/registry/registry_transport.ts",
  "src/transport/registry/deno_fetch.ts",
];
/** What the first layout call loads (`src/client.ts`). */
const OCIDIR: readonly string[] = ["src/transport/ocidir/ocidir_transport.ts"];
/** What `image copy` loads before it copies (`plugins/image.ts` and its copy subcommand). */
const COPY: readonly string[] = [
  "plugins/image.ts",
  "plugins/image/copy.ts",
  "src/ops/copy_precheck.ts",
];
/** What `manifest head` loads: the verb and its head subcommand. */
const MANIFEST_HEAD: readonly string[] = ["plugins/manifest.ts", "plugins/manifest/head.ts"];

/** The short commands kept off the Node compatibility layer. */
export const SHORT_COMMANDS: readonly ShortCommandCase[] = [
  { command: "version", roots: [...START, "plugins/version.ts"] },
  { command: "manifest head (registry)", roots: [...START, ...MANIFEST_HEAD, ...REGISTRY] },
  {
    command: "tag ls (registry)",
    roots: [...START, "plugins/tag.ts", ...REGISTRY, "src/transport/registry/_listing.ts"],
  },
  { command: "image copy, no-op (registry)", roots: [...START, ...COPY, ...REGISTRY] },
  { command: "manifest head (ocidir)", roots: [...START, ...MANIFEST_HEAD, ...OCIDIR] },
  { command: "tag ls (ocidir)", roots: [...START, "plugins/tag.ts", ...OCIDIR] },
  { command: "image copy, no-op (ocidir)", roots: [...START, ...COPY, ...OCIDIR] },
];

/** One import of a module, as `deno info --json` lists it. */
export interface InfoDependency {
  /** As written in the module (`./core.js`, `commander`, `node:fs`). */
  specifier: string;
  /** What it resolves to. */
  code?: { specifier?: string };
  /** An `import()`. */
  isDynamic?: boolean;
}

/** What `deno info --json` prints: the module graph of a root. */
export interface InfoJson {
  /** The root's specifier. */
  roots: string[];
  /** Every module reached, static or `import()`ed, with its imports. */
  modules: { specifier: string; error?: string; dependencies?: InfoDependency[] }[];
  /** Specifiers that redirect to another. */
  redirects: Record<string, string>;
}

/**
 * Reads a module's graph with `deno info --json` (TypeScript or JavaScript,
 * minified or not).
 *
 * @param root module path, absolute or relative to `rootDir`
 * @param rootDir repository root (where deno.json is)
 * @returns the graph
 * @throws {Error} when `deno info` fails
 */
export async function denoInfo(root: string, rootDir: string): Promise<InfoJson> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", root],
    cwd: rootDir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`deno info ${root} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as InfoJson;
}

/** `npm:/name@1.2.3/path` or `npm:name@1.2.3` to `npm:name`. */
function _npmName(specifier: string): string {
  const rest = specifier.replace(/^npm:\/?/, "");
  const scoped = rest.startsWith("@");
  const parts = rest.split("/");
  const name = scoped ? `${parts[0]}/${parts[1] ?? ""}` : parts[0] ?? "";
  const at = name.lastIndexOf("@");
  return `npm:${at > 0 ? name.slice(0, at) : name}`;
}

/**
 * Lists the modules a module reaches through static, value-carrying imports
 * (what is evaluated when it is imported).
 *
 * @param root module path relative to `rootDir`
 * @param rootDir repository root (where deno.json is)
 * @returns repository-relative paths, `node:` modules and `npm:<name>` packages
 * @throws {Error} when `deno info` fails
 */
export async function staticImports(root: string, rootDir: string): Promise<string[]> {
  const info = await denoInfo(root, rootDir);
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const base = new URL(`file://${rootDir.endsWith("/") ? rootDir : rootDir + "/"}`).href;
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const s = stack.pop() ?? "";
    const spec = info.redirects[s] ?? s;
    if (seen.has(spec)) continue;
    seen.add(spec);
    if (spec.startsWith("npm:")) continue; // a package: its own imports are its business
    for (const d of bySpecifier.get(spec)?.dependencies ?? []) {
      if (d.isDynamic || d.code?.specifier === undefined) continue;
      stack.push(d.code.specifier);
    }
  }
  return [...seen].map((s) =>
    s.startsWith(base) ? s.slice(base.length) : s.startsWith("npm:") ? _npmName(s) : s
  ).sort();
}

/**
 * The modules of `reached` that a forbidden entry names: an exact module, or
 * everything under a prefix ending in `/` (a folder) or `:` (`node:`).
 *
 * @param reached modules, as {@link staticImports} lists them
 * @param forbidden the entry
 * @returns the matches
 */
function _matches(reached: readonly string[], forbidden: string): string[] {
  const prefix = forbidden.endsWith("/") || forbidden.endsWith(":");
  return reached.filter((m) => m === forbidden || (prefix && m.startsWith(forbidden)));
}

/**
 * Checks the static import graphs of {@link LEAN_GRAPHS}.
 *
 * @param rootDir repository root
 * @returns the problems found (empty when every graph is lean)
 * @throws {Error} when `deno info` fails
 */
export async function checkLeanGraphs(rootDir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const c of LEAN_GRAPHS) {
    const reached = await staticImports(c.root, rootDir);
    for (const f of c.forbidden) {
      const bad = _matches(reached, f).filter((m) => !(c.allowed ?? []).includes(m));
      if (bad.length > 0) {
        problems.push(
          `${c.root} statically imports ${bad.join(", ")}: load it with import() where it is used`,
        );
      }
    }
  }
  return problems;
}

/**
 * Checks that no module a short command loads at run time reaches one of
 * `forbidden` through static imports ({@link SHORT_COMMANDS}).
 *
 * @param rootDir repository root
 * @param commands the commands and the modules each loads
 * @param forbidden modules, folders (`…/`) or prefixes (`node:`) none may reach
 * @returns the problems found (empty when every short command is lean)
 * @throws {Error} when `deno info` fails (a root that does not exist)
 */
export async function checkShortCommands(
  rootDir: string,
  commands: readonly ShortCommandCase[] = SHORT_COMMANDS,
  forbidden: readonly string[] = SHORT_PATH_FORBIDDEN,
): Promise<string[]> {
  const problems: string[] = [];
  const graphs = new Map<string, string[]>();
  for (const c of commands) {
    for (const root of c.roots) {
      let reached = graphs.get(root);
      if (reached === undefined) {
        reached = await staticImports(root, rootDir);
        graphs.set(root, reached);
      }
      const bad = forbidden.flatMap((f) => _matches(reached, f));
      if (bad.length > 0) {
        problems.push(
          `"${c.command}" loads ${root}, which statically imports ${
            [...new Set(bad)].join(", ")
          }: load it with import() on the path that needs it`,
        );
      }
    }
  }
  return problems;
}

/**
 * The chunks of a bundle that hold a short command's modules: for each source
 * root, every chunk that holds that module's code (the chunk a run loads for
 * it, or a chunk that one imports), as {@link buildBundle} reports them.
 *
 * @param modules the bundle's chunks: path to the source modules it holds
 *   (`Bundle.modules`, repository-relative paths)
 * @param command the command and its source roots
 * @returns the chunk paths, and a problem for each root no chunk holds
 */
export function bundleRoots(
  modules: Readonly<Record<string, readonly string[]>>,
  command: ShortCommandCase,
): { roots: string[]; problems: string[] } {
  const roots: string[] = [];
  const problems: string[] = [];
  for (const root of command.roots) {
    const holding = Object.keys(modules).filter((c) => modules[c]!.includes(root));
    if (holding.length === 0) problems.push(`"${command.command}": no chunk holds ${root}`);
    roots.push(...holding);
  }
  return { roots, problems };
}

/**
 * Checks the JavaScript bundle the binary is compiled from
 * (`scripts/bundle.ts`, built here into a temporary directory, minified): no chunk a
 * short command loads may reach a `node:` built-in or commander through
 * static imports. A bundler that adds a Node shim (`createRequire`) to a
 * shared chunk fails here (`scripts/bundle_test.ts` checks that packages
 * stay imports).
 *
 * @param rootDir repository root
 * @param commands the commands and the source modules each loads
 * @returns the problems found (empty when every short command is lean)
 * @throws {Error} when the bundle cannot be built or `deno info` fails
 */
export async function checkBundle(
  rootDir: string,
  commands: readonly ShortCommandCase[] = SHORT_COMMANDS,
): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-check-bundle-" });
  try {
    const bundle = await buildBundle(dir);
    // the chunks a run loads (worker entries left out), minified as the binary holds them
    const chunks = Object.fromEntries(bundle.chunks.map((c) => [c, bundle.modules[c] ?? []]));
    const problems: string[] = [];
    const mapped: ShortCommandCase[] = [];
    for (const c of commands) {
      const m = bundleRoots(chunks, c);
      problems.push(...m.problems);
      mapped.push({ command: `${c.command}, bundled`, roots: m.roots });
    }
    problems.push(
      ...await checkShortCommands(rootDir, mapped, ["node:", ...PARSER_ON_USE]),
    );
    return problems;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Runs the steps.
 *
 * @returns the problems found (empty when the check holds)
 */
export async function checkStartup(): Promise<string[]> {
  const problems: string[] = [];
  for (const c of CASES) {
    const code = await runCli(c.argv, quietIo(), VERBS);
    const got = loadedPlugins();
    if (code !== 0) problems.push(`"${c.argv.join(" ")}" exited ${code}`);
    if (JSON.stringify(got) !== JSON.stringify(c.loaded)) {
      problems.push(
        `"${c.argv.join(" ")}" loaded [${got.join(", ")}], expected [${c.loaded.join(", ")}]`,
      );
    }
  }
  return problems;
}

/**
 * A command run through the stream probe; `LAYOUT` stands for a layout
 * holding `v1`, `NEW_LAYOUT` for a layout not made yet, `REGISTRY` for a
 * repository holding `v1` on a plain-http registry (the run gets a `--host`
 * flag for it).
 */
export interface NoStreamCase {
  /** Arguments (`LAYOUT`, `NEW_LAYOUT` and `REGISTRY` are replaced). */
  argv: string[];
  /** Runs first, untimed and unchecked (seeds a no-op copy's target). */
  before?: string[] | undefined;
}

/** The short commands that must not load Deno's web streams, fetch or `Headers`. */
export const NO_STREAM_COMMANDS: readonly NoStreamCase[] = [
  { argv: ["version"] },
  { argv: ["tag", "ls", "LAYOUT"] },
  { argv: ["manifest", "head", "LAYOUT:v1"] },
  {
    argv: ["image", "copy", "LAYOUT:v1", "LAYOUT:v2"],
    before: ["image", "copy", "LAYOUT:v1", "LAYOUT:v2"],
  },
  { argv: ["tag", "ls", "REGISTRY"] },
  { argv: ["manifest", "head", "REGISTRY:v1"] },
  {
    argv: ["image", "copy", "REGISTRY:v1", "REGISTRY:v2"],
    before: ["image", "copy", "REGISTRY:v1", "REGISTRY:v2"],
  },
  // a pull into a new layout: blobs from byte sources, the manifest,
  // index.json and oci-layout written from bytes
  { argv: ["image", "copy", "REGISTRY:v1", "NEW_LAYOUT:v1"] },
];

async function _probe(rootDir: string, argv: string[]): Promise<{ code: number; used: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...runArgs(`${rootDir}/scripts/_stream_probe.ts`), ...argv],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const line = new TextDecoder().decode(out.stderr).split("\n").findLast((l) =>
    l.startsWith("WEB_STREAMS ")
  );
  const used = line ? JSON.parse(line.slice("WEB_STREAMS ".length)) as string[] : ["(no report)"];
  return { code: out.code, used };
}

/**
 * Runs each command in a fresh process through `scripts/_stream_probe.ts`
 * (over a layout and a registry made here) and reports every use of Deno's
 * web streams, fetch or `Headers`.
 *
 * @param rootDir repository root
 * @param cases commands to run
 * @returns the problems found (empty when the check holds)
 */
export async function checkWebStreams(
  rootDir: string,
  cases: readonly NoStreamCase[] = NO_STREAM_COMMANDS,
): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-check-startup-" });
  const layout = `ocidir://${dir}/layout`;
  const server = await startRegistryServer({
    dir: `${dir}/registry`,
    hostname: "127.0.0.1",
    port: 0,
  });
  const registryHost = `127.0.0.1:${server.addr.port}`;
  const hostFlag = `reg=${registryHost},tls=disabled`;
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env: {}, hostFlags: [hostFlag] },
  });
  const problems: string[] = [];
  try {
    for (const ref of [`${layout}:v1`, `${registryHost}/app:v1`]) {
      await createImage(client, parseRef(ref), {
        platform: { os: "linux", architecture: "amd64" },
      });
    }
    const fill = (argv: string[]) => {
      const out = argv.map((a) =>
        a.replace("NEW_LAYOUT", `ocidir://${dir}/new-layout`).replace("LAYOUT", layout)
          .replace("REGISTRY", `${registryHost}/app`)
      );
      return argv.some((a) => a.startsWith("REGISTRY")) ? ["--host", hostFlag, ...out] : out;
    };
    for (const c of cases) {
      if (c.before) await _probe(rootDir, fill(c.before));
      const argv = fill(c.argv);
      const { code, used } = await _probe(rootDir, argv);
      const name = c.argv.join(" ");
      if (code !== 0) problems.push(`"${name}" exited ${code}`);
      if (used.length > 0) {
        problems.push(
          `"${name}" uses web streams, fetch, Headers or timers: ${used.join(", ")}`,
        );
      }
    }
  } finally {
    await client.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
  return problems;
}

if (import.meta.main) {
  const rootDir = new URL("..", import.meta.url).pathname;
  const problems = [
    ...await checkStartup(),
    ...await checkLeanGraphs(rootDir),
    ...await checkShortCommands(rootDir),
    ...await checkBundle(rootDir),
    ...await checkWebStreams(rootDir),
  ];
  for (const p of problems) console.error(`check_startup: ${p}`);
  if (problems.length === 0) console.log("check_startup: ok");
  Deno.exit(problems.length === 0 ? 0 : 1);
}
