/**
 * Runs `ocictl` as a separate process (`deno run main.ts`), for drills that
 * need two processes or a `kill -9`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Path of main.ts. */
export const MAIN: string = fileURLToPath(new URL("../../main.ts", import.meta.url));

/**
 * Starts ocictl with piped output.
 *
 * @param args arguments after the program name
 * @param stdin bytes to write on stdin, if any
 * @param v8Flags V8 flags for the child (e.g. a heap bound)
 * @returns the child process
 */
export function spawnOcictl(args: string[], stdin?: Uint8Array, v8Flags = ""): Deno.ChildProcess {
  const flags = v8Flags === "" ? [] : [`--v8-flags=${v8Flags}`];
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...flags, MAIN, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    w.write(stdin).then(() => w.close()).catch(() => {});
  }
  return child;
}

/**
 * Runs ocictl to its end.
 *
 * @param args arguments after the program name
 * @param stdin bytes on stdin
 * @returns exit code and output as text
 */
export async function ocictl(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await spawnOcictl(args, stdin).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Starts `ocictl serve` as a process and waits for the address it prints.
 *
 * @param dir the served directory
 * @param port port to bind (0 picks one)
 * @param v8Flags V8 flags for the child
 * @param extra more `serve` flags
 * @returns the child, its base URL and port
 */
export async function startServeProcess(
  dir: string,
  port = 0,
  v8Flags = "",
  extra: string[] = [],
): Promise<{ child: Deno.ChildProcess; base: string; port: number }> {
  const child = spawnOcictl(
    ["serve", "--dir", dir, "--addr", `127.0.0.1:${port}`, ...extra],
    undefined,
    v8Flags,
  );
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("serve exited before printing its address");
    text += value;
  }
  reader.releaseLock();
  const base = text.trim();
  return { child, base, port: Number(/:(\d+)$/.exec(base)?.[1]) };
}
