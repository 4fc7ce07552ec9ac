/**
 * The start-up benchmark's floor for a registry command: the least work any
 * Deno program can do to answer `manifest head`, with none of ocictl's code.
 * It opens one plain-HTTP connection (`Deno.connect`), sends one `HEAD` of the
 * manifest with the OCI media types in `Accept`, reads the answer's head and
 * prints its `Docker-Content-Digest`. No configuration, no auth, no retries,
 * and no timer: the first timer of a Deno process (`setTimeout`) cost it
 * 11–13 ms on a guest with slow page faults, and ocictl's short commands
 * start none.
 *
 * `startup.ts` runs it beside `ocictl manifest head` with the binary's V8
 * flags, so a run shows how much of ocictl's start-up is its own and how
 * much any Deno client pays on that machine.
 *
 * Run alone: `deno run -A scripts/bench/bare_head.ts HOST:PORT/REPO:TAG`.
 *
 * @module
 */

/**
 * Sends one `HEAD` of a manifest and returns the digest the registry names.
 *
 * @param ref `host:port/repository:tag` (plain HTTP)
 * @returns the `Docker-Content-Digest` of a 200 answer
 * @throws {Error} when the reference is malformed, the answer is not 200 or
 *   names no digest, or the connection closes first
 */
export async function bareHead(ref: string): Promise<string> {
  const slash = ref.indexOf("/");
  const colon = ref.lastIndexOf(":");
  if (slash < 0 || colon < slash) {
    throw new Error(`bare_head: want HOST:PORT/REPO:TAG, got "${ref}"`);
  }
  const host = ref.slice(0, slash);
  const [hostname, port] = host.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  try {
    const path = `/v2/${ref.slice(slash + 1, colon)}/manifests/${ref.slice(colon + 1)}`;
    const accept = "application/vnd.oci.image.manifest.v1+json, " +
      "application/vnd.oci.image.index.v1+json";
    const request = `HEAD ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: ${accept}\r\n` +
      "Connection: close\r\n\r\n";
    const bytes = new TextEncoder().encode(request);
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    const buf = new Uint8Array(16 * 1024);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error(`bare_head: ${path}: connection closed before the answer`);
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    const status = head.slice(0, head.indexOf("\r\n"));
    if (!/^HTTP\/1\.[01] 200 /.test(status)) throw new Error(`bare_head: ${path}: ${status}`);
    const digest = /^docker-content-digest:[ \t]*(\S+)/im.exec(head)?.[1];
    if (digest === undefined) throw new Error(`bare_head: ${path}: no Docker-Content-Digest`);
    return digest;
  } finally {
    conn.close();
  }
}

if (import.meta.main) {
  // deno-lint-ignore no-console
  console.log(await bareHead(Deno.args[0] ?? ""));
}
