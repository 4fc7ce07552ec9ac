// deno-lint-ignore-file no-console
/**
 * `deno task doc`: every exported symbol of the engine, the plugins and the
 * entry points has JSDoc (`deno doc --lint` over every `.ts` and `.tsx` module but tests and
 * their helpers).
 *
 * @module
 */

/**
 * Lists the modules whose exports must be documented.
 *
 * @param root the repository root
 * @returns paths relative to the root, sorted
 */
export function documentedModules(root: string): string[] {
  const out: string[] = ["main.ts", "mod.ts"];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${root}/${dir}`)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (/\.tsx?$/.test(e.name) && !/_test(_helper)?\.ts$/.test(e.name)) out.push(path);
    }
  };
  walk("src");
  walk("plugins");
  return out.sort();
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const files = documentedModules(root);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...files],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) console.error("check_docs: document every export (see above)");
  Deno.exit(code);
}
