/**
 * `ocictl registry`: log in and out of registries, change their settings,
 * show the settings in force and who is logged in.
 *
 * @module
 */
import { Command, Option } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { ConfigError, NotFoundError, type Ref, UsageError } from "../src/mod.ts";
import type { CliContext } from "../src/cli/context.ts";
import { type Formattable, writeFormatted } from "../src/cli/output.ts";
import { collectValue } from "../src/cli/arguments.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { type ConfigHost, parseTlsMode } from "../src/config/config_host.ts";
import { hostToJson } from "../src/config/host_json.ts";
import { showHost } from "../src/config/host_shown.ts";
import { normaliseHostName } from "../src/config/host_name.ts";
import {
  loadConfig,
  redactHost,
  removeHostCredentials,
  saveConfig,
  setHost,
} from "../src/config/ocictl_config.ts";
import { type ResolvedHosts, resolveHosts } from "../src/config/resolve_hosts.ts";
import { readCapped } from "../src/read_capped.ts";
import { parseRegistry } from "../src/types/ref.ts";

markPluginLoaded("registry");

/** The user name that makes `registry login` store the password as a token. */
export const TOKEN_USER = "<token>";
/** Largest password read from stdin. */
const PASS_STDIN_LIMIT = 1024 * 1024;

/** A registry argument: what was typed and the registry name. */
export interface RegistryArg {
  /** As typed (an `http://` prefix disables TLS for a new host). */
  input: string;
  /** Normalised registry name (`docker.io` for Hub aliases). */
  name: string;
}

/**
 * Parses a registry argument (`host[:port]`, optionally `http://` or
 * `https://`); Docker Hub by default.
 *
 * @param value the argument, or undefined
 * @returns the input and the registry name
 * @throws {UsageError} for a name with a repository path
 * @throws {InvalidReferenceError} for a name that is not a host
 */
export function registryArg(value: string | undefined): RegistryArg {
  const input = value ?? "docker.io";
  const n = normaliseHostName(input);
  if (n.hasPath) {
    throw new UsageError(
      `Cannot use registry "${input}": give a registry name without a repository path`,
    );
  }
  return { input, name: parseRegistry(n.name) };
}

/**
 * A reference to a registry itself (no repository), for `ping` and `repo ls`.
 *
 * @param registry registry name
 * @returns the reference
 */
export function registryRef(registry: string): Ref {
  return { scheme: "reg", registry, repository: "", path: "", tag: "", digest: "" };
}

/**
 * Checks that the registry answers `GET /v2/` with the configuration now on
 * disk (the client resolves it on first use). Transports without `ping`
 * (injected by tests) are skipped.
 *
 * @param ctx command context
 * @param registry registry name
 * @returns nothing
 * @throws {RegistryError} when the registry does not answer 200
 */
export async function pingRegistry(ctx: CliContext, registry: string): Promise<void> {
  const ref = registryRef(registry);
  const t = ctx.client.transport(ref) as {
    ping?: (r: Ref, o?: { signal?: AbortSignal }) => Promise<void>;
  };
  if (typeof t.ping !== "function") {
    ctx.logger.debug("transport cannot ping; check skipped", { registry });
    return;
  }
  await t.ping(ref, { signal: ctx.signal });
}

/**
 * Resolves the hosts and credentials in force for this run (config files
 * and `--host`).
 *
 * @param ctx command context
 * @returns the resolved hosts
 * @throws {UsageError} for a bad `--host`
 * @throws {ConfigError} for a malformed config file
 */
export function resolveForCli(ctx: CliContext): Promise<ResolvedHosts> {
  return resolveHosts(ctx.configIo, {
    flags: ctx.hostFlags,
    warn: (msg, data) => ctx.logger.warn(msg, data),
  });
}

function _bool(value: string | boolean | undefined, flag: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  const v = value.toLowerCase();
  if (["true", "1", "t", "yes"].includes(v)) return true;
  if (["false", "0", "f", "no"].includes(v)) return false;
  throw new UsageError(`Cannot use ${flag} "${value}": expected true or false`);
}

function _int(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`Cannot use ${flag} "${value}": expected an integer of ${min} or more`);
  }
  return n;
}

function _trimLineEnd(text: string): string {
  return text.replace(/\r?\n$/, "");
}

async function _readStdinPass(ctx: CliContext): Promise<string> {
  const bytes = await readCapped(ctx.stdin, PASS_STDIN_LIMIT, "password from stdin");
  return _trimLineEnd(new TextDecoder().decode(bytes));
}

