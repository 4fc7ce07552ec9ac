import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { completeWords, completionScript } from "./completion.ts";

function tree() {
  const root = new Command("x").option("-v, --verbosity <l>", "level");
  const tag = root.command("tag");
  tag.command("ls").alias("list").option("--include <r>", "include").option("--quiet", "q");
  tag.command("rm");
  root.command("secret", { hidden: true });
  return root;
}

Deno.test("completeWords() proposes subcommands, skipping option values and hidden ones", () => {
  const root = tree();
  assert.deepEqual(completeWords(root, [""]), ["tag"]);
  assert.deepEqual(completeWords(root, ["-v", "tag", "tag", ""]), ["ls", "rm"]);
  assert.deepEqual(completeWords(root, ["tag", "list", "--include", "x", "--q"]), ["--quiet"]);
  assert.deepEqual(completeWords(root, ["tag", "ls", "--v"]), ["--verbosity"]);
  assert.deepEqual(completeWords(root, ["nope", "r"]), []);
});

Deno.test("completionScript() writes bash, zsh, fish and powershell scripts and refuses others", () => {
  assert.match(
    completionScript("powershell", "ocictl"),
    /Register-ArgumentCompleter -CommandName 'ocictl' -Native[\s\S]*& 'ocictl' __complete -- @words/,
  );
  assert.match(completionScript("zsh", "ocictl"), /^#compdef ocictl/);
  assert.match(completionScript("fish", "ocictl"), /complete -c ocictl/);
  assert.throws(() => completionScript("pwsh", "ocictl"), { code: "USAGE" });
});
