/**
 * Concurrent-writers drills: 4 processes tagging into one OCI layout, and 4
 * clients pushing tags into one `ocictl serve` repository. Every tag must be
 * present and the layout consistent afterwards.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { startRegistryServer } from "../../src/serve/server.ts";
import { buildImage, pushImage } from "../serve/_client.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { layoutProblems, serveDirProblems } from "./_layout_check.ts";

const WRITER = fileURLToPath(new URL("./_tag_writer.ts", import.meta.url));
const WRITERS = 4;

/**
 * 4 processes write 100 tags (short) or 400 tags (full) into one layout.
 *
 * @param size short or full
 * @returns the drill's row
 */
export async function layoutWritersDrill(size: DrillSize): Promise<DrillResult> {
  const each = size === "short" ? 25 : 100;
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-drill-writers-" });
  const layout = `${tmp}/layout`;
  const started = performance.now();
  try {
    const outs = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", WRITER, layout, `w${w}`, String(each)],
          stdout: "null",
          stderr: "piped",
        }).output()),
    );
    const notes = outs.filter((o) => o.code !== 0).map((o) => new TextDecoder().decode(o.stderr));
    const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`)) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    const tags = new Set(
      index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"]),
    );
    let missing = 0;
    for (let w = 0; w < WRITERS; w++) {
      for (let i = 0; i < each; i++) if (!tags.has(`w${w}-${i}`)) missing++;
    }
    notes.push(...await layoutProblems(layout));
    const failures = missing + notes.length;
    if (missing > 0) notes.push(`${missing} tags missing`);
    return {
      drill: "concurrent writers: 4 processes → one layout",
      cases: WRITERS * each,
      failures,
      figures: { seconds: ((performance.now() - started) / 1000).toFixed(1) },
      notes,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/**
 * 4 clients push 100 tags (short) or 400 (full) into one `serve` repository.
 *
 * @param size short or full
 * @returns the drill's row
 */
export async function serveWritersDrill(size: DrillSize): Promise<DrillResult> {
  const each = size === "short" ? 25 : 100;
  const tmp = await Deno.makeTempDir({ prefix: "ocictl-drill-serve-writers-" });
  const server = await startRegistryServer({ dir: tmp, hostname: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${server.addr.port}`;
  const started = performance.now();
  const notes: string[] = [];
  try {
    await Promise.all(Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < each; i++) {
        const r = await pushImage(
          fetch,
          base,
          "drill/app",
          `c${w}-${i}`,
          await buildImage(`c${w}-${i}`),
        );
        if (r.status !== 201) notes.push(`c${w}-${i}: ${r.status} ${r.text}`);
      }
    }));
    const res = await fetch(`${base}/v2/drill/app/tags/list?n=10000`);
    const tags = new Set(((await res.json()) as { tags: string[] }).tags);
    let missing = 0;
    for (let w = 0; w < WRITERS; w++) {
      for (let i = 0; i < each; i++) if (!tags.has(`c${w}-${i}`)) missing++;
    }
    if (missing > 0) notes.push(`${missing} tags missing`);
  } finally {
    await server.shutdown();
  }
  try {
    notes.push(...await serveDirProblems(tmp));
    return {
      drill: "concurrent writers: 4 clients → one serve repository",
      cases: WRITERS * each,
      failures: notes.length,
      figures: { seconds: ((performance.now() - started) / 1000).toFixed(1) },
      notes,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
