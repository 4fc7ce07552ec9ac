// deno-lint-ignore-file no-console
/**
 * Startup check: root `--help` imports no verb module, and `tag ls --help`
 * imports only `plugins/tag.ts`. Each verb module records itself in the
 * plugin registry when imported; this script runs the CLI in-process in a
 * fresh process and compares the registry before and after.
 *
 * Run: `deno run -A scripts/check_startup.ts` (exit 0 when the check holds).
 *
 * @module
 */
import { createTransportFactory } from "../src/client.ts";
import { loadedPlugins } from "../src/cli/plugin_registry.ts";
import { runCli } from "../src/cli/run.ts";
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
];

/**
 * Runs the steps.
 *
 * @returns the problems found (empty when the check holds)
 */
export async function checkStartup(): Promise<string[]> {
  const problems: string[] = [];
  const sink = () => new WritableStream<Uint8Array>();
  for (const c of CASES) {
    const code = await runCli(c.argv, {
      stdout: sink(),
      stderr: sink(),
      stdin: ReadableStream.from<Uint8Array>([]),
      env: {},
      signal: new AbortController().signal,
      isTerminal: { stdin: false, stdout: false, stderr: false },
      transports: createTransportFactory(),
      platform: { os: "linux", architecture: "amd64" },
    }, VERBS);
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

if (import.meta.main) {
  const problems = await checkStartup();
  for (const p of problems) console.error(`check_startup: ${p}`);
  if (problems.length === 0) console.log("check_startup: ok");
  Deno.exit(problems.length === 0 ? 0 : 1);
}
