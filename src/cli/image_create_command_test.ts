import assert from "node:assert/strict";
import type { CliContext } from "./context.ts";
import { createImageCreateCommand } from "./image_create_command.ts";

Deno.test("createImageCreateCommand() names the command create with regctl's aliases and flags", () => {
  const cmd = createImageCreateCommand(
    { platform: { os: "linux", architecture: "amd64" } } as CliContext,
  );
  assert.equal(cmd.name(), "create");
  assert.deepEqual(cmd.aliases(), ["init", "new"]);
  const flags = cmd.options.map((o) => o.long);
  for (
    const f of [
      "--annotation",
      "--by-digest",
      "--created",
      "--format",
      "--label",
      "--media-type",
      "--platform",
    ]
  ) {
    assert.ok(flags.includes(f), f);
  }
});
