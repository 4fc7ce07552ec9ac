/**
 * Shell completion: scripts for bash, zsh, fish and PowerShell that ask
 * `ocictl __complete -- <words>` for candidates, and the walk of the
 * commander tree that answers.
 *
 * @module
 */
import { Help } from "@commander-js/extra-typings";
import type { Option } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "./run.ts";
import { UsageError } from "../errors.ts";

/** Shells with a completion script. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;

/** One of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/**
 * Returns the completion script of a shell.
 *
 * @param shell bash, zsh, fish or powershell
 * @param program the program name
 * @returns the script text
 * @throws {UsageError} for another shell
 *
 * @example Bash
 * ```ts
 * import assert from "node:assert/strict";
 * import { completionScript } from "./completion.ts";
 * assert.match(completionScript("bash", "ocictl"), /complete -o default -F _ocictl ocictl/);
 * ```
 */
export function completionScript(shell: string, program: string): string {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, "_")}`;
  switch (shell) {
    case "bash":
      return `# bash completion for ${program}
# load with: source <(${program} completion bash)
${fn}() {
  local IFS=$'\\n'
  COMPREPLY=( $(${program} __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F ${fn} ${program}
`;
    case "zsh":
      return `#compdef ${program}
# zsh completion for ${program}
# load with: source <(${program} completion zsh)
${fn}() {
  local -a candidates
  candidates=("\${(@f)$(${program} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -a candidates
}
compdef ${fn} ${program}
`;
    case "fish":
      return `# fish completion for ${program}
# load with: ${program} completion fish | source
function __${fn}_complete
    set -l tokens (commandline -opc) (commandline -ct)
    ${program} __complete -- $tokens[2..-1] 2>/dev/null
end
complete -c ${program} -f -a '(__${fn}_complete)'
`;
    case "powershell":
      return `# powershell completion for ${program}
# load with: ${program} completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -CommandName '${program}' -Native -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @()
    foreach ($e in @($commandAst.CommandElements | Select-Object -Skip 1)) {
        if ($e.Extent.StartOffset -ge $cursorPosition) { break }
        $words += $e.Extent.Text
    }
    if ($wordToComplete -eq '') { $words += '' }
    # an empty argument reaches a native command only as "" before PowerShell 7.3
    $empty = if ($PSNativeCommandArgumentPassing -eq 'Standard') { '' } else { '""' }
    $words = @($words | ForEach-Object { if ($_ -eq '') { $empty } else { $_ } })
    & '${program}' __complete -- @words 2>$null | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`;
    default:
      throw new UsageError(
        `Cannot write completion for shell "${shell}": use bash, zsh, fish or powershell`,
      );
  }
}

/**
 * Proposes completions for the words typed so far by walking the command
 * tree: subcommands by name and alias, options of the command and its
 * ancestors (skipping option values).
 *
 * @param root the root command with every verb added
 * @param words words after the program name; the last one is being typed
 * @returns candidates starting with the last word
 * @throws never
 *
 * @example Subcommands of a verb
 * ```ts
 * import assert from "node:assert/strict";
 * import { Command } from "@commander-js/extra-typings";
 * import { completeWords } from "./completion.ts";
 * const root = new Command("x");
 * root.command("tag").command("ls");
 * assert.deepEqual(completeWords(root, ["tag", "l"]), ["ls"]);
 * ```
 */
export function completeWords(root: CommandUnknownOpts, words: readonly string[]): string[] {
  const help = new Help();
  const chain: CommandUnknownOpts[] = [root];
  let cmd = root;
  const typed = words.slice(0, -1);
  const current = words.at(-1) ?? "";
  for (let i = 0; i < typed.length; i++) {
    const w = typed[i] ?? "";
    if (w === "--") break;
    if (w.startsWith("-")) {
      const opt = _findOption(chain, w);
      if (opt && (opt.required || opt.optional) && !w.includes("=")) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub) {
      cmd = sub;
      chain.push(sub);
    }
  }
  let candidates: string[];
  if (current.startsWith("-")) {
    candidates = chain.flatMap((c) =>
      help.visibleOptions(c).flatMap((o) => [o.long, o.short].filter((f) => f !== undefined))
    );
  } else {
    candidates = help.visibleCommands(cmd).map((c) => c.name()).filter((n) => n !== "help");
  }
  return [...new Set(candidates)].filter((c) => c.startsWith(current)).sort();
}

function _findOption(chain: CommandUnknownOpts[], word: string): Option | undefined {
  const flag = word.split("=")[0];
  for (const c of chain) {
    const o = c.options.find((o) => o.long === flag || o.short === flag);
    if (o) return o as Option;
  }
  return undefined;
}
