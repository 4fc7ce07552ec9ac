/**
 * Records which verb modules were imported in this process, so the startup
 * check can prove that root help loads none and a verb loads only its own.
 *
 * @module
 */

const KEY = Symbol.for("ocictl.loadedPlugins");

function _set(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (g[KEY] ??= new Set<string>());
}

/**
 * Marks a verb module as imported; each plugin calls it at its top level.
 *
 * @param name the verb's module name, e.g. `tag`
 * @returns nothing
 * @throws never
 */
export function markPluginLoaded(name: string): void {
  _set().add(name);
}

/**
 * Lists the verb modules imported so far in this process.
 *
 * @returns the names, sorted
 * @throws never
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadedPlugins, markPluginLoaded } from "./plugin_registry.ts";
 * markPluginLoaded("example");
 * assert.ok(loadedPlugins().includes("example"));
 * ```
 */
export function loadedPlugins(): string[] {
  return [..._set()].sort();
}
