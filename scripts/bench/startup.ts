/**
 * Benchmark: start-up of the short commands against the floor, a `deno run`
 * of an empty module. Each command runs as a fresh process, the way a CI
 * loop calls it: `version`, `manifest head`, `tag ls` and a no-op
 * `image copy` (the target already has the image) on `ocictl serve` over
 * loopback, and `manifest head` and `tag ls` on an OCI layout. Rounds
 * alternate between the floor and each command so that load spreads evenly;
 * the figure is the median wall time. Target: within 25 ms of the floor.
 *
 * The target rows run ocictl as the `deno compile` binary runs it
 * ({@link asCompiled}): the JavaScript bundle the binary is compiled from,
 * with `deno run --unstable-lazy-dynamic-imports` and the binary's V8 flags.
 * Modules behind `import()` are loaded when the import runs, as in the binary
 * (its module graph is built at compile time), and `--no-lazy` puts every
 * function of a module in its code cache. The "source" column, with the same
 * V8 flags, shows what the bundle saves: main.ts run the same way (TypeScript
 * modules through Deno's transpile cache). A plain `deno run main.ts` loads
 * modules behind `import()` on use too (`deno.json` sets
 * `lazy-dynamic-imports`). The floor is a plain `deno run` of an empty
 * module, without flags.
 *
 * Two more figures tell the machine apart from ocictl. The bare row runs
 * `bare_head.ts` (one `HEAD` over `Deno.connect`, none of ocictl's code)
 * with the binary's V8 flags beside `manifest head`: what any Deno client
 * pays for a registry command there. The machine line times the first touch
 * of 64 MiB of new memory, per 4 KiB page: a guest whose page faults are
 * slow (10 µs a page measured on one, against well under 1 µs on bare
 * metal) starts every process several times slower, the floor included.
 *
 * Run alone: `deno run -A scripts/bench/startup.ts [--quick]`.
 *
 * @module
 */
import { Client, createTransportFactory } from "../../src/client.ts";
import { createImage } from "../../src/ops/image_create.ts";
import { parseRef } from "../../src/types/ref.ts";
import { runArgs, V8_FLAGS } from "../compile.ts";
import {
  asCompiled,
  fmtNum,
  MAIN_TS,
  median,
  type Metric,
  MIB,
  say,
  startOcictlServe,
} from "./_common.ts";

/** Options of {@link benchStartup}. */
export interface StartupOptions {
  /** Timed runs of each command. @default 20 */
  runs?: number | undefined;
}

/** Target: milliseconds over the floor. */
export const STARTUP_TARGET_MS = 25;

/** The bare registry command, `bare_head.ts`. */
const _BARE_HEAD = new URL("./bare_head.ts", import.meta.url).pathname;

/**
 * Times the first touch of new memory: microseconds per 4 KiB page of a
 * fresh 64 MiB buffer (each page faulted in and zeroed by the kernel).
 *
 * @returns the median of 3 tries, in µs per page
 */
export function pageFaultMicros(): number {
  const page = 4096;
  const size = 64 * MIB;
  const tries: number[] = [];
  for (let t = 0; t < 3; t++) {
    const t0 = performance.now();
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i += page) b[i] = 1;
    tries.push(((performance.now() - t0) * 1000) / (size / page));
  }
  return median(tries);
}

