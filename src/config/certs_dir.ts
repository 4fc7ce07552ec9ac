/**
 * Docker's per-registry certificate directories
 * (`/etc/docker/certs.d/<host>/`): `*.crt` files are extra CA certificates,
 * `<name>.cert` + `<name>.key` pairs are client certificates (mTLS). Listing
 * the root is in {@link ./certs_dir_hosts.ts}; this module is loaded only
 * when it lists a directory.
 *
 * @module
 */
import { joinPath } from "./path_join.ts";
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import type { ConfigIo } from "./config_io.ts";
import type { ConfigHost, NamedHost } from "./config_host.ts";
import { DEFAULT_CERTS_DIR } from "./certs_dir_hosts.ts";
import type { MergeWarn } from "./host_merge.ts";
import { HUB_NAME, normaliseHostName } from "./host_name.ts";
import { DOCKER_HUB_API } from "./host_settings.ts";

// Listing the root lives apart (`certs_dir_hosts.ts`), so that a machine
// without certificate directories never loads this module.

/** Certificates found for one registry. */
export interface DockerCerts {
  /** Concatenated PEM CA certificates (`*.crt`, including `ca.crt`). */
  regcert?: string | undefined;
  /** PEM client certificate of the first `*.cert`/`*.key` pair. */
  clientCert?: string | undefined;
  /** PEM client key of that pair. */
  clientKey?: string | undefined;
}

const PEM_CERT = "-----BEGIN CERTIFICATE-----";
const PEM_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Reads `<dir>/<host>/`. A missing directory yields no certificates.
 *
 * @param io file access
 * @param host directory name: the registry's `host[:port]`
 * @param dir the certificate root @default "/etc/docker/certs.d"
 * @returns the certificates found (fields only when present)
 * @throws {ConfigError} for a `.cert` without its `.key` (or the reverse), or
 *   a file that holds no PEM certificate or key
 */
export async function loadCertsDir(
  io: ConfigIo,
  host: string,
  dir: string = DEFAULT_CERTS_DIR,
): Promise<DockerCerts> {
  if (!host || host.includes("/") || host.includes("\\") || host === "." || host === "..") {
    return {};
  }
  const hostDir = joinPath(dir, host);
  let entries;
  try {
    entries = await io.readDir(hostDir);
  } catch (err) {
    if (isErrorCode(err, ErrorCode.NOT_FOUND)) return {};
    throw err;
  }
  const names = new Set(entries.filter((e) => e.isFile).map((e) => e.name));
  const sorted = [...names].sort();
  const out: DockerCerts = {};
  const cas: string[] = [];
  for (const name of sorted) {
    const path = joinPath(hostDir, name);
    if (name.endsWith(".crt")) {
      const pem = await io.readTextFile(path);
      if (!pem.includes(PEM_CERT)) {
        throw new ConfigError(`Cannot load CA certificate "${path}": it holds no PEM certificate`);
      }
      cas.push(pem.endsWith("\n") ? pem : pem + "\n");
    } else if (name.endsWith(".cert")) {
      const keyName = name.slice(0, -5) + ".key";
      if (!names.has(keyName)) {
        throw new ConfigError(
          `Cannot load client certificate "${path}": the key "${keyName}" is missing`,
        );
      }
      if (out.clientCert !== undefined) continue;
      const cert = await io.readTextFile(path);
      const key = await io.readTextFile(joinPath(hostDir, keyName));
      if (!cert.includes(PEM_CERT)) {
        throw new ConfigError(
          `Cannot load client certificate "${path}": it holds no PEM certificate`,
        );
      }
      if (!PEM_KEY.test(key)) {
        throw new ConfigError(
          `Cannot load client key "${joinPath(hostDir, keyName)}": it holds no PEM private key`,
        );
      }
      out.clientCert = cert;
      out.clientKey = key;
    } else if (name.endsWith(".key")) {
      const certName = name.slice(0, -4) + ".cert";
      if (!names.has(certName)) {
        throw new ConfigError(
          `Cannot load client key "${path}": the certificate "${certName}" is missing`,
        );
      }
    }
  }
  if (cas.length > 0) out.regcert = cas.join("");
  return out;
}

/** What {@link addDockerCerts} works on. */
export interface AddDockerCertsOptions {
  /** The certificate root. */
  dir: string;
  /** Its host directories, as {@link listCertsDirHosts} lists them. */
  dirs: readonly string[];
  /** Host entries by registry name; updated in place. */
  byName: Map<string, NamedHost>;
  /** Template of a host added for a directory (ocictl's `hostDefault`). */
  template: ConfigHost;
  /** Told about a directory whose certificates cannot be loaded (they are skipped). */
  warn?: MergeWarn | undefined;
}

/**
 * Adds docker's certificates to the host entries, as regctl does: a
 * directory without an entry adds one (from the template); each entry gets
 * the CA certificates of the directories of its hostname and of its name,
 * after its own, and the first client certificate pair unless it has one.
 *
 * @param io file access
 * @param options root, its listed directories, entries, template, warning callback
 * @returns when `options.byName` is updated
 * @throws never: a directory that cannot be loaded is reported through `warn`
 *
 * @example A directory adds its registry with its CA
 * ```ts
 * import assert from "node:assert/strict";
 * import { NotFoundError } from "../errors.ts";
 * import { addDockerCerts } from "./certs_dir.ts";
 * import type { NamedHost } from "./config_host.ts";
 * const ca = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
 * const io = {
 *   env: {},
 *   readTextFile: (p: string) =>
 *     p === "/c/r:5000/ca.crt" ? Promise.resolve(ca) : Promise.reject(new NotFoundError(p)),
 *   writeTextFileAtomic: () => Promise.resolve(),
 *   stat: () => Promise.resolve(undefined),
 *   readDir: () => Promise.resolve([{ name: "ca.crt", isFile: true, isDirectory: false }]),
 *   run: () => Promise.resolve({ code: 1, stdout: "", stderr: "" }),
 * };
 * const byName = new Map<string, NamedHost>();
 * await addDockerCerts(io, { dir: "/c", dirs: ["r:5000"], byName, template: {} });
 * assert.deepEqual([...byName.values()], [{ name: "r:5000", regcert: ca }]);
 * ```
 */
export async function addDockerCerts(io: ConfigIo, options: AddDockerCertsOptions): Promise<void> {
  const { dir, dirs, byName, template, warn } = options;
  const available = new Set(dirs);
  const hostDir = (h: NamedHost): string =>
    h.hostname ?? (h.name === HUB_NAME ? DOCKER_HUB_API : h.name);
  const covered = new Set([...byName.values()].map(hostDir));
  for (const d of dirs) {
    const n = normaliseHostName(d);
    if (!covered.has(d) && n.name && !n.hasPath && !byName.has(n.name)) {
      byName.set(n.name, { ...template, name: n.name });
    }
  }
  for (const [name, host] of byName) {
    const candidates = [...new Set([hostDir(host), name])].filter((d) => available.has(d));
    let next = host;
    for (const d of candidates) {
      try {
        const certs = await loadCertsDir(io, d, dir);
        next = { ...next };
        if (certs.regcert) {
          const prev = next.regcert ? next.regcert.replace(/\n?$/, "\n") : "";
          next.regcert = prev + certs.regcert;
        }
        if (certs.clientCert && !next.clientCert && !next.clientKey) {
          next.clientCert = certs.clientCert;
          next.clientKey = certs.clientKey;
        }
      } catch (err) {
        warn?.("Cannot load docker certificates; skipping them", {
          dir: d,
          err: err instanceof Error ? err.message : String(err),
        });
      }
    }
    byName.set(name, next);
  }
}
