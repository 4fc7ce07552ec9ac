/**
 * The referrers route of `ocictl serve`: the referrers of a digest as an OCI
 * index, filtered by artifact type and paged by size.
 *
 * @module
 */
import type { Descriptor } from "../types/descriptor.ts";
import { MediaType } from "../types/media_type.ts";
import type { Route } from "./routes.ts";
import { asciiOrder, digestParam, jsonResponse, type ServeState } from "./_serve_state.ts";

/**
 * `GET /v2/<name>/referrers/<digest>`, filtered by `artifactType` and
 * paged by bytes.
 *
 * @param st the registry's state
 * @param url the request URL
 * @param route the parsed route
 * @returns an OCI index of the referrers
 * @throws {ApiError} for a malformed digest
 */
export async function referrers(
  st: ServeState,
  url: URL,
  route: Route & { kind: "referrers" },
): Promise<Response> {
  const d = digestParam(route.digest);
  const artifactType = url.searchParams.get("artifactType") ?? undefined;
  let descs: Descriptor[] = [];
  if (await st.repoExists(route.name)) {
    descs = await st.t.referrerList(st.ref(route.name, "", d.value), { artifactType });
  }
  descs.sort((a, b) => asciiOrder(a.digest, b.digest));
  const last = url.searchParams.get("last");
  if (last !== null) descs = descs.filter((x) => x.digest > last);
  const budget = st.limits.referrersBytes - 200;
  const page: Descriptor[] = [];
  let used = 0;
  for (const x of descs) {
    const size = JSON.stringify(x).length + 1;
    if (page.length > 0 && used + size > budget) break;
    page.push(x);
    used += size;
  }
  const headers: Record<string, string> = { "Content-Type": MediaType.OCI_INDEX };
  if (artifactType !== undefined) headers["OCI-Filters-Applied"] = "artifactType";
  const tail = page.at(-1);
  if (page.length < descs.length && tail !== undefined) {
    const next = new URLSearchParams({ last: tail.digest });
    if (artifactType !== undefined) next.set("artifactType", artifactType);
    headers["Link"] = `</v2/${route.name}/referrers/${d.value}?${next}>; rel="next"`;
  }
  return jsonResponse(
    200,
    { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: page },
    headers,
  );
}
