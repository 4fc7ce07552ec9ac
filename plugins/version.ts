/**
 * `ocictl version`: the version block (regctl's fields).
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { formatPlatform } from "../src/types/platform.ts";
import type { CliContext } from "../src/cli/context.ts";
import { _tabwrite } from "../src/cli/_tabwriter.ts";
import { FORMAT_PRETTY, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import denoJson from "../deno.json" with { type: "json" };

markPluginLoaded("version");

/** The version information, with regctl's field names. */
export interface VersionInfo {
  /** Release tag, e.g. `v0.1.0`. */
  VCSTag: string;
  /** Git ref (the tag for releases). */
  VCSRef: string;
  /** Git commit, or `unknown`. */
  VCSCommit: string;
  /** `clean`, `dirty` or `unknown`. */
  VCSState: string;
  /** Commit date, or `unknown`. */
  VCSDate: string;
  /** Host platform. */
  Platform: string;
  /** Deno version. */
  DenoVer: string;
  /** V8 version. */
  V8Ver: string;
  /** TypeScript version. */
  TypeScriptVer: string;
}

/**
 * Collects the version information.
 *
 * @param ctx command context (host platform)
 * @returns the fields
 * @throws never
 */
export function versionInfo(ctx: CliContext): VersionInfo {
  const tag = `v${denoJson.version}`;
  return {
    VCSTag: tag,
    VCSRef: tag,
    VCSCommit: "unknown",
    VCSState: "unknown",
    VCSDate: "unknown",
    Platform: formatPlatform(ctx.platform),
    DenoVer: Deno.version.deno,
    V8Ver: Deno.version.v8,
    TypeScriptVer: Deno.version.typescript,
  };
}

/**
 * Builds the `version` verb.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("version")
    .description("Show the version")
    .option("--format <format>", "output format", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl version --format '{{json .}}'\n`)
    .action(async (opts) => {
      const info = versionInfo(ctx);
      const view = {
        ...info,
        toJSON: () => info,
        marshalPretty: () =>
          _tabwrite(Object.entries(info).map(([k, v]) => `${k}:\t${v}\n`).join("")),
      };
      await writeFormatted(ctx, view, opts.format);
    }) as unknown as CommandUnknownOpts;
}