/**
 * Options of `registry set` as commander gives them (unparsed strings); an
 * absent field leaves the setting alone, `""` unsets it.
 */
export interface SetOpts {
  /** `--tls`: `enabled`, `insecure` or `disabled`. */
  tls?: string;
  /** `--cacert`: CA certificate(s), PEM content. */
  cacert?: string;
  /** `--client-cert`: client certificate, PEM content. */
  clientCert?: string;
  /** `--client-key`: client key, PEM content. */
  clientKey?: string;
  /** `--hostname`: the `host[:port]` actually contacted. */
  hostname?: string;
  /** `--path-prefix`: path inserted after `/v2/`. */
  pathPrefix?: string;
  /** `--mirror`, repeatable: mirror registries (`""` entries are dropped). */
  mirror?: string[];
  /** `--priority`: mirror priority, an integer of 0 or more. */
  priority?: string;
  /** `--repo-auth [bool]`: a separate token per repository (`true` when given bare). */
  repoAuth?: string | boolean;
  /** `--req-concurrent`: concurrent requests, an integer of 0 or more. */
  reqConcurrent?: string;
  /** `--req-per-sec`: requests per second, 0 for no limit. */
  reqPerSec?: string;
  /** `--blob-chunk`: chunk size of chunked uploads in bytes. */
  blobChunk?: string;
  /** `--blob-max`: size above which uploads are chunked, -1 for never. */
  blobMax?: string;
  /** `--api-opts`, repeatable: `key=value` API options. */
  apiOpts?: string[];
  /** `--cred-helper`: credential helper name (`docker-credential-…`). */
  credHelper?: string;
}

/**
 * Turns the `registry set` flags that were given into config changes.
 *
 * @param opts parsed flags
 * @returns the fields to set (`""` unsets a string field)
 * @throws {UsageError} for a bad value
 */
