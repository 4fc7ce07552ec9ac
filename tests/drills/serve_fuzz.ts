/**
 * Fuzzing the `serve` handler: random methods, paths (encoded slashes and
 * dots, reserved names), queries, headers (huge `Content-Length`, bad
 * `Content-Range`, `Range`) and bodies. Every answer must be below 500 with
 * a spec error code, nothing may appear beside `--dir`, and afterwards a
 * valid client still finds the image pushed before, intact.
 *
 * @module
 */
import fc from "fast-check";
import { createRegistryHandler } from "../../src/serve/handler.ts";
import { digestOf } from "../../src/types/digest.ts";
import { buildImage, pushImage, send, SPEC_CODES } from "../serve/_client.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { failureReport, fuzzRuns, fuzzSeed, tokenSoup } from "./_fuzz.ts";
import { serveDirProblems } from "./_layout_check.ts";

const HEX = "0123456789abcdef".repeat(4);

/**
 * Runs the handler fuzzing.
 *
 * @param size short or full
 * @returns the drill's row
 */
export async function serveFuzzDrill(size: DrillSize): Promise<DrillResult> {
  const seed = fuzzSeed();
  const root = await Deno.makeTempDir({ prefix: "ocictl-drill-servefuzz-" });
  const dir = `${root}/served`;
  await Deno.mkdir(dir);
  const reg = createRegistryHandler({ dir, noDelete: true });
  const base = "http://registry.test";
  const img = await buildImage("kept");
  const notes: string[] = [];
  try {
    const put = await pushImage(reg.fetch, base, "seeded/app", "v1", img);
    if (put.status !== 201) throw new Error(`seed push failed: ${put.status}`);
    const words = [
      "seeded",
      "app",
      "/",
      "..",
      ".",
      "%2e%2e",
      "%2E",
      "%2f",
      "%2F",
      "%00",
      "%",
      "blobs",
      "uploads",
      "manifests",
      "tags",
      "list",
      "referrers",
      "_catalog",
      "index.json",
      "oci-layout",
      "v1",
      `sha256:${HEX}`,
      img.digest,
      "sha512:00",
      HEX.slice(0, 32),
      "A",
      "\\",
      "//",
    ];
    const query = tokenSoup([
      "?",
      "&",
      "digest=",
      "mount=",
      "from=",
      "n=",
      "last=",
      "tag=",
      "artifactType=",
      "digest-algorithm=",
      "sha512",
      img.digest,
      `sha256:${HEX}`,
      "-1",
      "99999999999999999999",
      "seeded/app",
      "%2e%2e/",
    ], 6);
    const headers = fc.record({
      "Content-Length": fc.oneof(
        fc.nat().map(String),
        fc.constantFrom("99999999999999", "-1", "x"),
      ),
      "Content-Range": fc.constantFrom(
        "0-0",
        "5-2",
        "bytes 0-10/*",
        "-1-3",
        "0-99999999999999",
        "x",
      ),
      "Range": fc.constantFrom(
        "bytes=0-0",
        "bytes=5-",
        "bytes=-3",
        "bytes=9-1",
        "bytes=0-99999999999",
      ),
      "Content-Type": fc.constantFrom(
        "application/octet-stream",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "text/plain",
      ),
      "Authorization": fc.constantFrom("Basic Og==", "Bearer x", "Basic !!!"),
    }, { requiredKeys: [] });
    const request = fc.record({
      method: fc.constantFrom("GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"),
      path: fc.oneof(
        { weight: 1, arbitrary: tokenSoup(words, 10) },
        {
          weight: 4,
          arbitrary: fc.tuple(
            fc.oneof(
              { weight: 4, arbitrary: fc.constant("seeded/app") },
              { weight: 1, arbitrary: fc.constant("other") },
              { weight: 1, arbitrary: tokenSoup(words, 3) },
            ),
            fc.constantFrom(
              "/manifests/",
              "/blobs/",
              "/blobs/uploads/",
              `/blobs/uploads/${HEX.slice(0, 32)}`,
              "/tags/list",
              "/referrers/",
            ),
            fc.oneof(
              fc.constantFrom(
                "",
                "v1",
                img.digest,
                `sha256:${HEX}`,
                await digestOf(img.blobs[0] ?? new Uint8Array()),
              ),
              tokenSoup(words, 2),
            ),
          ).map(([repo, endpoint, ref]) => `${repo}${endpoint}${ref}`),
        },
      ),
      query,
      headers,
      body: fc.option(fc.oneof(
        fc.uint8Array({ maxLength: 256 }),
        fc.jsonValue({ maxDepth: 2 }).map((v) => new TextEncoder().encode(JSON.stringify(v))),
      )),
    });
    let tried = 0;
    const statuses = new Map<number, number>();
    const details = await fc.check(
      fc.asyncProperty(request, async (r) => {
        let url: URL;
        try {
          url = new URL(`${base}/v2/${r.path}${r.query}`);
        } catch {
          return;
        }
        const body = r.method === "GET" || r.method === "HEAD" ? null : r.body;
        let req: Request;
        try {
          req = new Request(url, { method: r.method, headers: r.headers, body });
        } catch {
          return;
        }
        tried++;
        const res = await reg.fetch(req);
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${res.status}: ${text}`);
        if (res.status >= 400 && r.method !== "HEAD") {
          const code = (JSON.parse(text) as { errors?: { code?: string }[] }).errors?.[0]?.code;
          if (code === undefined || !SPEC_CODES.has(code)) {
            throw new Error(`${res.status} without a spec code: ${text}`);
          }
        }
      }),
      { numRuns: fuzzRuns(size), seed },
    );
    const failure = failureReport(details);
    if (failure !== undefined) notes.push(failure);
    const beside = (await Array.fromAsync(Deno.readDir(root))).map((e) => e.name);
    if (beside.join() !== "served") notes.push(`written beside --dir: ${beside.join(", ")}`);
    const got = await send(reg.fetch, "GET", `${base}/v2/seeded/app/manifests/v1`);
    if (got.status !== 200 || await digestOf(got.body) !== img.digest) {
      notes.push(`tag v1 changed: ${got.status}`);
    }
    for (const b of img.blobs) {
      const r = await send(reg.fetch, "GET", `${base}/v2/seeded/app/blobs/${await digestOf(b)}`);
      if (r.status !== 200 || await digestOf(r.body) !== await digestOf(b)) {
        notes.push(`blob lost: ${r.status}`);
      }
    }
    await reg.close();
    notes.push(...await serveDirProblems(dir));
    return {
      drill: "fuzz: serve handler requests",
      cases: tried,
      failures: notes.length,
      figures: {
        seed,
        statuses: [...statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v}`).join(","),
      },
      notes,
    };
  } finally {
    await reg.close();
    await Deno.remove(root, { recursive: true });
  }
}
