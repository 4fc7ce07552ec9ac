/**
 * Typed errors of the engine. Every error has a stable `code` that callers and
 * tests match on; messages read "Cannot <action> <subject>: <detail>".
 *
 * @module
 */

/** Stable error codes used across ocictl. */
export const ErrorCode = {
  /** Wrong command-line usage (bad flag, bad argument count). */
  USAGE: "USAGE",
  /** A reference string that does not parse. */
  INVALID_REFERENCE: "INVALID_REFERENCE",
  /** A reference with a scheme ocictl does not know. */
  UNKNOWN_SCHEME: "UNKNOWN_SCHEME",
  /** A digest string that does not parse or uses an unsupported algorithm. */
  INVALID_DIGEST: "INVALID_DIGEST",
  /** A platform string that does not parse. */
  INVALID_PLATFORM: "INVALID_PLATFORM",
  /** Something that was asked for does not exist. */
  NOT_FOUND: "NOT_FOUND",
  /** Content whose digest is not the one expected. */
  DIGEST_MISMATCH: "DIGEST_MISMATCH",
  /** Content whose length is not the one expected (short, long, truncated). */
  SIZE_MISMATCH: "SIZE_MISMATCH",
  /** Content over a configured size limit. */
  SIZE_LIMIT: "SIZE_LIMIT",
  /** A manifest or other JSON document that is not valid. */
  MANIFEST_INVALID: "MANIFEST_INVALID",
  /** A media type that cannot be handled for this operation. */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  /** An OCI layout directory that is missing or broken. */
  LAYOUT_INVALID: "LAYOUT_INVALID",
  /** The operation is not supported by the transport. */
  UNSUPPORTED: "UNSUPPORTED",
  /** A registry answered with an error. */
  REGISTRY: "REGISTRY",
  /** The registry refused the credentials (401/403). */
  UNAUTHORIZED: "UNAUTHORIZED",
  /** The registry rate limited the request (429). */
  RATE_LIMIT: "RATE_LIMIT",
  /** The operation was cancelled (Ctrl-C, AbortSignal). */
  ABORTED: "ABORTED",
  /** A template that does not parse or fails to run. */
  TEMPLATE: "TEMPLATE",
  /** A configuration file or value that is not valid. */
  CONFIG: "CONFIG",
  /** A copy failed for a reason that has no more specific code. */
  COPY: "COPY",
  /** A bot script failed (Lua error, timeout, memory bound). */
  SCRIPT: "SCRIPT",
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCodeValue = typeof ErrorCode[keyof typeof ErrorCode];

/**
 * Base class of every ocictl error.
 *
 * @example Matching on the code
 * ```ts
 * import { OciError, ErrorCode } from "./errors.ts";
 * const err = new OciError(ErrorCode.NOT_FOUND, "Cannot find tag \"v1\"");
 * if (err.code !== "NOT_FOUND") throw new Error("unexpected");
 * ```
 */
export class OciError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCodeValue;
  /**
   * Creates an error with a stable code; the `name` is the concrete class name.
   *
   * @param code stable code from {@link ErrorCode}
   * @param message human message ("Cannot … : …")
   * @param options standard error options (`cause`)
   */
  constructor(code: ErrorCodeValue, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A command-line usage error (exit code 2). */
export class UsageError extends OciError {
  /**
   * Creates a usage error with code `USAGE`.
   *
   * @param message what was wrong and how to fix it
   * @param options standard error options (`cause`)
   */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.USAGE, message, options);
  }
}

/** A reference that does not parse (exit code 2 from the CLI). */
export class InvalidReferenceError extends OciError {
  /** The offending input. */
  readonly input: string;
  /**
   * Creates an error with code `INVALID_REFERENCE` that keeps the input.
   *
   * @param input the reference string as given
   * @param detail why it is invalid
   * @param options standard error options (`cause`)
   */
  constructor(input: string, detail: string, options?: ErrorOptions) {
    super(ErrorCode.INVALID_REFERENCE, `Cannot parse reference "${input}": ${detail}`, options);
    this.input = input;
  }
}

