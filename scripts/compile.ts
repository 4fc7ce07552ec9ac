// deno-lint-ignore-file no-console
/**
 * Builds the single `ocictl` executable with `deno compile`, from the
 * JavaScript bundle of main.ts (`scripts/bundle.ts`, written to
 * `dist/bundle/`): the chunks load faster than the TypeScript modules.
 *
 * `deno task compile` builds for this machine into `./ocictl`;
 * `deno task compile --all` builds every release target into `dist/`.
 * `deno compile` downloads its base runtime, so it needs network access to
 * Deno's release host (not available on the project's build machines).
 *
 * @module
 */

import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, BUNDLE_DIR, bundledName, WORKER_MODULES } from "./bundle.ts";

/** Release targets: Linux x64/arm64, macOS x64/arm64, Windows x64. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/**
 * Permissions baked into the binary (it is a registry client and server;
 * `serve` tunes glibc's allocator through FFI).
 */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
  // glibc's mallopt for `serve` (src/serve/allocator_tuning.ts)
  "--allow-ffi",
];

/**
 * V8 settings baked into the binary:
 *
 * - `--max-semi-space-size=1`: a 1 MiB young generation, so the buffers a
 *   stream leaves behind are collected as it goes (a 1 GiB layer read by
 *   `get-file` peaks near 100 MiB instead of 200 MiB, and runs faster).
 *   `image mod` also collects on its own while it rewrites a layer; there the
 *   flag takes a 1 GiB `--layer-time` from about 114 to 97 MiB
 *   (`deno task bench mod_rss`).
 * - `--no-lazy`: every function of a module is compiled with the module, so
 *   the code cache Deno writes right after compiling a module (before it
 *   runs) holds them all. Without it, V8 compiles each function on its first
 *   call, on every run: about 190 of ours and 130 of Deno's web stream and
 *   fetch code for a `tag ls` on a registry (V8's `--log-function-events`).
 *   Measured with a code cache, each flag set in its own `DENO_DIR`:
 *   `tag ls` on a registry 3.5–3.6 ms and a no-op `image copy` 4.6–10 ms
 *   faster; a run without a code cache (the binary's first) 3–7 ms slower;
 *   a 4×64 MiB pull the same, with 4–5 MiB more peak RSS.
 */
export const V8_FLAGS = "--max-semi-space-size=1,--no-lazy";

/** Repository root. */
const _ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * The `deno run` arguments that run a module the way the binary runs its
 * code: every permission, modules behind `import()` loaded when the import
 * runs (`--unstable-lazy-dynamic-imports`; the binary's graph is built at
 * compile time, so it never walks them at start), packages resolved through
 * deno.json, and the binary's V8 flags ({@link V8_FLAGS}). The lazy-import
 * flag is not in deno.json because `deno compile` would honour it too and
 * leave the lazily loaded modules out of the binary.
 *
 * @param entry the module to run (the bundle's `main.js`, or main.ts)
 * @returns the arguments after `deno`, up to the command line
 */
export function runArgs(entry: string): string[] {
  return [
    "run",
    "-A",
    "--quiet",
    "--unstable-lazy-dynamic-imports",
    `--config=${join(_ROOT, "deno.json")}`,
    `--v8-flags=${V8_FLAGS}`,
    entry,
  ];
}

/**
 * Builds the `deno compile` argument list for one target: the bundle's entry,
 * with each worker entry and each chunk included. `deno compile` finds no
 * worker, and with `lazy-dynamic-imports` (set in `deno.json`, so a plain
 * `deno run main.ts` loads a verb only when it runs) it does not follow
 * `import()` either: every chunk is named, so the binary holds them all.
 *
 * @param target a Rust target triple, or undefined for the host
 * @param chunks the bundle's chunk files, relative to {@link BUNDLE_DIR}
 * @returns the arguments after `deno`
 */
export function compileArgs(target: string | undefined, chunks: readonly string[] = []): string[] {
  const out = target
    ? `dist/ocictl-${target}${target.includes("windows") ? ".exe" : ""}`
    : "ocictl";
  return [
    "compile",
    "--frozen",
    ...PERMISSIONS,
    `--v8-flags=${V8_FLAGS}`,
    "--no-check",
    ...[...new Set([...WORKER_MODULES.map(bundledName), ...chunks])]
      .filter((f) => f !== "main.js")
      .flatMap((f) => ["--include", `${BUNDLE_DIR}/${f}`]),
    ...(target ? ["--target", target] : []),
    "--output",
    out,
    `${BUNDLE_DIR}/main.js`,
  ];
}

if (import.meta.main) {
  const bundle = await buildBundle(BUNDLE_DIR);
  const chunks = bundle.chunks.map((c) => relative(bundle.dir, c));
  const targets = Deno.args.includes("--all") ? [...TARGETS] : [undefined];
  for (const target of targets) {
    const args = compileArgs(target, chunks);
    console.error(`deno ${args.join(" ")}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: _ROOT,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    if (code !== 0) Deno.exit(code);
  }
}
