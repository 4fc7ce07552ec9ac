/**
 * Per-repository access control of `ocictl serve` (`--access FILE`): a YAML
 * file of rules naming users and groups, repository patterns and the
 * actions `pull`, `push` and `delete`. Whatever no rule allows is denied.
 *
 * ```yaml
 * groups:
 *   devs: [alice, bob]        # members are htpasswd users
 * rules:
 *   - users: [anonymous]      # no credentials
 *     repos: ["public/**"]
 *     actions: [pull]
 *   - groups: [devs]
 *     repos: ["team/*", "team/*\/**"]
 *     actions: [pull, push, delete]
 *   - users: ["*"]            # any authenticated user
 *     repos: ["shared"]
 *     actions: [pull]
 * ```
 *
 * In a pattern `*` matches within one path component, `**` matches any
 * number of characters including `/`, and everything else matches itself.
 *
 * @module
 */
import { CORE_SCHEMA, load, YAMLException } from "js-yaml";
import { ConfigError } from "../errors.ts";

/** What a request does to a repository. */
export type AccessAction = "pull" | "push" | "delete";

/** The user name of a request without credentials. */
export const ANONYMOUS = "anonymous";

const ACTIONS: readonly AccessAction[] = ["pull", "push", "delete"];
const RULE_KEYS = new Set(["users", "groups", "repos", "actions"]);
const MAX_RULES = 10_000;
const MAX_PATTERN_LENGTH = 512;

/** Access rules, ready to answer "may this user do this to that repository". */
export interface AccessPolicy {
  /**
   * Tells whether a user may act on a repository.
   *
   * @param user an htpasswd user, or {@link ANONYMOUS}
   * @param repo repository name
   * @param action what the request does
   * @returns true when a rule allows it
   */
  allows(user: string, repo: string, action: AccessAction): boolean;
  /**
   * Tells whether any rule gives a user anything at all.
   *
   * @param user an htpasswd user, or {@link ANONYMOUS}
   * @returns true when the user has at least one rule
   */
  hasAnyRule(user: string): boolean;
}

interface _Rule {
  users: Set<string>;
  anyUser: boolean;
  repos: RegExp[];
  actions: Set<AccessAction>;
}

/**
 * Parses an access file.
 *
 * @param text YAML content
 * @param users the users of the htpasswd file (every user and group member named must be one)
 * @returns the policy
 * @throws {ConfigError} for bad YAML, an unknown key, user, group or action, or an empty list
 *
 * @example Anonymous pull on public repositories
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { parseAccessRules } from "./access.ts";
 * const p = parseAccessRules(
 *   "rules:\n  - users: [anonymous]\n    repos: ['public/**']\n    actions: [pull]\n",
 *   [],
 * );
 * equal(p.allows("anonymous", "public/app", "pull"), true);
 * equal(p.allows("anonymous", "public/app", "push"), false);
 * equal(p.allows("anonymous", "private", "pull"), false);
 * ```
 */
export function parseAccessRules(text: string, users: readonly string[]): AccessPolicy {
  let doc: unknown;
  try {
    doc = load(text, { schema: CORE_SCHEMA });
  } catch (err) {
    const where = err instanceof YAMLException && err.mark ? ` at line ${err.mark.line + 1}` : "";
    throw new ConfigError(`Cannot parse the access file${where}: fix its YAML`, { cause: err });
  }
  if (!_isRecord(doc)) {
    throw new ConfigError(
      'Cannot read the access file: expected a map with "rules" (and "groups")',
    );
  }
  for (const key of Object.keys(doc)) {
    if (key !== "rules" && key !== "groups") {
      throw new ConfigError(`Cannot read the access file: unknown key "${key}"`);
    }
  }
  const known = new Set(users);
  const groups = _groups(doc["groups"], known);
  const list = doc["rules"];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_RULES) {
    throw new ConfigError(
      `Cannot read the access file: "rules" must be a list of 1 to ${MAX_RULES} rules`,
    );
  }
  const rules = list.map((r, i) => _rule(r, i + 1, known, groups));
  return {
    allows(user, repo, action) {
      return rules.some((r) =>
        r.actions.has(action) && _names(r, user) && r.repos.some((re) => re.test(repo))
      );
    },
    hasAnyRule(user) {
      return rules.some((r) => _names(r, user));
    },
  };
}