export function setChanges(opts: SetOpts): ConfigHost {
  const c: ConfigHost = {};
  const str = (v: string | undefined): string | undefined => (v === "" ? undefined : v);
  if (opts.tls !== undefined) {
    try {
      c.tls = parseTlsMode(opts.tls, "--tls");
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
      throw err;
    }
  }
  if (opts.cacert !== undefined) c.regcert = str(opts.cacert);
  if (opts.clientCert !== undefined) c.clientCert = str(opts.clientCert);
  if (opts.clientKey !== undefined) c.clientKey = str(opts.clientKey);
  if (opts.hostname !== undefined) c.hostname = str(opts.hostname);
  if (opts.pathPrefix !== undefined) c.pathPrefix = str(opts.pathPrefix);
  if (opts.credHelper !== undefined) c.credHelper = str(opts.credHelper);
  if (opts.mirror !== undefined) {
    const m = opts.mirror.filter((x) => x !== "");
    c.mirrors = m.length > 0 ? m : undefined;
  }
  if (opts.priority !== undefined) c.priority = _int(opts.priority, "--priority", 0);
  if (opts.repoAuth !== undefined) c.repoAuth = _bool(opts.repoAuth, "--repo-auth") || undefined;
  if (opts.reqConcurrent !== undefined) {
    c.reqConcurrent = _int(opts.reqConcurrent, "--req-concurrent", 0);
  }
  if (opts.reqPerSec !== undefined) {
    const n = Number(opts.reqPerSec);
    if (opts.reqPerSec.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new UsageError(
        `Cannot use --req-per-sec "${opts.reqPerSec}": expected a number of 0 or more`,
      );
    }
    c.reqPerSec = n;
  }
  if (opts.blobChunk !== undefined) c.blobChunk = _int(opts.blobChunk, "--blob-chunk", 0);
  if (opts.blobMax !== undefined) c.blobMax = _int(opts.blobMax, "--blob-max", -1);
  if (opts.apiOpts !== undefined) {
    const api: Record<string, string> = {};
    for (const kv of opts.apiOpts) {
      const eq = kv.indexOf("=");
      if (eq <= 0) {
        throw new UsageError(`Cannot use --api-opts "${kv}": expected key=value`);
      }
      api[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    c.apiOpts = api;
  }
  return c;
}

/** Template data with a fixed JSON form. */
function _view(
  fields: Record<string, unknown>,
  json: unknown,
): Formattable & Record<string, unknown> {
  return {
    ...fields,
    marshalPretty: () => JSON.stringify(json, null, 2) + "\n",
    toJSON: () => json,
  };
}

/** regctl's whole-config shape over the hosts in force (secrets left out). */
function _configView(resolved: ResolvedHosts): Formattable & Record<string, unknown> {
  const c = resolved.config;
  const hosts: Record<string, unknown> = {};
  const hostFields: Record<string, unknown> = {};
  for (const h of [...resolved.entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const shown = showHost(h);
    hosts[h.name] = shown.json;
    hostFields[h.name] = shown.fields;
  }
  const json: Record<string, unknown> = {};
  if (c.version) json.version = c.version;
  json.hosts = hosts;
  if (c.hostDefault) json.hostDefault = hostToJson(redactHost(c.hostDefault));
  if (c.blobLimit) json.blobLimit = c.blobLimit;
  if (c.incDockerCert !== undefined) json.incDockerCert = c.incDockerCert;
  if (c.incDockerCred !== undefined) json.incDockerCred = c.incDockerCred;
  return _view({
    Filename: c.filename,
    Version: c.version ?? 0,
    Hosts: hostFields,
    HostDefault: c.hostDefault ? hostToJson(redactHost(c.hostDefault)) : null,
    BlobLimit: c.blobLimit ?? 0,
    IncDockerCert: c.incDockerCert ?? null,
    IncDockerCred: c.incDockerCred ?? null,
  }, json);
}

/**
 * Builds the `registry` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const registry = new Command("registry").description("Manage registry logins and settings");

  registry.command("login")
    .description("Store credentials for a registry (in the ocictl config file, in clear text)")
    .argument("[registry]", "registry name (default docker.io)")
    .option("-u, --user <user>", `user name (${TOKEN_USER} stores the password as a token)`)
    .option(
      "-p, --pass <pass>",
      "password (visible to other users of this machine; prefer --pass-stdin)",
    )
    .option("--pass-stdin", "read the password from stdin (needs --user)")
    .option("--skip-check", "do not check the credentials against the registry")
    .addHelpText(
      "after",
      `\nExample:\n  echo "$PASS" | ocictl registry login -u me --pass-stdin registry.example.com\n`,
    )
    .action(async (arg, opts) => {
      const reg = registryArg(arg);
      if (opts.passStdin && opts.user === undefined) {
        throw new UsageError(`Cannot log in to "${reg.name}": --pass-stdin needs --user`);
      }
      if (opts.passStdin && opts.pass !== undefined) {
        throw new UsageError(
          `Cannot log in to "${reg.name}": give --pass or --pass-stdin, not both`,
        );
      }
      let user = opts.user;
      if (user === undefined) {
        if (!ctx.readLine) {
          throw new UsageError(
            `Cannot log in to "${reg.name}": no terminal to ask for a user name; use --user`,
          );
        }
        // as regctl: the stored user is offered, and kept on an empty answer
        const stored = (await loadConfig(ctx.configIo)).hosts[reg.name]?.user ?? "";
        user = (await ctx.readLine(`Enter Username${stored ? ` [${stored}]` : ""}: `)).trim();
        if (user === "") user = stored;
      }
      let pass = opts.pass;
      if (pass === undefined) {
        if (opts.passStdin) {
          pass = await _readStdinPass(ctx);
        } else {
          if (!ctx.readSecret) {
            throw new UsageError(
              `Cannot log in to "${reg.name}": no terminal to ask for the password; use --pass-stdin`,
            );
          }
          pass = await ctx.readSecret("Enter Password: ");
        }
      }
      if (user === "" || pass === "") {
        throw new UsageError(
          `Cannot log in to "${reg.name}": the user name and password are required`,
        );
      }
      const changes: ConfigHost = user === TOKEN_USER
        ? { user: undefined, pass: undefined, token: pass }
        : { user, pass, token: undefined };
      const config = await loadConfig(ctx.configIo);
      await saveConfig(ctx.configIo, setHost(config, reg.input, changes));
      ctx.logger.info("credentials saved", { registry: reg.name, file: config.filename });
      if (!opts.skipCheck) await pingRegistry(ctx, reg.name);
    });

  registry.command("logout")
    .description("Remove the stored credentials of a registry")
    .argument("[registry]", "registry name (default docker.io)")
    .addHelpText("after", `\nExample:\n  ocictl registry logout registry.example.com\n`)
    .action(async (arg) => {
      const reg = registryArg(arg);
      const config = await loadConfig(ctx.configIo);
      if (!config.hosts[reg.name]) {
        ctx.logger.warn("no credentials found", { registry: reg.name });
        return;
      }
      await saveConfig(ctx.configIo, removeHostCredentials(config, reg.name));
    });

  registry.command("set")
    .description("Change a registry's settings (only the flags given change)")
    .argument("[registry]", "registry name (default docker.io)")
    .addOption(new Option("--tls <mode>", "TLS mode").choices(["enabled", "insecure", "disabled"]))
    .option("--cacert <pem>", "CA certificate(s), PEM content (not a file name)")
    .option("--client-cert <pem>", "client certificate, PEM content")
    .option("--client-key <pem>", "client key, PEM content")
    .option("--hostname <host>", "host[:port] actually contacted")
    .option("--path-prefix <prefix>", "path inserted after /v2/")
    .option("--mirror <registry>", "mirror registry, repeatable", collectValue)
    .option("--priority <n>", "mirror priority")
    .option("--repo-auth [bool]", "separate token per repository")
    .option("--req-concurrent <n>", "concurrent requests")
    .option("--req-per-sec <n>", "requests per second (0 for no limit)")
    .option("--blob-chunk <bytes>", "chunk size of chunked uploads")
    .option("--blob-max <bytes>", "size above which uploads are chunked (-1 never)")
    .option("--api-opts <key=value>", "API option, repeatable (disableHead=true)", collectValue)
    .option("--cred-helper <name>", "credential helper (full name, docker-credential-…)")
    .option("--skip-check", "do not check the registry afterwards")
    .addOption(
      new Option("--dns <host>", "deprecated, ignored: use --hostname and --mirror").hideHelp(),
    )
    .addOption(new Option("--scheme <scheme>", "deprecated, ignored: use --tls").hideHelp())
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl registry set --tls disabled localhost:5000\n  ocictl registry set --cacert "$(cat ca.pem)" registry.internal\n`,
    )
    .action(async (arg, opts) => {
      const reg = registryArg(arg);
      if (opts.scheme !== undefined) {
        ctx.logger.warn("Scheme flag is deprecated, for http set tls to disabled", {
          name: reg.name,
          scheme: opts.scheme,
        });
      }
      if (opts.dns !== undefined) {
        ctx.logger.warn("DNS flag is deprecated, use hostname and mirrors instead", {
          name: reg.name,
          dns: opts.dns,
        });
      }
      const changes = setChanges(opts);
      const config = await loadConfig(ctx.configIo);
      await saveConfig(ctx.configIo, setHost(config, reg.input, changes));
      if (!opts.skipCheck) await pingRegistry(ctx, reg.name);
    });

  registry.command("config")
    .description("Show the settings in force for a registry (secrets left out)")
    .argument("[registry]", "registry name (all configured hosts when left out)")
    .option("--format <format>", "output format", "{{jsonPretty .}}")
    .addHelpText("after", `\nExample:\n  ocictl registry config localhost:5000\n`)
    .action(async (arg, opts) => {
      const resolved = await resolveForCli(ctx);
      if (arg === undefined) {
        await writeFormatted(ctx, _configView(resolved), opts.format);
        return;
      }
      const reg = registryArg(arg);
      const host = resolved.entries.find((h) => h.name === reg.name);
      if (host === undefined) {
        ctx.logger.warn("No configuration found for registry", { registry: reg.name });
        return;
      }
      const user = host.credHelper ? (await resolved.credentials(reg.name))?.user : undefined;
      const shown = showHost(host, user);
      await writeFormatted(ctx, _view(shown.fields, shown.json), opts.format);
    });

  registry.command("whoami")
    .description("Show the user logged in to a registry")
    .argument("[registry]", "registry name (default docker.io)")
    .addHelpText("after", `\nExample:\n  ocictl registry whoami registry.example.com\n`)
    .action(async (arg) => {
      const reg = registryArg(arg);
      const resolved = await resolveForCli(ctx);
      const cred = await resolved.credentials(reg.name);
      const who = cred?.user ? cred.user : cred?.token ? TOKEN_USER : "";
      if (!who) {
        throw new NotFoundError(
          `Cannot show the user of "${reg.name}": no login found; run "ocictl registry login ${reg.name}"`,
        );
      }
      await ctx.out.write(who + "\n");
    });

  return registry as unknown as CommandUnknownOpts;
}
