import { equal } from "node:assert/strict";
import { denoFileSystem } from "../transport/ocidir/file_system.ts";
import { loadSessionState, SESSION_STATE_SUFFIX } from "./upload_state.ts";

Deno.test("loadSessionState() drops unreadable, invalid and expired states and their files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const id = "a".repeat(32);
    equal(await loadSessionState(denoFileSystem, dir, id, 0, 1000), undefined, "no state");
    for (
      const state of [
        "not json",
        JSON.stringify({ repo: "r", algorithm: "md5", size: 0, file: null, lastUsed: 0 }),
        JSON.stringify({ repo: "r", algorithm: "sha256", size: 0, file: "../x", lastUsed: 0 }),
        JSON.stringify({ repo: "r", algorithm: "sha256", size: 0, file: null, lastUsed: -5000 }),
        JSON.stringify({ repo: "r", algorithm: "sha256", size: 9, file: "gone", lastUsed: 0 }),
      ]
    ) {
      await Deno.writeTextFile(`${dir}/${id}${SESSION_STATE_SUFFIX}`, state);
      equal(await loadSessionState(denoFileSystem, dir, id, 0, 1000), undefined, state);
    }
    await Deno.writeTextFile(
      `${dir}/${id}${SESSION_STATE_SUFFIX}`,
      JSON.stringify({ repo: "r", algorithm: "sha512", size: 0, file: null, lastUsed: 0 }),
    );
    const s = await loadSessionState(denoFileSystem, dir, id, 10, 1000);
    equal(s?.algorithm, "sha512");
    equal(s?.size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
