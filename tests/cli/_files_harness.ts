/**
 * Runs the CLI in-process with the file-level commands mounted under their
 * verbs (`image`, `blob`, `manifest`), whether or not the verb plugins have
 * wired them yet, plus every other verb of the manifest.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from "../../src/cli/command.ts";
import { createTransportFactory } from "../../src/client.ts";
import type { CliContext } from "../../src/cli/context.ts";
import {
  createBlobDiffConfigCommand,
  createBlobDiffLayerCommand,
  createBlobGetFileCommand,
} from "../../plugins/blob.ts";
import { createImageCheckBaseCommand } from "../../plugins/image/check_base.ts";
import { createImageExportCommand } from "../../plugins/image/export.ts";
import { createImageExportFsCommand } from "../../plugins/image/export_fs.ts";
import { createImageGetFileCommand } from "../../plugins/image/get_file.ts";
import { createImageImportCommand } from "../../plugins/image/import.ts";
import { createManifestDiffCommand } from "../../plugins/manifest/diff.ts";
import { runCli as run, type VerbEntry } from "../../src/cli/run.ts";
import { VERBS } from "../../plugins/mod.ts";
import type { RunCliResult } from "../cli_harness.ts";

function _verb(name: string, make: ((ctx: CliContext) => CommandUnknownOpts)[]): VerbEntry {
  return {
    name,
    summary: name,
    aliases: [],
    load: () =>
      Promise.resolve({
        createCommand(ctx: CliContext): CommandUnknownOpts {
          const cmd = new Command(name) as unknown as CommandUnknownOpts;
          for (const m of make) cmd.addCommand(m(ctx));
          return cmd;
        },
      }),
  };
}

/** The file-level verbs only. */
const FILE_VERBS: readonly VerbEntry[] = [
  _verb("image", [
    createImageExportCommand,
    createImageImportCommand,
    createImageGetFileCommand,
    createImageExportFsCommand,
    createImageCheckBaseCommand,
  ]),
  _verb("blob", [
    createBlobGetFileCommand,
    createBlobDiffConfigCommand,
    createBlobDiffLayerCommand,
  ]),
  _verb("manifest", [createManifestDiffCommand]),
];

/**
 * Runs ocictl in-process with the file-level commands (`image copy` and the
 * other verbs come from the real manifest when `full` is set).
 *
 * @param argv arguments after the program name
 * @param full use the real verb manifest instead of the file-level verbs
 * @returns exit code and captured output
 */
export async function runFiles(argv: readonly string[], full = false): Promise<RunCliResult> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const sink = (list: Uint8Array[]) =>
    new WritableStream<Uint8Array>({
      write(chunk) {
        list.push(chunk.slice());
      },
    });
  const code = await run(argv, {
    stdout: sink(out),
    stderr: sink(err),
    stdin: ReadableStream.from([]),
    env: {},
    signal: new AbortController().signal,
    isTerminal: { stdin: false, stdout: false, stderr: false },
    transports: createTransportFactory(),
    platform: { os: "linux", architecture: "amd64" },
  }, full ? VERBS : FILE_VERBS);
  const join = (list: Uint8Array[]) => {
    const bytes = new Uint8Array(list.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of list) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return bytes;
  };
  const stdoutBytes = join(out);
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdoutBytes), stdoutBytes, stderr: dec.decode(join(err)) };
}
