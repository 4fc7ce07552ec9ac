// deno-lint-ignore-file no-console
/**
 * Builds the single `ocictl` executable with `deno compile`.
 *
 * `deno task compile` builds for this machine into `./ocictl`;
 * `deno task compile --all` builds every release target into `dist/`.
 * `deno compile` downloads its base runtime, so it needs network access to
 * Deno's release host (not available on the project's build machines).
 *
 * @module
 */

/** Release targets: Linux x64/arm64, macOS x64/arm64, Windows x64. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** Permissions baked into the binary (it is a registry client and server). */
export const PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
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

/**
 * Modules loaded only as workers, which `deno compile` does not find by
 * itself: the ocidir hashing worker.
 */
export const WORKER_MODULES = ["src/transport/ocidir/hash_worker.ts"];

/**
 * Builds the `deno compile` argument list for one target.
 *
 * @param target a Rust target triple, or undefined for the host
 * @returns the arguments after `deno`
 */
export function compileArgs(target: string | undefined): string[] {
  const out = target
    ? `dist/ocictl-${target}${target.includes("windows") ? ".exe" : ""}`
    : "ocictl";
  return [
    "compile",
    "--frozen",
    ...PERMISSIONS,
    `--v8-flags=${V8_FLAGS}`,
    "--no-check",
    ...WORKER_MODULES.flatMap((m) => ["--include", m]),
    ...(target ? ["--target", target] : []),
    "--output",
    out,
    "main.ts",
  ];
}

if (import.meta.main) {
  const targets = Deno.args.includes("--all") ? [...TARGETS] : [undefined];
  for (const target of targets) {
    const args = compileArgs(target);
    console.error(`deno ${args.join(" ")}`);
    const { code } = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "inherit",
      stderr: "inherit",
    })
      .output();
    if (code !== 0) Deno.exit(code);
  }
}