function _names(rule: _Rule, user: string): boolean {
  return rule.users.has(user) || (rule.anyUser && user !== ANONYMOUS);
}

function _groups(value: unknown, known: Set<string>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  if (value === undefined || value === null) return groups;
  if (!_isRecord(value)) {
    throw new ConfigError('Cannot read the access file: "groups" must map names to user lists');
  }
  for (const [name, members] of Object.entries(value)) {
    const list = _strings(members, `group "${name}"`);
    for (const m of list) _requireUser(m, known, `group "${name}"`);
    groups.set(name, list);
  }
  return groups;
}

function _rule(
  value: unknown,
  n: number,
  known: Set<string>,
  groups: Map<string, string[]>,
): _Rule {
  const where = `rule ${n}`;
  if (!_isRecord(value)) {
    throw new ConfigError(`Cannot read the access file: ${where} is not a map`);
  }
  for (const key of Object.keys(value)) {
    if (!RULE_KEYS.has(key)) {
      throw new ConfigError(`Cannot read the access file: ${where} has unknown key "${key}"`);
    }
  }
  const rule: _Rule = { users: new Set(), anyUser: false, repos: [], actions: new Set() };
  for (const u of value["users"] === undefined ? [] : _strings(value["users"], `${where} users`)) {
    if (u === "*") rule.anyUser = true;
    else if (u !== ANONYMOUS) _requireUser(u, known, where);
    rule.users.add(u);
  }
  const groupNames = value["groups"] === undefined ? [] : _strings(value["groups"], where);
  for (const g of groupNames) {
    const members = groups.get(g);
    if (members === undefined) {
      throw new ConfigError(
        `Cannot read the access file: ${where} names group "${g}", which "groups" does not define`,
      );
    }
    for (const m of members) rule.users.add(m);
  }
  if (value["users"] === undefined && value["groups"] === undefined) {
    throw new ConfigError(`Cannot read the access file: ${where} needs "users" or "groups"`);
  }
  for (const p of _strings(value["repos"], `${where} repos`)) {
    if (p.length > MAX_PATTERN_LENGTH) {
      throw new ConfigError(`Cannot read the access file: ${where} has a pattern over 512 chars`);
    }
    rule.repos.push(repoPattern(p));
  }
  for (const a of _strings(value["actions"], `${where} actions`)) {
    if (!(ACTIONS as readonly string[]).includes(a)) {
      throw new ConfigError(
        `Cannot read the access file: ${where} has action "${a}"; use pull, push or delete`,
      );
    }
    rule.actions.add(a as AccessAction);
  }
  return rule;
}

/**
 * Compiles a repository pattern: `**` matches anything, `*` anything but `/`.
 *
 * @param pattern the pattern
 * @returns an anchored regular expression
 * @throws never
 */
export function repoPattern(pattern: string): RegExp {
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? "";
    if (c === "*" && pattern[i + 1] === "*") {
      src += ".*";
      i++;
    } else if (c === "*") {
      src += "[^/]*";
    } else {
      src += c.replace(/[\\^$.|?+()[\]{}/-]/g, "\\$&");
    }
  }
  return new RegExp(`^${src}$`);
}

function _requireUser(user: string, known: Set<string>, where: string): void {
  if (!known.has(user)) {
    throw new ConfigError(
      `Cannot read the access file: ${where} names user "${user}", who is not in the htpasswd file (--auth)`,
    );
  }
}

function _strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== "string")) {
    throw new ConfigError(`Cannot read the access file: ${where} must be a non-empty string list`);
  }
  return value as string[];
}

function _isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
