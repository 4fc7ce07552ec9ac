import assert from "node:assert/strict";
import { loadedPlugins, markPluginLoaded } from "./plugin_registry.ts";

Deno.test("markPluginLoaded() records each name once, sorted", () => {
  markPluginLoaded("zz_test");
  markPluginLoaded("aa_test");
  markPluginLoaded("zz_test");
  const got = loadedPlugins().filter((n) => n.endsWith("_test"));
  assert.deepEqual(got, ["aa_test", "zz_test"]);
});
