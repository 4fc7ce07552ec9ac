/**
 * Runs `main.ts` as a real process and sends it a signal once its stderr
 * shows a marker: how server verbs (`bot server`, `sync server`, `serve`)
 * are tested for a clean stop on SIGTERM and SIGINT.
 *
 * @module
 */

/** What {@link runUntilSignal} saw. */
export interface SignalledRun {
  /** The process's exit code. */
  code: number;
  /** All it wrote to stderr. */
  stderr: string;
  /** Milliseconds from the signal to the exit. */
  msAfterSignal: number;
  /** Whether the marker was seen (false: the signal was sent at the deadline). */
  sawMarker: boolean;
}

/**
 * Starts `deno run -A main.ts ARGS`, sends `signal` when stderr contains
 * `marker` (or after `timeoutMs`), and waits for the exit.
 *
 * @param args ocictl's arguments
 * @param options environment, marker, signal, deadline
 * @returns exit code, stderr and the time the stop took
 */
export async function runUntilSignal(
  args: string[],
  options: {
    env: Record<string, string>;
    marker: string;
    signal: Deno.Signal;
    timeoutMs?: number;
  },
): Promise<SignalledRun> {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", main, ...args],
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let sentAt: number | undefined;
  const send = () => {
    if (sentAt !== undefined) return;
    sentAt = Date.now();
    child.kill(options.signal);
  };
  const guard = setTimeout(send, options.timeoutMs ?? 30_000);
  let stderr = "";
  let sawMarker = false;
  try {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderr += chunk;
      if (!sawMarker && stderr.includes(options.marker)) {
        sawMarker = true;
        send();
      }
    }
  } finally {
    clearTimeout(guard);
  }
  const status = await child.status;
  return {
    code: status.code,
    stderr,
    msAfterSignal: Date.now() - (sentAt ?? Date.now()),
    sawMarker,
  };
}
