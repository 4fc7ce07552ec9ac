/**
 * Platform strings (`linux/arm64/v8`, `windows/amd64,osver=10.0.17763`),
 * the host platform, and picking a platform's entry out of an image index.
 *
 * @module
 */
import { InvalidPlatformError } from "../errors.ts";
import type { Descriptor, Platform } from "./descriptor.ts";

export type { Platform } from "./descriptor.ts";

/** Options of {@link parsePlatform}. */
export interface ParsePlatformOptions {
  /**
   * The host platform (from {@link hostPlatform}). Needed for `local`, a bare
   * architecture, and filling in a missing architecture.
   * @default undefined (no host: those forms are rejected)
   */
  host?: Platform | undefined;
}

const KNOWN_OS: ReadonlySet<string> = new Set([
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "illumos",
  "ios",
  "js",
  "linux",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
]);

const KNOWN_ARCH: ReadonlySet<string> = new Set([
  "386",
  "amd64",
  "arm",
  "arm64",
  "loong64",
  "mips",
  "mipsle",
  "mips64",
  "mips64le",
  "ppc64",
  "ppc64le",
  "riscv64",
  "s390x",
  "wasm",
]);

/** Architecture aliases, with the variant they imply. */
const ARCH_ALIASES: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  "x86_64": { architecture: "amd64" },
  "x86-64": { architecture: "amd64" },
  "aarch64": { architecture: "arm64" },
  "i386": { architecture: "386" },
  "armhf": { architecture: "arm", variant: "v7" },
  "armel": { architecture: "arm", variant: "v6" },
};

const OS_ALIASES: Readonly<Record<string, string>> = { macos: "darwin" };

const PART_REGEXP = /^[a-z0-9_-]+$/;
const VERSION_REGEXP = /^[A-Za-z0-9._-]+$/;
const ATTESTATION_ANNOTATION = "vnd.docker.reference.type";
const ATTESTATION_VALUE = "attestation-manifest";

/**
 * Parses a platform string: `os[/arch[/variant]][,osver=X]` (also
 * `osversion=`), `local` for the host platform, or a bare architecture such as
 * `arm64` (the OS is then the host's). A missing architecture (and variant) is
 * taken from the host when the OS is the host's OS. `arm64` gets the variant
 * `v8`; `macos`, `x86_64`, `aarch64`, `armhf`… are normalised. For `windows`,
 * a third component is the OS version (`windows/amd64/10.0.17763`).
 *
 * @param input platform string
 * @param options the host platform
 * @returns the parsed platform
 * @throws {InvalidPlatformError} when the string is malformed, or names the
 *   host (`local`, bare arch, missing arch) and no matching host was given
 *
 * @example Parse with a host
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPlatform, parsePlatform } from "./platform.ts";
 * const host = hostPlatform({ os: "linux", arch: "x86_64" });
 * assert.deepEqual(parsePlatform("linux", { host }), { os: "linux", architecture: "amd64" });
 * assert.deepEqual(parsePlatform("linux/arm64", { host }), {
 *   os: "linux",
 *   architecture: "arm64",
 *   variant: "v8",
 * });
 * ```
 */
export function parsePlatform(input: string, options: ParsePlatformOptions = {}): Platform {
  const host = options.host;
  const [main = "", ...extras] = input.split(",");
  let osVersion: string | undefined;
  for (const extra of extras) {
    const eq = extra.indexOf("=");
    const key = eq >= 0 ? extra.slice(0, eq) : extra;
    const value = eq >= 0 ? extra.slice(eq + 1) : "";
    if (key !== "osver" && key !== "osversion") {
      throw new InvalidPlatformError(input, `unknown option "${key}" (only osver= is supported)`);
    }
    if (osVersion !== undefined) {
      throw new InvalidPlatformError(input, "osver is given more than once");
    }
    if (!VERSION_REGEXP.test(value)) {
      throw new InvalidPlatformError(input, `"${value}" is not a valid OS version`);
    }
    osVersion = value;
  }

  let result: Platform;
  if (main === "local") {
    if (host === undefined) {
      throw new InvalidPlatformError(input, "the host platform is not known (use os/arch)");
    }
    result = _copyPlatform(host);
  } else {
    result = _parseMain(input, main.toLowerCase(), host);
  }
  if (osVersion !== undefined) {
    result["os.version"] = osVersion;
  }
  return result;
}