async function _wallMs(args: readonly string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(
      `"${args.slice(4).join(" ")}" exited ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return ms;
}

/**
 * Runs the benchmark.
 *
 * @param options timed runs per command
 * @returns one metric per command: median ms, with the floor as the peer
 * @throws {Error} when a command fails
 */
export async function benchStartup(options: StartupOptions = {}): Promise<Metric[]> {
  const runs = options.runs ?? 20;
  const serve = await startOcictlServe();
  const dir = await Deno.makeTempDir({ prefix: "ocictl-bench-startup-" });
  const env = { OCICTL_CONFIG: `${dir}/config.json`, NO_COLOR: "1" };
  const reg = serve.host;
  const client = new Client({
    transports: createTransportFactory(),
    settings: { env, hostFlags: [`reg=${reg},tls=disabled`] },
  });
  try {
    await Deno.writeTextFile(`${dir}/empty.ts`, "");
    await createImage(client, parseRef(`${reg}/bench/app:v1`), {
      platform: { os: "linux", architecture: "amd64" },
    });
    const layout = `ocidir://${dir}/layout`;
    const run = [...(await asCompiled())];
    // The same V8 flags as the lazy rows: a code cache written under other
    // flags is rejected, so alternating flag sets would recompile every run.
    const source = runArgs(MAIN_TS);
    const host = ["--host", `reg=${reg},tls=disabled`];
    const cases: [string, string[]][] = [
      ["version", ["version"]],
      ["manifest head (registry)", [...host, "manifest", "head", `${reg}/bench/app:v1`]],
      ["tag ls (registry)", [...host, "tag", "ls", `${reg}/bench/app`]],
      ["image copy no-op (registry)", [
        ...host,
        "image",
        "copy",
        `${reg}/bench/app:v1`,
        `${reg}/bench/app:v2`,
      ]],
      ["manifest head (ocidir)", ["manifest", "head", `${layout}:v1`]],
      ["tag ls (ocidir)", ["tag", "ls", layout]],
    ];
    // No deno.json: bare_head.ts imports nothing, and the binary reads none.
    const bare = [
      "run",
      "-A",
      "--quiet",
      "--no-config",
      `--v8-flags=${V8_FLAGS}`,
      _BARE_HEAD,
      `${reg}/bench/app:v1`,
    ];
    // Seeds the layout and the no-op copy's target, and warms Deno's caches.
    await _wallMs([...run, ...host, "image", "copy", `${reg}/bench/app:v1`, `${layout}:v1`], env);
    for (const [, args] of cases) {
      for (const how of [run, source]) await _wallMs([...how, ...args], env);
    }
    await _wallMs(bare, env);
    const floor: number[] = [];
    const bareTimes: number[] = [];
    const times = cases.map((): number[] => []);
    const sourceTimes = cases.map((): number[] => []);
    for (let r = 0; r < runs; r++) {
      floor.push(await _wallMs(["run", "-A", "--quiet", `${dir}/empty.ts`], env));
      bareTimes.push(await _wallMs(bare, env));
      for (const [i, [, args]] of cases.entries()) {
        times[i]!.push(await _wallMs([...run, ...args], env));
        sourceTimes[i]!.push(await _wallMs([...source, ...args], env));
      }
    }
    const base = median(floor);
    const bareMs = median(bareTimes);
    const faultUs = pageFaultMicros();
    say(
      `startup: median of ${runs} fresh processes each (ms), floor = deno run of an empty module`,
    );
    say(
      `  machine: ${fmtNum(faultUs, 2)} µs per first touch of a 4 KiB page ` +
        "(64 MiB of new memory; slow page faults slow every start, the floor's too)",
    );
    say(
      `  floor ${fmtNum(base, 1)}; bundle = as compiled (the binary's JavaScript, ` +
        "import() loaded on use); source = main.ts loaded the same way",
    );
    say(
      `  bare manifest head (registry) ${fmtNum(bareMs, 1)} (+${fmtNum(bareMs - base, 1)}): ` +
        "one HEAD over Deno.connect, none of ocictl's code (bare_head.ts)",
    );
    const rows: Metric[] = [];
    for (const [i, [name]] of cases.entries()) {
      const ms = median(times[i]!);
      const sourceMs = median(sourceTimes[i]!);
      say(
        `  ${name.padEnd(28)} bundle ${fmtNum(ms, 1)} (+${fmtNum(ms - base, 1)})` +
          `  source ${fmtNum(sourceMs, 1)} (+${fmtNum(sourceMs - base, 1)})`,
      );
      rows.push({
        name: `start-up ${name} (ms)`,
        ocictl: ms,
        peer: base,
        better: "lower",
        target: `<= floor + ${STARTUP_TARGET_MS} ms`,
        ok: ms - base <= STARTUP_TARGET_MS,
      });
    }
    rows.push({
      name: "start-up bare manifest head (registry) (ms)",
      ocictl: bareMs,
      peer: base,
      better: "lower",
      target: "-",
    });
    for (const [i, [name]] of cases.entries()) {
      rows.push({
        name: `start-up ${name}, source (ms)`,
        ocictl: median(sourceTimes[i]!),
        peer: base,
        better: "lower",
        target: "-",
      });
    }
    return rows;
  } finally {
    await client.close();
    await serve.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  for (const m of await benchStartup(quick ? { runs: 3 } : {})) {
    say(`${m.name}: ${fmtNum(m.ocictl, 1)} (floor ${fmtNum(m.peer, 1)})`);
  }
}
