/**
 * `ocictl ref` (hidden, as in regctl): parses a reference and prints its
 * parts through a template (`{{.Registry}}`, `{{.Repository}}`, …).
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "../src/cli/run.ts";
import type { CliContext } from "../src/cli/context.ts";
import { refArg } from "../src/cli/arguments.ts";
import { writeFormatted } from "../src/cli/output.ts";
import { markPluginLoaded } from "../src/cli/plugin_registry.ts";
import { GoRef } from "../src/gotypes/regclient_ref.ts";
import { addDigest, commonName, type Ref, withDigest, withTag } from "../src/types/ref.ts";

markPluginLoaded("ref");

function _toReg(ref: Ref): Ref {
  if (ref.scheme === "reg") return ref;
  const parts: string[] = [];
  for (const p of ref.path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  const repository = parts.join("/").toLowerCase().replace(/[^/a-z0-9]+/g, "-");
  return { ...ref, scheme: "reg", registry: "localhost", repository };
}

/**
 * A reference with regclient's `ref.Ref` fields (in its order) and methods,
 * for `--format`; `{{.}}` and `{{json .}}` show it as Go does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RefView } from "./ref.ts";
 * import { parseRef } from "../src/types/ref.ts";
 * const v = RefView.from(parseRef("nginx"), "nginx");
 * assert.equal(v.Registry, "docker.io");
 * assert.equal(v.SetTag("v2").CommonName(), "docker.io/library/nginx:v2");
 * ```
 */
export class RefView extends GoRef {
  #ref: Ref = { scheme: "reg", registry: "", repository: "", path: "", tag: "", digest: "" };

  /**
   * Wraps a parsed reference.
   *
   * @param ref the reference
   * @param reference the text it was parsed from (default its common name)
   * @returns the view
   */
  static from(ref: Ref, reference: string = commonName(ref)): RefView {
    const v = new RefView();
    Object.assign(v, GoRef.of(ref, reference));
    v.#ref = ref;
    return v;
  }

  /** Names a repository (or a layout path). @returns whether set */
  IsSetRepo(): boolean {
    const r = this.#ref;
    return r.scheme === "reg" ? r.registry !== "" && r.repository !== "" : r.path !== "";
  }
  /** Has a repository, and a tag or digest for a registry (regclient's rule). @returns whether set */
  override IsSet(): boolean {
    const r = this.#ref;
    return this.IsSetRepo() && (r.scheme !== "reg" || r.tag !== "" || r.digest !== "");
  }
  /** The common name. @returns `registry/repo:tag@digest` or `ocidir://path:tag` */
  override CommonName(): string {
    return commonName(this.#ref);
  }
  /** The reference with this tag and no digest. @param tag the tag @returns the new view */
  SetTag(tag: string): RefView {
    return RefView.from(withTag(this.#ref, tag));
  }
  /** The reference with this digest and no tag. @param digest the digest @returns the new view */
  SetDigest(digest: string): RefView {
    return RefView.from(withDigest(this.#ref, digest));
  }
  /** The reference with this digest added, tag kept. @param digest the digest @returns the new view */
  AddDigest(digest: string): RefView {
    return RefView.from(addDigest(this.#ref, digest));
  }
  /** A layout reference as regctl maps it to a registry (`localhost/<path>`). @returns the new view */
  ToReg(): RefView {
    return RefView.from(_toReg(this.#ref), this.Reference);
  }
  /** regctl's pretty form: the common name. @returns the name */
  marshalPretty(): string {
    return this.CommonName();
  }
}

/**
 * Builds the hidden `ref` command.
 *
 * @param ctx command context
 * @returns the command
 * @throws never
 */
export function createCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command("ref")
    .description("Parse a reference and print its parts (regctl's hidden helper)")
    .argument("<ref>", "image reference")
    .option("--format <format>", "Go template over the reference", "{{.CommonName}}")
    .addHelpText("after", `\nExample:\n  ocictl ref nginx --format '{{ .Registry }}'\n`)
    .action(async (arg, opts) => {
      await writeFormatted(ctx, RefView.from(refArg(arg), arg), opts.format);
    }) as unknown as CommandUnknownOpts;
}
