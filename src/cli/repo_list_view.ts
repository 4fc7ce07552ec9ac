/**
 * The view of `repo ls`: a registry's repository names.
 *
 * @module
 */
import { type Formattable, lineList } from "./output.ts";

/** What `repo ls` formats: the names, Go field `Repositories`. */
export interface RepoListView extends Formattable {
  /** Repository names in the registry's order. */
  Repositories: string[];
}

/**
 * Builds the view of a repository list: one name per line, JSON
 * `{"repositories": [...]}` as regctl.
 *
 * @param repos repository names
 * @returns the view
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repoListView } from "./repo_list_view.ts";
 * assert.equal(repoListView(["a", "b/c"]).marshalPretty(), "a\nb/c\n");
 * ```
 */
export function repoListView(repos: string[]): RepoListView {
  return Object.assign(lineList(repos, { repositories: repos }), { Repositories: repos });
}
