/**
 * Starts CNCF distribution (Debian's `docker-registry`) on 127.0.0.1 for
 * tests, with a generated config and a temporary storage directory.
 *
 * @module
 */

/** Path of the registry binary. */
export const DISTRIBUTION_BIN = "/usr/bin/docker-registry";

/**
 * Tells whether the binary is installed. Under CI (`CI=true`) it is always
 * true, so a missing install fails the tests instead of skipping them.
 */
export const hasDistribution: boolean = (() => {
  if (Deno.env.get("CI") === "true") return true;
  try {
    return Deno.statSync(DISTRIBUTION_BIN).isFile;
  } catch {
    return false;
  }
})();

/** A running registry. */
export interface Distribution {
  /** `127.0.0.1:<port>`, the registry name to use in references. */
  host: string;
  /** The port. */
  port: number;
  /** Temporary directory (storage and config). */
  dir: string;
  /** Stops the registry and removes the directory. */
  stop(): Promise<void>;
}

/** Options of {@link startDistribution}. */
export interface DistributionOptions {
  /** `user: password` pairs; enables htpasswd Basic auth. */
  users?: Record<string, string>;
  /**
   * PEM server certificate and key; serves https instead of http. With
   * `clientCa`, every client must present a certificate signed by it.
   */
  tls?: { cert: string; key: string; clientCa?: string };
}

/**
 * Picks a free TCP port on 127.0.0.1.
 *
 * @returns the port
 */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Starts docker-registry and waits until `/v2/` answers.
 *
 * @param options htpasswd users, TLS certificate
 * @returns the running registry
 * @throws {Error} when it does not come up within 15 s
 */
export async function startDistribution(options: DistributionOptions = {}): Promise<Distribution> {
  const dir = await Deno.makeTempDir({ prefix: "ocictl-distribution-" });
  let auth = "";
  if (options.users) {
    const file = `${dir}/htpasswd`;
    const lines: string[] = [];
    for (const [user, pass] of Object.entries(options.users)) {
      const out = await new Deno.Command("htpasswd", {
        args: ["-nbB", user, pass],
        stdout: "piped",
        stderr: "null",
      }).output();
      if (!out.success) throw new Error("htpasswd failed");
      lines.push(new TextDecoder().decode(out.stdout).trim());
    }
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${file}\n`;
  }
  let tls = "";
  if (options.tls) {
    await Deno.writeTextFile(`${dir}/server.pem`, options.tls.cert);
    await Deno.writeTextFile(`${dir}/server.key`, options.tls.key);
    tls = `  tls:\n    certificate: ${dir}/server.pem\n    key: ${dir}/server.key\n`;
    if (options.tls.clientCa) {
      await Deno.writeTextFile(`${dir}/client-ca.pem`, options.tls.clientCa);
      tls += `    clientcas:\n      - ${dir}/client-ca.pem\n`;
    }
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = freePort();
    const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:${port}
${tls}${auth}`;
    await Deno.writeTextFile(`${dir}/config.yml`, config);
    const child = new Deno.Command(DISTRIBUTION_BIN, {
      args: ["serve", `${dir}/config.yml`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    const stop = async () => {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // already gone
        }
      }
      await status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    };
    for (let i = 0; i < 150 && !exited; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/v2/`);
        await res.body?.cancel();
        // A TLS listener answers plain http with 400.
        if (res.status === 200 || res.status === 401 || (options.tls && res.status === 400)) {
          return { host: `127.0.0.1:${port}`, port, dir, stop };
        }
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!exited) {
      await stop();
      throw new Error("docker-registry did not start within 15 s");
    }
    await status; // port taken: try another one
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  throw new Error("docker-registry failed to start");
}
