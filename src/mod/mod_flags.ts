/**
 * The flags of `image mod` that add steps: names, value placeholders and
 * help. Data only, so that building the command loads none of the step
 * parsers (`mod_step.ts` reads the values when the command runs).
 *
 * @module
 */

/** The flags of `image mod` that add steps, with their value placeholder (none: a switch). */
export const MOD_FLAGS: Readonly<Record<string, { arg?: string; help: string; hidden?: true }>> = {
  "annotation": {
    arg: "[platforms]name=value",
    help: "set a manifest annotation (empty value deletes)",
  },
  "annotation-base": { arg: "image,digest", help: "set the base image annotations" },
  "annotation-promote": { help: "promote annotations common to every child to the index" },
  "author": { arg: "name", help: "set the config author" },
  "buildarg-rm": { arg: "name=value", help: "remove a build arg from the history" },
  "buildarg-rm-regex": { arg: "name=regex", help: "remove a build arg whose value matches" },
  "config-cmd": { arg: "cmd", help: "set the command (JSON array or string; empty deletes)" },
  "config-entrypoint": {
    arg: "cmd",
    help: "set the entrypoint (JSON array or string; empty deletes)",
  },
  "config-platform": { arg: "platform", help: "set the platform in the config" },
  "config-time": {
    arg: "options",
    help: "set config times (set=, from-label=, after=, base-ref=, base-layers=)",
  },
  "config-time-max": { arg: "time", help: "limit config times", hidden: true },
  "data-max": { arg: "bytes", help: "set (or remove) descriptor data fields up to this size" },
  "digest-algo": { arg: "sha256|sha512", help: "change the digest algorithm of every descriptor" },
  "env": {
    arg: "[platforms]name=value",
    help: "set an environment variable (empty value deletes)",
  },
  "expose-add": { arg: "port", help: "add an exposed port" },
  "expose-rm": { arg: "port", help: "remove an exposed port" },
  "external-urls-rm": { help: "remove external urls from layers" },
  "file-tar-time": {
    arg: "filename=path,options",
    help: "set times inside a tar file within a layer",
  },
  "file-tar-time-max": { arg: "path,time", help: "limit times inside a tar file", hidden: true },
  "label": { arg: "[platforms]name=value", help: "set a config label (empty value deletes)" },
  "label-to-annotation": { help: "copy config labels to manifest annotations" },
  "layer-add": { arg: "tar=file|dir=path[,platform=p][,mediaType=t]", help: "append a layer" },
  "layer-compress": { arg: "gzip|zstd|none", help: "recompress layers" },
  "layer-rm-created-by": { arg: "regex", help: "remove layers whose history created_by matches" },
  "layer-rm-index": { arg: "index", help: "remove a layer by index (0 first)" },
  "layer-strip-file": { arg: "path", help: "remove a file or directory from every layer" },
  "layer-time": { arg: "options", help: "set file times in layers (time options)" },
  "layer-time-max": { arg: "time", help: "limit file times in layers", hidden: true },
  "rebase": { help: "rebase onto the base named by the base annotations" },
  "rebase-ref": { arg: "old,new", help: "rebase from the old base image to the new one" },
  "reproducible": { help: "clear user and group names in layer tar headers" },
  "time": { arg: "options", help: "set config and layer times (time options)" },
  "time-max": { arg: "time", help: "limit config and layer times", hidden: true },
  "to-docker": { help: "convert to Docker schema2 media types" },
  "to-oci": { help: "convert to OCI media types" },
  "to-oci-referrers": { help: "turn Docker attestation entries of an index into OCI referrers" },
  "user": { arg: "user[:group]", help: "set the config user" },
  "volume-add": { arg: "path", help: "add a volume" },
  "volume-rm": { arg: "path", help: "remove a volume" },
  "workdir": { arg: "path", help: "set the working directory" },
};
