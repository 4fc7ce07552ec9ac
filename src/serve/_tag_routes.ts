/**
 * The listing routes of `ocictl serve`: tags of a repository and the
 * catalog of repositories, paged.
 *
 * @module
 */
import { paginate } from "./_pagination.ts";
import { listRepositories } from "./_repos.ts";
import type { Route } from "./routes.ts";
import { asciiOrder, jsonResponse, type ServeState } from "./_serve_state.ts";

/**
 * `GET /v2/<name>/tags/list`, paged with `n` and `last`.
 *
 * @param st the registry's state
 * @param url the request URL
 * @param route the parsed route
 * @returns the tag list
 * @throws {ApiError} for an unknown repository
 */
export async function tags(
  st: ServeState,
  url: URL,
  route: Route & { kind: "tags" },
): Promise<Response> {
  await st.requireRepo(route.name);
  const all = (await st.t.tagList(st.ref(route.name))).sort(asciiOrder);
  const { page, link } = paginate(all, url.searchParams, `/v2/${route.name}/tags/list`);
  return jsonResponse(200, { name: route.name, tags: page }, link ? { Link: link } : {});
}

/**
 * `GET /v2/_catalog`, paged with `n` and `last`.
 *
 * @param st the registry's state
 * @param url the request URL
 * @param visible which repositories the client may see (those it may pull)
 * @returns the repository list
 * @throws never for a readable directory
 */
export async function catalog(
  st: ServeState,
  url: URL,
  visible: (repo: string) => boolean = () => true,
): Promise<Response> {
  const all = (await listRepositories(st.fs, st.dir)).filter(visible);
  const { page, link } = paginate(all, url.searchParams, "/v2/_catalog");
  return jsonResponse(200, { repositories: page }, link ? { Link: link } : {});
}
