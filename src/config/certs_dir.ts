/**
 * Docker's per-registry certificate directories
 * (`/etc/docker/certs.d/<host>/`): `*.crt` files are extra CA certificates,
 * `<name>.cert` + `<name>.key` pairs are client certificates (mTLS).
 *
 * @module
 */
import { joinPath } from "./path_join.ts";
import { ConfigError, ErrorCode, isErrorCode } from "../errors.ts";
import type { ConfigIo } from "./config_io.ts";

/** Docker's certificate directory. */
export const DEFAULT_CERTS_DIR = "/etc/docker/certs.d";

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

/**
 * The registry names that have a directory under the certificate root.
 *
 * @param io file access
 * @param dir the certificate root @default "/etc/docker/certs.d"
 * @returns directory names, sorted (empty when the root is missing)
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
