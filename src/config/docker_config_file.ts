/**
 * Where docker's client config is, and reading it together with the inline
 * `DOCKER_AUTH_CONFIG`. The parser ({@link ./docker_config.ts}) is loaded
 * only when one of them is there: most commands run without either, and its
 * code would cost every registry command start-up time.
 *
 * @module
 */
import { joinPath } from "./path_join.ts";
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import type { ConfigIo } from "./config_io.ts";
import type { NamedHost } from "./config_host.ts";
import type { MergeWarn } from "./host_merge.ts";

/** One docker config text and where it came from. */
export interface DockerConfigSource {
  /** The JSON text. */
  text: string;
  /** The file name, or `DOCKER_AUTH_CONFIG`, for messages. */
  source: string;
}

/** Options of {@link loadDockerConfig}. */
export interface LoadDockerConfigOptions {
  /** Told about a `credsStore` whose `list` fails (the rest is still used). */
  warn?: MergeWarn | undefined;
}

/**
 * Where docker's config file is: `$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`.
 *
 * @param env environment variables
 * @returns the file name, or `undefined` when neither variable nor home is set
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dockerConfigFilename } from "./docker_config_file.ts";
 * assert.equal(dockerConfigFilename({ DOCKER_CONFIG: "/d" }), "/d/config.json");
 * ```
 */
export function dockerConfigFilename(env: Record<string, string>): string | undefined {
  if (env.DOCKER_CONFIG) return joinPath(env.DOCKER_CONFIG, "config.json");
  const home = env.HOME || env.USERPROFILE;
  return home ? joinPath(home, ".docker", "config.json") : undefined;
}

/**
 * Reads docker's config file and `DOCKER_AUTH_CONFIG` (which wins), and asks
 * a `credsStore` helper which servers it knows (`list`). Without either
 * there are no hosts, and the parser is not loaded.
 *
 * @param io file, environment and process access
 * @param options warning callback
 * @returns host entries, merged per registry name
 * @throws {ConfigError} when the file cannot be read, or it or
 *   `DOCKER_AUTH_CONFIG` is malformed
 *
 * @example Neither a file nor DOCKER_AUTH_CONFIG: no hosts
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { loadDockerConfig } from "./docker_config_file.ts";
 * const io = {
 *   env: { HOME: "/home/me" },
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([]),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * assert.deepEqual(await loadDockerConfig(io), []);
 * ```
 */
export async function loadDockerConfig(
  io: ConfigIo,
  options: LoadDockerConfigOptions = {},
): Promise<NamedHost[]> {
  const sources: DockerConfigSource[] = [];
  const filename = dockerConfigFilename(io.env);
  if (filename) {
    try {
      sources.push({ text: await io.readTextFile(filename), source: filename });
    } catch (err) {
      if (!isErrorCode(err, ErrorCode.NOT_FOUND)) {
        throw new ConfigError(
          `Cannot read docker config "${filename}": ${err instanceof Error ? err.message : err}`,
          { cause: err },
        );
      }
    }
  }
  if (io.env.DOCKER_AUTH_CONFIG) {
    sources.push({ text: io.env.DOCKER_AUTH_CONFIG, source: "DOCKER_AUTH_CONFIG" });
  }
  if (sources.length === 0) return [];
  const { dockerConfigHosts } = await import("./docker_config.ts");
  return await dockerConfigHosts(io, sources, options);
}
