/**
 * The docker-style scope string of a repository, sent with every registry
 * request (token requests and challenges read it).
 *
 * @module
 */

/**
 * The docker-style scope of a repository.
 *
 * @param repository repository path
 * @param push whether push access is needed
 * @returns `repository:<repo>:pull` or `repository:<repo>:pull,push`
 *
 * @example Scopes
 * ```ts
 * import assert from "node:assert/strict";
 * import { repoScope } from "./repo_scope.ts";
 * assert.equal(repoScope("library/alpine", true), "repository:library/alpine:pull,push");
 * ```
 */
export function repoScope(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? "pull,push" : "pull"}`;
}