/** A reference with an unknown scheme such as `xyz://`. */
export class UnknownSchemeError extends OciError {
  /** The scheme that was not recognised. */
  readonly scheme: string;
  /**
   * Creates an error with code `UNKNOWN_SCHEME` whose message lists the known schemes.
   *
   * @param input the reference string as given
   * @param scheme the scheme part
   */
  constructor(input: string, scheme: string) {
    super(
      ErrorCode.UNKNOWN_SCHEME,
      `Cannot parse reference "${input}": unknown scheme "${scheme}" (use a registry reference, ocidir://path or ocifile://file.tar)`,
    );
    this.scheme = scheme;
  }
}

/** A digest string that does not parse. */
export class InvalidDigestError extends OciError {
  /** The offending input. */
  readonly input: string;
  /**
   * Creates an error with code `INVALID_DIGEST` that keeps the input.
   *
   * @param input the digest as given
   * @param detail why it is invalid
   */
  constructor(input: string, detail: string) {
    super(ErrorCode.INVALID_DIGEST, `Cannot parse digest "${input}": ${detail}`);
    this.input = input;
  }
}

/** A platform string that does not parse. */
export class InvalidPlatformError extends OciError {
  /**
   * Creates an error with code `INVALID_PLATFORM`.
   *
   * @param input the platform as given
   * @param detail why it is invalid
   */
  constructor(input: string, detail: string) {
    super(ErrorCode.INVALID_PLATFORM, `Cannot parse platform "${input}": ${detail}`);
  }
}

/** Something does not exist (tag, manifest, blob, repository, file). */
export class NotFoundError extends OciError {
  /**
   * Creates an error with code `NOT_FOUND`.
   *
   * @param message "Cannot find …"
   * @param options standard error options (`cause`)
   */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.NOT_FOUND, message, options);
  }
}

