/**
 * ocictl as a library: the stable engine API (references, digests,
 * manifests, transports and the client facade).
 *
 * @module
 */
export * from "./src/mod.ts";