/**
 * Parses the `os[/arch[/variant]]` part.
 *
 * @param input whole input, for errors
 * @param main lowercased main part
 * @param host host platform, if known
 * @returns the platform
 * @throws {InvalidPlatformError} when malformed
 */
function _parseMain(input: string, main: string, host: Platform | undefined): Platform {
  const parts = main.split("/");
  if (parts.length > 3) {
    throw new InvalidPlatformError(input, "too many components (use os/arch/variant)");
  }
  const windowsVersion = parts[0] === "windows" && parts.length === 3;
  parts.forEach((part, i) => {
    const ok = i === 2 ? VERSION_REGEXP.test(part) : PART_REGEXP.test(part);
    if (!ok) {
      throw new InvalidPlatformError(
        input,
        part === ""
          ? "a component is empty (use os/arch[/variant])"
          : `"${part}" is not a valid platform component`,
      );
    }
  });
  let os = parts[0] ?? "";
  let arch = parts[1];
  let variant = parts[2];
  let osVersion: string | undefined;
  if (windowsVersion) {
    osVersion = variant;
    variant = undefined;
  }
  if (parts.length === 1 && !KNOWN_OS.has(os) && !(os in OS_ALIASES) && _isKnownArch(os)) {
    // A bare architecture: the OS is the host's.
    if (host === undefined) {
      throw new InvalidPlatformError(
        input,
        "the host OS is not known for a bare architecture (use os/arch)",
      );
    }
    arch = os;
    os = host.os;
  }
  os = OS_ALIASES[os] ?? os;
  if (arch === undefined) {
    if (host === undefined || host.os !== os) {
      throw new InvalidPlatformError(input, `the architecture is missing (use ${os}/<arch>)`);
    }
    return _copyPlatform({ os, architecture: host.architecture, ..._pickVariant(host) });
  }
  const alias = ARCH_ALIASES[arch];
  if (alias !== undefined) {
    arch = alias.architecture;
    variant ??= alias.variant;
  }
  if (
    variant === undefined && host !== undefined && host.os === os &&
    _normalizeArch(host.architecture) === arch && host.variant !== undefined && host.variant !== ""
  ) {
    variant = host.variant;
  }
  variant = _canonicalVariant(arch, variant ?? "");
  const out: Platform = { os, architecture: arch };
  if (variant !== "") {
    out.variant = variant;
  }
  if (osVersion !== undefined) {
    out["os.version"] = osVersion;
  }
  return out;
}

/**
 * Picks the variant field of a platform, for spreading.
 *
 * @param p platform
 * @returns `{ variant }` when set, else `{}`
 */
function _pickVariant(p: Platform): { variant?: string } {
  return p.variant !== undefined && p.variant !== "" ? { variant: p.variant } : {};
}

/**
 * Tells whether a string is a GOARCH value or an alias of one.
 *
 * @param value candidate
 * @returns true when known
 */
function _isKnownArch(value: string): boolean {
  return KNOWN_ARCH.has(value) || value in ARCH_ALIASES;
}

/**
 * Maps architecture aliases to GOARCH values.
 *
 * @param arch architecture
 * @returns normalised architecture
 */
function _normalizeArch(arch: string): string {
  return ARCH_ALIASES[arch]?.architecture ?? arch;
}

/**
 * The variant as ocictl stores it after parsing: digits get a `v` prefix for
 * arm and arm64, and arm64 defaults to `v8`.
 *
 * @param arch normalised architecture
 * @param variant variant as given ("" when none)
 * @returns canonical variant ("" when none)
 */
