/**
 * The verb manifest: every verb's name, summary and aliases, and a literal
 * `import()` of its module. Root help and completion read this list; a verb's
 * module is imported only when that verb runs. To add a verb, add its module
 * and one entry here.
 *
 * @module
 */
import type { VerbEntry } from "../src/cli/run.ts";

/** Every verb of ocictl, in help order. */
export const VERBS: readonly VerbEntry[] = [
  {
    name: "artifact",
    summary: "Manage artifacts and referrers (put, get, list, tree)",
    aliases: [],
    load: () => import("./artifact.ts"),
  },
  {
    name: "blob",
    summary: "Manage blobs (layers, configs)",
    aliases: ["layer"],
    load: () => import("./blob.ts"),
  },
  {
    name: "bot",
    summary: "Run regbot Lua scripts against registries (once, server; --dry-run)",
    aliases: [],
    load: () => import("./bot.ts"),
  },
  {
    name: "completion",
    summary: "Generate shell completion scripts (bash, zsh, fish, powershell)",
    aliases: [],
    load: () => import("./completion.ts"),
  },
  {
    name: "config",
    summary: "Show and change ocictl's configuration",
    aliases: [],
    load: () => import("./config.ts"),
  },
  {
    name: "image",
    summary: "Manage images (copy, export, import, get-file, inspect, check-base, …)",
    aliases: [],
    load: () => import("./image.ts"),
  },
  {
    name: "index",
    summary: "Manage indexes and manifest lists (create, add, delete)",
    aliases: [],
    load: () => import("./index.ts"),
  },
  {
    name: "manifest",
    summary: "Manage manifests (get, head, put, delete)",
    aliases: [],
    load: () => import("./manifest.ts"),
  },
  {
    name: "registry",
    summary: "Manage registry logins and settings",
    aliases: [],
    load: () => import("./registry.ts"),
  },
  {
    name: "repo",
    summary: "Manage repositories (copy, list)",
    aliases: [],
    load: () => import("./repo.ts"),
  },
  {
    name: "serve",
    summary: "Run a registry over OCI layouts (olareg's job)",
    aliases: [],
    load: () => import("./serve.ts"),
  },
  {
    name: "sync",
    summary: "Mirror images from regsync's YAML (once, check, server, config)",
    aliases: [],
    load: () => import("./sync.ts"),
  },
  {
    name: "tag",
    summary: "Manage tags (list, delete)",
    aliases: [],
    load: () => import("./tag.ts"),
  },
  {
    name: "version",
    summary: "Show the version",
    aliases: [],
    load: () => import("./version.ts"),
  },
  {
    name: "digest",
    summary: "Print the digest of stdin (regctl's hidden helper)",
    aliases: [],
    hidden: true,
    load: () => import("./digest.ts"),
  },
  {
    name: "ref",
    summary: "Parse a reference and print its parts (regctl's hidden helper)",
    aliases: [],
    hidden: true,
    load: () => import("./ref.ts"),
  },
  {
    name: "__complete",
    summary: "Propose completions for the given words (used by completion scripts)",
    aliases: [],
    hidden: true,
    load: () =>
      import("./completion.ts").then((m) => ({
        createCommand: (ctx) => m.createCompleteCommand(ctx, VERBS),
      })),
  },
];
