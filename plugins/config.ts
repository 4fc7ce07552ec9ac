/**
 * `ocictl config`: show and change the global settings of ocictl's config
 * file (blob limit, default credential helper, docker files).
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { UsageError } from "../src/mod.ts";
import type { CliContext } from "../src/cli/context.ts";
import { FORMAT_PRETTY, type Formattable, writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import {
  configToJson,
  loadConfig,
  type OcictlConfig,
  redactConfig,
  saveConfig,
} from "../src/config/ocictl_config.ts";

markPluginLoaded("config");

/** The config as `config get` shows it: Go field names, secrets left out. */
export interface ConfigGetView extends Formattable {
  /** The config file. */
  Filename: string;
  /** File format version. */
  Version: number;
  /** Hosts by name (JSON shape). */
  Hosts: Record<string, unknown>;
  /** Template for other hosts (JSON shape), or undefined. */
  HostDefault: unknown;
  /** Largest chunk held in memory, 0 for the default. */
  BlobLimit: number;
  /** Whether docker's certificate directories are read. */
  IncDockerCert: boolean;
  /** Whether docker's credentials are imported. */
  IncDockerCred: boolean;
}

/**
 * Builds the `config get` view of a config.
 *
 * @param config the config as read
 * @returns the redacted view
 * @throws never
 */
export function configGetView(config: OcictlConfig): ConfigGetView {
  const red = redactConfig(config);
  const text = configToJson(red);
  const json = JSON.parse(text) as { hosts: Record<string, unknown>; hostDefault?: unknown };
  return {
    Filename: config.filename,
    Version: config.version ?? 0,
    Hosts: json.hosts,
    HostDefault: json.hostDefault,
    BlobLimit: config.blobLimit ?? 0,
    IncDockerCert: config.incDockerCert ?? true,
    IncDockerCred: config.incDockerCred ?? true,
    marshalPretty: () => text,
    toJSON: () => json,
  };
}

function _bool(value: string | boolean, flag: string): boolean {
  if (typeof value === "boolean") return value;
  const v = value.toLowerCase();
  if (["true", "1", "t", "yes"].includes(v)) return true;
  if (["false", "0", "f", "no"].includes(v)) return false;
  throw new UsageError(`Cannot use ${flag} "${value}": expected true or false`);
}

/**
 * Builds the `config` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const config = new Command("config").description("Show and change ocictl's configuration");

  config.command("get")
    .description("Show the configuration (passwords and tokens left out)")
    .option("--format <format>", "output format ({{.Filename}} is the file)", FORMAT_PRETTY)
    .addHelpText("after", `\nExample:\n  ocictl config get --format '{{.Filename}}'\n`)
    .action(async (opts) => {
      await writeFormatted(ctx, configGetView(await loadConfig(ctx.configIo)), opts.format);
    });

  config.command("set")
    .description("Change global settings (only the flags given change)")
    .option("--blob-limit <bytes>", "largest chunk held in memory (0 for the default)")
    .option(
      "--default-cred-helper <name>",
      "credential helper for hosts not configured (empty to remove)",
    )
    .option("--docker-cert [bool]", "read /etc/docker/certs.d (false to stop)")
    .option("--docker-cred [bool]", "import docker's credentials (false to stop)")
    .addHelpText("after", `\nExample:\n  ocictl config set --docker-cred=false\n`)
    .action(async (opts) => {
      const current = await loadConfig(ctx.configIo);
      const next: OcictlConfig = { ...current };
      if (opts.blobLimit !== undefined) {
        const n = Number(opts.blobLimit);
        if (!/^\d+$/.test(opts.blobLimit) || !Number.isSafeInteger(n)) {
          throw new UsageError(
            `Cannot use --blob-limit "${opts.blobLimit}": expected a non-negative integer`,
          );
        }
        next.blobLimit = n === 0 ? undefined : n;
      }
      if (opts.defaultCredHelper !== undefined) {
        const hd = { ...current.hostDefault };
        if (opts.defaultCredHelper === "") delete hd.credHelper;
        else hd.credHelper = opts.defaultCredHelper;
        next.hostDefault = Object.values(hd).some((v) => v !== undefined) ? hd : undefined;
      }
      if (opts.dockerCert !== undefined) {
        next.incDockerCert = _bool(opts.dockerCert, "--docker-cert") ? undefined : false;
      }
      if (opts.dockerCred !== undefined) {
        next.incDockerCred = _bool(opts.dockerCred, "--docker-cred") ? undefined : false;
      }
      await saveConfig(ctx.configIo, next);
    });

  return config as unknown as CommandUnknownOpts;
}
