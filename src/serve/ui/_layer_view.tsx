/**
 * The file list of one layer in the registry browser, streamed: the page
 * head goes out once the first entry is read, then one table row per entry
 * as the blob is read (verified by the transport); a failure part-way,
 * a digest mismatch included, ends the list with an error line.
 *
 * @module
 */
import { walkLayer } from "../../archive/layer_reader.ts";
import type { LayerEntry, LayerEntryInfo } from "../../archive/layer_reader.ts";
import type { ServeState } from "../_serve_state.ts";
import { humanSize, Page, PAGE_HEADERS, repoHref, Table } from "./_views.tsx";

/** Most entries listed; the walk stops after them. */
export const LAYER_ENTRIES_MAX = 10_000;

const ROWS = "@@rows@@";
const TYPE_LETTERS: Record<LayerEntryInfo["type"], string> = {
  file: "-",
  dir: "d",
  symlink: "l",
  hardlink: "h",
  other: "?",
};

/**
 * A mode as `ls -l` prints it, with the entry type first.
 *
 * @param e the entry
 * @returns ten characters such as `drwxr-xr-x`
 */
export function modeString(e: Pick<LayerEntryInfo, "type" | "mode">): string {
  const letters = "rwxrwxrwx";
  let out = TYPE_LETTERS[e.type];
  for (let i = 0; i < 9; i++) out += e.mode & (1 << (8 - i)) ? letters[i] : "-";
  return out;
}

async function _row(e: LayerEntryInfo): Promise<string> {
  const link = e.type === "symlink"
    ? `→ ${e.linkname}`
    : e.type === "hardlink"
    ? `⇒ ${e.linkname}`
    : "";
  return String(
    await (
      <tr>
        <td class="mono">{modeString(e)}</td>
        <td class="mono wide">{`${e.uid}/${e.gid}`}</td>
        <td class="num" title={`${e.size} bytes`}>{e.type === "file" ? humanSize(e.size) : ""}</td>
        <td class="mono">{e.path}</td>
        <td class="mono">{link}</td>
      </tr>
    ),
  );
}

/**
 * Answers the file-list page of a layer, streaming rows from the blob.
 *
 * @param st registry state
 * @param repo repository (allowed and existing)
 * @param digest layer digest
 * @returns the response; it fails before any byte for a missing or unreadable blob
 * @throws {NotFoundError} when the blob is missing
 * @throws {ArchiveError} when the blob does not start as a tar layer
 */
export async function streamLayerPage(
  st: ServeState,
  repo: string,
  digest: string,
): Promise<Response> {
  const blob = await st.t.blobGet(st.ref(repo), digest);
  const walk: AsyncGenerator<LayerEntry> = walkLayer(blob.body, { subject: `layer "${digest}"` });
  let first: IteratorResult<LayerEntry>;
  try {
    first = await walk.next();
  } catch (err) {
    await walk.return(undefined).catch(() => {});
    throw err;
  }
  const frame = String(
    await (
      <Page
        title={`Layer ${digest.slice(0, 19)}`}
        crumbs={[
          { label: "repositories", href: "/ui/" },
          { label: repo, href: repoHref(repo) },
          { label: `layer ${digest.slice(0, 19)}…` },
        ]}
      >
        <h1>Files of layer</h1>
        <p class="mono">{digest}</p>
        <p>
          <a href={`/v2/${repo}/blobs/${digest}`}>Download the blob</a>
        </p>
        <Table columns={["Mode", "wide:Owner", "num:Size", "Path", "Link"]}>{ROWS}</Table>
      </Page>
    ),
  );
  const cut = frame.indexOf(ROWS);
  const head = `<!doctype html>${frame.slice(0, cut)}`;
  const tail = frame.slice(cut + ROWS.length);
  const enc = new TextEncoder();
  let count = 0;
  let next: IteratorResult<LayerEntry> | undefined = first;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(enc.encode(head));
    },
    async pull(controller) {
      try {
        if (next === undefined) next = await walk.next();
        if (next.done) {
          controller.enqueue(enc.encode(`${tail}`));
          controller.close();
          return;
        }
        const e: LayerEntry = next.value;
        next = undefined;
        if (++count > LAYER_ENTRIES_MAX) {
          await walk.return(undefined).catch(() => {});
          controller.enqueue(
            enc.encode(await _note(`Listing stopped after ${LAYER_ENTRIES_MAX} entries.`)),
          );
          controller.enqueue(enc.encode(tail));
          controller.close();
          return;
        }
        controller.enqueue(enc.encode(await _row(e)));
      } catch (err) {
        const msg = (err instanceof Error ? err.message : String(err)).replaceAll(`${st.dir}/`, "");
        controller.enqueue(enc.encode(await _note(`Cannot read the rest of the layer: ${msg}`)));
        controller.enqueue(enc.encode(tail));
        controller.close();
      }
    },
    async cancel() {
      await walk.return(undefined).catch(() => {});
    },
  });
  return new Response(body, {
    status: 200,
    headers: PAGE_HEADERS,
  });
}

async function _note(text: string): Promise<string> {
  return String(
    await (
      <tr>
        <td colspan={5} class="error" role="alert">{text}</td>
      </tr>
    ),
  );
}
