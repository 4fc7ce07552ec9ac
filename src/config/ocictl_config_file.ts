/**
 * Where ocictl's config file is and reading it. The parser
 * ({@link ./ocictl_config.ts}) is loaded only when the file exists: most
 * commands run without one, and its code would cost every registry command
 * start-up time.
 *
 * @module
 */
import { joinPath } from "./path_join.ts";
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import type { ConfigIo } from "./config_io.ts";
import type { OcictlConfig } from "./ocictl_config.ts";

/**
 * Where the config file is: `$OCICTL_CONFIG`, else
 * `$XDG_CONFIG_HOME/ocictl/config.json`, else `~/.ocictl/config.json`
 * (home from `HOME`, then `USERPROFILE`).
 *
 * @param env environment variables
 * @returns the file name, or `""` when none of these variables is set
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configFilename } from "./ocictl_config_file.ts";
 * assert.equal(configFilename({ HOME: "/home/me" }), "/home/me/.ocictl/config.json");
 * ```
 */
export function configFilename(env: Record<string, string>): string {
  if (env.OCICTL_CONFIG) return env.OCICTL_CONFIG;
  if (env.XDG_CONFIG_HOME) return joinPath(env.XDG_CONFIG_HOME, "ocictl", "config.json");
  const home = env.HOME || env.USERPROFILE;
  return home ? joinPath(home, ".ocictl", "config.json") : "";
}

/**
 * Reads the config file named by {@link configFilename}. A missing file is an
 * empty config; a present one is parsed by `parseConfig`
 * ({@link ./ocictl_config.ts}, loaded only then).
 *
 * @param io file and environment access
 * @returns the config, with `filename` set
 * @throws {ConfigFileError} for malformed JSON (naming file and position)
 * @throws {ConfigError} for a file that cannot be read, wrong types, or a
 *   version newer than `CONFIG_VERSION`
 *
 * @example A missing file is an empty config
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { loadConfig } from "./ocictl_config_file.ts";
 * const io = {
 *   env: { OCICTL_CONFIG: "/nowhere/config.json" },
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([]),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * const config = await loadConfig(io);
 * assert.deepEqual(config, { filename: "/nowhere/config.json", hosts: {} });
 * ```
 */
export async function loadConfig(io: ConfigIo): Promise<OcictlConfig> {
  const filename = configFilename(io.env);
  if (!filename) return { filename, hosts: {} };
  let text: string;
  try {
    text = await io.readTextFile(filename);
  } catch (err) {
    if (isErrorCode(err, ErrorCode.NOT_FOUND)) return { filename, hosts: {} };
    throw new ConfigError(
      `Cannot read config file "${filename}": ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const { parseConfig } = await import("./ocictl_config.ts");
  return parseConfig(text, filename);
}