function _canonicalVariant(arch: string, variant: string): string {
  if ((arch === "arm" || arch === "arm64") && /^[0-9]+$/.test(variant)) {
    return `v${variant}`;
  }
  if (arch === "arm64" && variant === "") {
    return "v8";
  }
  return variant;
}

/**
 * The variant used for comparisons: arm64 "" is `v8`, arm "" is `v7`, amd64
 * `v1` is "".
 *
 * @param arch normalised architecture
 * @param variant variant ("" when none)
 * @returns variant to compare
 */
function _matchVariant(arch: string, variant: string): string {
  const v = _canonicalVariant(arch, variant);
  if (arch === "arm" && v === "") {
    return "v7";
  }
  if (arch === "amd64" && v === "v1") {
    return "";
  }
  return v;
}

/**
 * Copies a platform, dropping empty optional fields.
 *
 * @param p platform
 * @returns a fresh object
 */
function _copyPlatform(p: Platform): Platform {
  const out: Platform = { os: p.os, architecture: p.architecture };
  if (p["os.version"] !== undefined && p["os.version"] !== "") {
    out["os.version"] = p["os.version"];
  }
  if (p["os.features"] !== undefined) {
    out["os.features"] = [...p["os.features"]];
  }
  if (p.variant !== undefined && p.variant !== "") {
    out.variant = p.variant;
  }
  if (p.features !== undefined) {
    out.features = [...p.features];
  }
  return out;
}

/**
 * Maps the runtime's build information (`Deno.build`) to an OCI platform:
 * `x86_64` → `amd64`, `aarch64` → `arm64` with variant `v8`.
 *
 * @param build `{ os, arch }` as in `Deno.build`
 * @returns the host platform
 *
 * @example Apple silicon
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostPlatform } from "./platform.ts";
 * assert.deepEqual(hostPlatform({ os: "darwin", arch: "aarch64" }), {
 *   os: "darwin",
 *   architecture: "arm64",
 *   variant: "v8",
 * });
 * ```
 */
export function hostPlatform(build: { os: string; arch: string }): Platform {
  const os = OS_ALIASES[build.os] ?? build.os;
  const alias = ARCH_ALIASES[build.arch];
  const architecture = alias?.architecture ?? build.arch;
  const variant = _canonicalVariant(architecture, alias?.variant ?? "");
  return variant === "" ? { os, architecture } : { os, architecture, variant };
}

/**
 * Formats a platform as `os/arch[/variant][,osver=X]`.
 *
 * @param p platform
 * @returns e.g. `linux/arm64/v8` or `windows/amd64,osver=10.0.17763.1`
 *
 * @example Format
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPlatform } from "./platform.ts";
 * assert.equal(formatPlatform({ os: "linux", architecture: "arm", variant: "v6" }), "linux/arm/v6");
 * ```
 */
export function formatPlatform(p: Platform): string {
  let out = p.architecture === "" ? p.os : `${p.os}/${p.architecture}`;
  if (p.variant !== undefined && p.variant !== "") {
    out += `/${p.variant}`;
  }
  if (p["os.version"] !== undefined && p["os.version"] !== "") {
    out += `,osver=${p["os.version"]}`;
  }
  return out;
}

/**
 * Tells whether a platform found in an index satisfies a wanted platform: OS
 * and architecture equal; variants equal after normalisation (arm64 "" is
 * `v8`, arm "" is `v7`), or any variant when `want` has none; the OS version
 * is compared only when `want` has one (`10.0.17763` matches `10.0.17763.1`).
 *
 * @param want the platform asked for
 * @param have a platform from an index entry
 * @returns true when `have` satisfies `want`
 *
 * @example arm64 with and without variant
 * ```ts
 * import assert from "node:assert/strict";
 * import { platformMatches } from "./platform.ts";
 * assert.ok(platformMatches(
 *   { os: "linux", architecture: "arm64", variant: "v8" },
 *   { os: "linux", architecture: "arm64" },
 * ));
 * ```
 */
