/**
 * `ocictl serve`: a registry over OCI layouts (one layout per repository
 * under `--dir`), and `serve gc` to remove unreferenced blobs.
 *
 * @module
 */
import { Command } from "../src/cli/command.ts";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import { UsageError } from "../src/mod.ts";
import type { CliContext } from "../src/cli/context.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { collectGarbage } from "../src/serve/gc.ts";
import { parseHtpasswd } from "../src/serve/htpasswd.ts";
import { ANONYMOUS, parseAccessRules } from "../src/serve/access.ts";
import { startRegistryServer } from "../src/serve/server.ts";
import { type CLibrary, tuneAllocator } from "../src/serve/allocator_tuning.ts";

markPluginLoaded("serve");

/**
 * Parses `--addr`: `host:port`, `[ipv6]:port` or `:port` (loopback).
 *
 * @param value the flag value
 * @returns hostname and port
 * @throws {UsageError} when it does not parse
 */
export function parseListenAddr(value: string): { hostname: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) {
    throw new UsageError(
      `Cannot listen on "${value}": use host:port, for example 127.0.0.1:5000 (port 0 picks a free one)`,
    );
  }
  return { hostname: m[1] ?? (m[2] || "127.0.0.1"), port };
}

/** glibc through FFI: `mallopt` only (see `src/serve/allocator_tuning.ts`). */
function _openLibc(): CLibrary {
  const lib = Deno.dlopen("libc.so.6", {
    mallopt: { parameters: ["i32", "i32"], result: "i32" },
  });
  return { mallopt: (p, v) => lib.symbols.mallopt(p, v), close: () => lib.close() };
}

/**
 * Parses a Go-style duration such as `1h`, `30m`, `90s`, `1h30m`.
 *
 * @param value the flag value
 * @returns milliseconds
 * @throws {UsageError} when it does not parse or is zero
 */
export function parseInterval(value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  const rest = value.replace(/(\d+(?:\.\d+)?)(ms|h|m|s)/g, (_, n: string, u: string) => {
    total += Number(n) * (units[u] ?? 0);
    return "";
  });
  if (rest !== "" || total <= 0) {
    throw new UsageError(`Cannot use interval "${value}": use a duration such as 1h, 30m or 90s`);
  }
  return total;
}

function _requireDir(dir: string | undefined): string {
  if (dir === undefined || dir === "") {
    throw new UsageError("Cannot serve: give the storage directory with --dir DIR");
  }
  return dir;
}

async function _readFlagFile(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    throw new UsageError(`Cannot read ${what} "${path}": ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Builds the `serve` verb.
 *
 * @param ctx command context
 * @returns the command tree
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  const serve = new Command("serve")
    .description("Run a registry that stores each repository as an OCI layout under --dir")
    .option("--dir <dir>", "directory holding one OCI layout per repository (required)")
    .option(
      "--addr <host:port>",
      "address to listen on (port 0 picks a free one)",
      "127.0.0.1:5000",
    )
    .option("--read-only", "refuse every write (403 DENIED)")
    .option("--no-delete", "refuse deletes (405 UNSUPPORTED)")
    .option("--auth <htpasswd>", "require Basic auth from a bcrypt htpasswd file (htpasswd -B)")
    .option(
      "--access <file>",
      "per-repository rules (YAML: users, groups, repos, actions pull/push/delete); default deny",
    )
    .option("--tls-cert <file>", "PEM certificate: serve HTTPS (with --tls-key)")
    .option("--tls-key <file>", "PEM private key for --tls-cert")
    .option("--gc-interval <duration>", "also remove unreferenced blobs this often (e.g. 1h)")
    .option("--ui", "also serve a read-only web browser of the registry under /ui/")
    .option(
      "--verify-every-read",
      "hash every blob on every GET (default: when uploaded or first read, again when its file changes)",
    )
    .addHelpText(
      "after",
      `\nExamples:\n  ocictl serve --dir ./registry --addr 127.0.0.1:5000\n  ocictl serve --dir ./registry --ui    # then open http://127.0.0.1:5000/ui/\n  ocictl serve gc --dir ./registry\n`,
    )
    .action(async (opts) => {
      const dir = _requireDir(opts.dir);
      const addr = parseListenAddr(opts.addr);
      if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
        throw new UsageError("Cannot serve HTTPS: give both --tls-cert and --tls-key");
      }
      const interval = opts.gcInterval === undefined ? undefined : parseInterval(opts.gcInterval);
      const auth = opts.auth === undefined
        ? undefined
        : parseHtpasswd(await _readFlagFile(opts.auth, "htpasswd file"));
      const access = opts.access === undefined
        ? undefined
        : parseAccessRules(await _readFlagFile(opts.access, "access file"), auth?.users ?? []);
      const tls = opts.tlsCert !== undefined && opts.tlsKey !== undefined
        ? {
          cert: await _readFlagFile(opts.tlsCert, "certificate"),
          key: await _readFlagFile(opts.tlsKey, "key"),
        }
        : undefined;
      await Deno.mkdir(dir, { recursive: true });
      const tuning = tuneAllocator({
        target: Deno.build.target,
        ffiGranted: () => Deno.permissions.querySync({ name: "ffi" }).state === "granted",
        openLibc: _openLibc,
      });
      if (tuning.tuned) ctx.logger.debug("allocator tuned for serving");
      else ctx.logger.debug("allocator not tuned", { reason: tuning.reason });
      // The web UI shows only what the --access rules let the user pull.
      const canPull = access === undefined
        ? undefined
        : (repo: string, user: string | undefined) =>
          access.allows(user ?? ANONYMOUS, repo, "pull");
      const ui = opts.ui === true
        ? (await import("../src/serve/ui/ui.tsx")).createUi({ canPull })
        : undefined;
      const server = await startRegistryServer({
        dir,
        hostname: addr.hostname,
        port: addr.port,
        readOnly: opts.readOnly === true,
        noDelete: !opts.delete,
        verifyEveryRead: opts.verifyEveryRead === true,
        auth,
        access,
        tls,
        ui,
        signal: ctx.signal,
        log: (msg) => ctx.logger.warn(msg),
      });
      const host = server.addr.hostname.includes(":")
        ? `[${server.addr.hostname}]`
        : server.addr.hostname;
      await ctx.out.write(`${tls ? "https" : "http"}://${host}:${server.addr.port}\n`);
      await ctx.out.flush();
      ctx.logger.info("serving", { dir, port: server.addr.port });
      let timer: ReturnType<typeof setInterval> | undefined;
      if (interval !== undefined) {
        timer = setInterval(() => {
          collectGarbage(dir).then(
            (r) => ctx.logger.info("gc finished", { removed: r.removed.length }),
            (err: unknown) => ctx.logger.warn("gc failed", { error: String(err) }),
          );
        }, interval);
      }
      try {
        await server.finished;
      } finally {
        if (timer !== undefined) clearInterval(timer);
      }
    });
  serve.command("gc")
    .description("Remove blobs no manifest references, in every repository under --dir")
    .option("--dry-run", "only list what would be removed")
    .action(async (opts) => {
      const dir = _requireDir(serve.opts().dir);
      const report = await collectGarbage(dir, { dryRun: opts.dryRun === true });
      for (const r of report.removed) {
        await ctx.out.write(`${r.repository}@${r.digest} ${r.size}\n`);
      }
      ctx.logger.info("gc finished", {
        repositories: report.repositories.length,
        removed: report.removed.length,
        staleFiles: report.staleFiles,
      });
    });
  return serve as unknown as CommandUnknownOpts;
}
