/**
 * Test-only helpers to read layers back: gunzip, strict modern-tar decoding
 * and GNU tar listing (through `Deno.Command`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { createTarDecoder, type TarHeader } from "modern-tar";
import { gunzipSync } from "node:zlib";

/** A decoded tar entry with its body. */
export interface _DecodedEntry {
  /** Header as decoded by modern-tar. */
  header: TarHeader;
  /** Body bytes (empty for bodyless entries). */
  data: Uint8Array;
}

/**
 * Gunzips bytes with node:zlib.
 * @param bytes gzip data
 * @returns the decompressed bytes
 */
export function _gunzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(bytes));
}

/**
 * Decodes a plain tar with modern-tar in strict mode, reading every body.
 * @param tar tar bytes
 * @returns entries in archive order
 */
export async function _decodeTar(tar: Uint8Array): Promise<_DecodedEntry[]> {
  const out: _DecodedEntry[] = [];
  const entries = ReadableStream.from([tar]).pipeThrough(createTarDecoder({ strict: true }));
  for await (const entry of entries) {
    out.push({ header: entry.header, data: await new Response(entry.body).bytes() });
  }
  return out;
}

/**
 * Lists a gzip tar with GNU tar (`tar -tzf -`, or `-tzvf -` when verbose).
 * @param gz gzip tar bytes
 * @param verbose use `-v`
 * @returns the output lines
 */
export async function _gnuTarList(gz: Uint8Array, verbose = false): Promise<string[]> {
  const child = new Deno.Command("tar", {
    args: [verbose ? "-tzvf" : "-tzf", "-"],
    env: { TZ: "UTC", LC_ALL: "C" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(gz);
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, `tar failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).split("\n").filter((l) => l !== "");
}
