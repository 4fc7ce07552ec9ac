/**
 * Test certificates made by `openssl` in a temp directory: a throwaway CA
 * with a server certificate for 127.0.0.1, and self-signed server
 * certificates of several kinds.
 *
 * @module
 */

/** Whether `/usr/bin/openssl` is installed. */
export const hasOpenssl: boolean = (() => {
  try {
    return Deno.statSync("/usr/bin/openssl").isFile;
  } catch {
    return false;
  }
})();

/** A CA and a server certificate for 127.0.0.1 (PEM). */
export interface TestPki {
  /** The CA certificate. */
  ca: string;
  /** The server certificate (leaf only). */
  cert: string;
  /** The server key. */
  key: string;
}

/** A server certificate and key (PEM). */
export interface TestCert {
  /** The certificate. */
  cert: string;
  /** Its key. */
  key: string;
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Runs openssl in a directory.
 *
 * @param dir working directory
 * @param args openssl arguments
 * @returns nothing
 * @throws {Error} with openssl's stderr when it fails
 */
export async function openssl(dir: string, args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/**
 * Makes a CA and a server certificate for 127.0.0.1 and localhost signed by it.
 *
 * @param dir where the files go
 * @returns the PEM texts
 */
export async function makePki(dir: string): Promise<TestPki> {
  await openssl(dir, [
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=ocictl test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await _signLeaf(
    dir,
    "server",
    "127.0.0.1",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  return {
    ca: await Deno.readTextFile(`${dir}/ca.pem`),
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
  };
}

/**
 * Makes a key and a certificate signed by the CA of {@link makePki} (made
 * first in the same directory): `<name>.key`, `<name>.pem`.
 */
async function _signLeaf(dir: string, name: string, cn: string, ext: string): Promise<void> {
  await openssl(dir, [
    "req",
    ...EC,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${cn}`,
  ]);
  await Deno.writeTextFile(`${dir}/${name}.cnf`, ext);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "1",
    "-extfile",
    `${name}.cnf`,
  ]);
}

/**
 * Makes a client certificate signed by the CA of {@link makePki}, which must
 * have been made in the same directory.
 *
 * @param dir the directory of {@link makePki}
 * @returns the PEM texts
 */
export async function makeClientCert(dir: string): Promise<TestCert> {
  await _signLeaf(
    dir,
    "client",
    "ocictl test client",
    "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  return {
    cert: await Deno.readTextFile(`${dir}/client.pem`),
    key: await Deno.readTextFile(`${dir}/client.key`),
  };
}

/** What {@link selfSigned} makes. */
export interface SelfSignedOptions {
  /** File name stem in the directory. */
  name: string;
  /** `subjectAltName` value, e.g. `IP:127.0.0.1`. */
  san: string;
  /**
   * Mark it as a CA (`openssl req -x509`'s default), which rustls refuses
   * as a server certificate. @default false
   */
  ca?: boolean;
  /** Make it expired (valid until one day ago). @default false */
  expired?: boolean;
}

/**
 * Makes a self-signed server certificate with `openssl req -x509`.
 *
 * @param dir where the files go
 * @param options name, subjectAltName, CA flag
 * @returns the PEM texts
 */
export async function selfSigned(dir: string, options: SelfSignedOptions): Promise<TestCert> {
  const n = options.name;
  const read = async () => ({
    cert: await Deno.readTextFile(`${dir}/${n}.pem`),
    key: await Deno.readTextFile(`${dir}/${n}.key`),
  });
  if (options.expired) {
    await openssl(dir, [
      "req",
      ...EC,
      "-keyout",
      `${n}.key`,
      "-out",
      `${n}.csr`,
      "-subj",
      `/CN=${n}`,
    ]);
    await Deno.writeTextFile(
      `${dir}/${n}.cnf`,
      `subjectAltName=${options.san}\nbasicConstraints=critical,CA:${
        options.ca ? "TRUE" : "FALSE"
      }\n`,
    );
    // openssl x509 takes a negative -days (openssl req refuses it).
    await openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${n}.csr`,
      "-signkey",
      `${n}.key`,
      "-days",
      "-1",
      "-extfile",
      `${n}.cnf`,
      "-out",
      `${n}.pem`,
    ]);
    return await read();
  }
  await openssl(dir, [
    "req",
    "-x509",
    ...EC,
    "-keyout",
    `${n}.key`,
    "-out",
    `${n}.pem`,
    "-days",
    "1",
    "-subj",
    `/CN=${n}`,
    "-addext",
    `subjectAltName=${options.san}`,
    ...(options.ca ? [] : ["-addext", "basicConstraints=critical,CA:FALSE"]),
  ]);
  return await read();
}
