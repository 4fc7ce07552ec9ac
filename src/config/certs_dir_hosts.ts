/**
 * Which registries have a directory under docker's certificate root
 * (`/etc/docker/certs.d/<host>/`). Reading the certificates
 * ({@link ./certs_dir.ts}) is loaded only when there is one: most machines
 * have no such directory, and that code would cost every registry command
 * start-up time.
 *
 * @module
 */
import { ErrorCode, isErrorCode } from "../errors.ts";
import type { ConfigIo } from "./config_io.ts";

/** Docker's certificate directory. */
export const DEFAULT_CERTS_DIR = "/etc/docker/certs.d";

/**
 * The registry names that have a directory under the certificate root.
 *
 * @param io file access
 * @param dir the certificate root @default "/etc/docker/certs.d"
 * @returns directory names, sorted (empty when the root is missing)
 * @throws {Error} what `io.readDir` throws for a root that exists but cannot be listed
 *
 * @example A missing root lists nothing
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { listCertsDirHosts } from "./certs_dir_hosts.ts";
 * const io = {
 *   env: {},
 *   readTextFile: () => Promise.reject(new NotFoundError("Cannot find file")),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.reject(new NotFoundError("Cannot find directory")),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * assert.deepEqual(await listCertsDirHosts(io, "/missing"), []);
 * ```
 */
export async function listCertsDirHosts(
  io: ConfigIo,
  dir: string = DEFAULT_CERTS_DIR,
): Promise<string[]> {
  try {
    return (await io.readDir(dir)).filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch (err) {
    if (isErrorCode(err, ErrorCode.NOT_FOUND)) return [];
    throw err;
  }
}