/** Content hashed to another digest than expected. */
export class DigestMismatchError extends OciError {
  /** The digest that was expected. */
  readonly expected: string;
  /** The digest that was computed. */
  readonly actual: string;
  /**
   * Creates an error with code `DIGEST_MISMATCH` holding both digests.
   *
   * @param subject what was being verified
   * @param expected expected digest
   * @param actual computed digest
   */
  constructor(subject: string, expected: string, actual: string) {
    super(
      ErrorCode.DIGEST_MISMATCH,
      `Cannot verify ${subject}: expected digest "${expected}", got "${actual}"`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Content had another length than expected. */
export class SizeMismatchError extends OciError {
  /** The size that was expected. */
  readonly expected: number;
  /** The size that was seen (may be a lower bound for long content). */
  readonly actual: number;
  /**
   * Creates an error with code `SIZE_MISMATCH` holding both sizes.
   *
   * @param subject what was being verified
   * @param expected expected size
   * @param actual bytes seen
   */
  constructor(subject: string, expected: number, actual: number) {
    super(
      ErrorCode.SIZE_MISMATCH,
      `Cannot verify ${subject}: expected ${expected} bytes, got ${actual}`,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** Content over a size cap. */
export class SizeLimitError extends OciError {
  /** The limit in bytes. */
  readonly limit: number;
  /**
   * Creates an error with code `SIZE_LIMIT` holding the cap.
   *
   * @param subject what was being read or written
   * @param limit the cap in bytes
   */
  constructor(subject: string, limit: number) {
    super(ErrorCode.SIZE_LIMIT, `Cannot read ${subject}: larger than the limit of ${limit} bytes`);
    this.limit = limit;
  }
}

/** A manifest (or other JSON document) that is not valid. */
export class ManifestInvalidError extends OciError {
  /**
   * Creates an error with code `MANIFEST_INVALID`.
   *
   * @param message "Cannot parse manifest …: …"
   * @param options standard error options (`cause`)
   */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.MANIFEST_INVALID, message, options);
  }
}

/** A media type the operation cannot handle. */
export class UnsupportedMediaTypeError extends OciError {
  /**
   * Creates an error with code `UNSUPPORTED_MEDIA_TYPE`.
   *
   * @param message what media type and what operation
   */
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message);
  }
}

/** An OCI layout directory that is missing or broken. */
export class LayoutError extends OciError {
  /** The file or directory at fault. */
  readonly path: string;
  /**
   * Creates an error with code `LAYOUT_INVALID` holding the path at fault.
   *
   * @param path the file or directory at fault
   * @param message "Cannot read OCI layout …: …"
   * @param options standard error options (`cause`)
   */
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(ErrorCode.LAYOUT_INVALID, message, options);
    this.path = path;
  }
}

/** The transport does not support the operation. */
export class UnsupportedError extends OciError {
  /**
   * Creates an error with code `UNSUPPORTED`.
   *
   * @param message what is not supported and what to do instead
   */
  constructor(message: string) {
    super(ErrorCode.UNSUPPORTED, message);
  }
}

/** One entry of a distribution-spec error body. */
export interface RegistryErrorEntry {
  /** Spec error code such as `MANIFEST_UNKNOWN`. */
  code: string;
  /** Human message from the registry. */
  message?: string;
  /** Free-form detail. */
  detail?: unknown;
}

/** A registry answered with an HTTP error. */
export class RegistryError extends OciError {
  /** HTTP status. */
  readonly status: number;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** URL of the failed request. */
  readonly url: string;
  /** Decoded OCI error list. */
  readonly errors: RegistryErrorEntry[];
  /**
   * Creates an error for a failed registry request; the code is `REGISTRY`
   * unless `options.code` names a more specific one (e.g. `UNAUTHORIZED`).
   *
   * @param message "Cannot … : registry returned 404 Not Found"
   * @param info status, method, url and the decoded OCI `errors[]` (default empty)
   * @param options standard error options (`cause`) plus an optional `code`
   */
  constructor(
    message: string,
    info: { status: number; method: string; url: string; errors?: RegistryErrorEntry[] },
    options?: ErrorOptions & { code?: ErrorCodeValue },
  ) {
    super(options?.code ?? ErrorCode.REGISTRY, message, options);
    this.status = info.status;
    this.method = info.method;
    this.url = info.url;
    this.errors = info.errors ?? [];
  }
}

/** The operation was cancelled. */
export class AbortedError extends OciError {
  /**
   * Creates an error with code `ABORTED`.
   *
   * @param message what was cancelled
   * @param options standard error options (`cause`, usually the abort reason)
   */
  constructor(message = "Cannot finish: the operation was cancelled", options?: ErrorOptions) {
    super(ErrorCode.ABORTED, message, options);
  }
}

/** A configuration file or value that is not valid. */
export class ConfigError extends OciError {
  /**
   * Creates an error with code `CONFIG`.
   *
   * @param message what is wrong and where
   * @param options standard error options (`cause`)
   */
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.CONFIG, message, options);
  }
}

/** Why a bot script stopped. */
export type ScriptFailure = "error" | "syntax" | "timeout" | "memory";

/** A bot script that failed: a Lua error, a syntax error, its timeout or its memory bound. */
export class ScriptError extends OciError {
  /** The script's name from the config. */
  readonly script: string;
  /** Why it stopped. */
  readonly reason: ScriptFailure;
  /** The Lua line the error was raised at, when known. */
  readonly line: number | undefined;
  /**
   * Creates an error with code `SCRIPT`.
   *
   * @param script the script's name
   * @param reason why it stopped
   * @param message what happened, naming the script and line
   * @param line the Lua line, when known
   * @param options standard error options (`cause`)
   */
  constructor(
    script: string,
    reason: ScriptFailure,
    message: string,
    line?: number,
    options?: ErrorOptions,
  ) {
    super(ErrorCode.SCRIPT, message, options);
    this.script = script;
    this.reason = reason;
    this.line = line;
  }
}

/**
 * Tells whether an error is an {@link OciError} with the given code.
 *
 * @param err any thrown value
 * @param code the code to test for
 * @returns true when `err` carries `code`
 */
export function isErrorCode(err: unknown, code: ErrorCodeValue): err is OciError {
  return err instanceof OciError && err.code === code;
}
