/**
 * The stable engine API of ocictl.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./types/digest.ts";
export * from "./types/descriptor.ts";
export * from "./types/media_type.ts";
export * from "./types/manifest.ts";
export * from "./types/platform.ts";
export * from "./types/ref.ts";
export * from "./verify_stream.ts";
export * from "./transport/transport.ts";
export * from "./client.ts";