export function platformMatches(want: Platform, have: Platform): boolean {
  if (!_sameOsArch(want, have) || !_osVersionMatches(want, have)) {
    return false;
  }
  if (want.variant === undefined || want.variant === "") {
    return true;
  }
  const arch = _normalizeArch(want.architecture);
  return _matchVariant(arch, want.variant) === _matchVariant(arch, _variantOf(have));
}

/**
 * Compares OS and normalised architecture.
 *
 * @param a platform
 * @param b platform
 * @returns true when equal
 */
function _sameOsArch(a: Platform, b: Platform): boolean {
  return (OS_ALIASES[a.os] ?? a.os) === (OS_ALIASES[b.os] ?? b.os) &&
    _normalizeArch(a.architecture) === _normalizeArch(b.architecture);
}

/**
 * The variant of a platform, including one implied by an architecture alias.
 *
 * @param p platform
 * @returns variant, "" when none
 */
function _variantOf(p: Platform): string {
  return p.variant ?? ARCH_ALIASES[p.architecture]?.variant ?? "";
}

/**
 * Compares OS versions when `want` has one.
 *
 * @param want wanted platform
 * @param have candidate platform
 * @returns true when compatible
 */
function _osVersionMatches(want: Platform, have: Platform): boolean {
  const w = want["os.version"];
  if (w === undefined || w === "") {
    return true;
  }
  const h = have["os.version"] ?? "";
  return h === w || h.startsWith(`${w}.`);
}

/**
 * Tells whether an index entry is a BuildKit attestation manifest.
 *
 * @param d index entry
 * @returns true for `unknown/unknown` platforms or the attestation annotation
 */
function _isAttestation(d: Descriptor): boolean {
  if (d.annotations?.[ATTESTATION_ANNOTATION] === ATTESTATION_VALUE) {
    return true;
  }
  return d.platform?.os === "unknown" && d.platform.architecture === "unknown";
}

/**
 * Picks the entry for a platform out of an index's `manifests`. Entries
 * without a platform and BuildKit attestations are skipped. The first entry
 * whose normalised variant equals the wanted one wins (for a `want` without
 * variant: arm means `v7`, arm64 `v8`); else the first entry
 * {@link platformMatches} accepts; else an entry with the same OS and
 * architecture and no variant.
 *
 * @param descriptors the index's `manifests`
 * @param want the platform asked for
 * @returns the chosen entry, or undefined when none fits
 *
 * @example Pick arm64 out of a multi-platform index
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectPlatform } from "./platform.ts";
 * const entry = (os: string, architecture: string) => ({
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:" + "0".repeat(64),
 *   size: 2,
 *   platform: { os, architecture },
 * });
 * const list = [entry("linux", "amd64"), entry("linux", "arm64")];
 * assert.equal(selectPlatform(list, { os: "linux", architecture: "arm64", variant: "v8" }), list[1]);
 * ```
 */
export function selectPlatform(
  descriptors: readonly Descriptor[],
  want: Platform,
): Descriptor | undefined {
  const candidates = descriptors.filter((d) => d.platform !== undefined && !_isAttestation(d));
  const arch = _normalizeArch(want.architecture);
  const wantVariant = _matchVariant(arch, want.variant ?? "");
  const exact = candidates.find((d) =>
    d.platform !== undefined && _sameOsArch(want, d.platform) &&
    _osVersionMatches(want, d.platform) &&
    _matchVariant(arch, _variantOf(d.platform)) === wantVariant
  );
  if (exact !== undefined) {
    return exact;
  }
  const matching = candidates.find((d) =>
    d.platform !== undefined && platformMatches(want, d.platform)
  );
  if (matching !== undefined) {
    return matching;
  }
  return candidates.find((d) =>
    d.platform !== undefined && _sameOsArch(want, d.platform) &&
    _osVersionMatches(want, d.platform) && _variantOf(d.platform) === ""
  );
}
