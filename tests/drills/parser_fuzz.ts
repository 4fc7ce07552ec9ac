/**
 * Property-based fuzzing of every parser: for any input it returns a value
 * or throws one of our typed errors (an `OciError`), never anything else,
 * and no case takes more than two seconds.
 *
 * @module
 */
import fc from "fast-check";
import { parseBotConfig } from "../../src/bot/bot_config.ts";
import { parseAccessRules } from "../../src/serve/access.ts";
import { parseRange } from "../../src/serve/_range.ts";
import { parseBasicAuth, parseHtpasswd } from "../../src/serve/htpasswd.ts";
import { loadSyncConfig } from "../../src/sync/config.ts";
import { parseTemplate } from "../../src/template/template.ts";
import { parseLinkNext } from "../../src/transport/registry/link_header.ts";
import { parseWwwAuthenticate } from "../../src/transport/registry/www_authenticate.ts";
import { parseDigest } from "../../src/types/digest.ts";
import { parseManifest } from "../../src/types/manifest.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parsePlatform } from "../../src/types/platform.ts";
import { parseRef } from "../../src/types/ref.ts";
import type { DrillResult, DrillSize } from "./_drill.ts";
import { checkTyped, fuzzRuns, fuzzSeed, type PropertyOutcome, tokenSoup } from "./_fuzz.ts";

const HEX = "0123456789abcdef".repeat(4);
const DIGESTS = [`sha256:${HEX}`, `sha512:${HEX}${HEX}`, "sha256:", "sha384:ab", "md5:00"];
const enc = new TextEncoder();

const REF_WORDS = [
  "docker.io",
  "localhost:5000",
  "[::1]:5000",
  "registry.example.com",
  "/",
  ":",
  "@",
  "library",
  "alpine",
  "A",
  "a",
  "-",
  "_",
  "__",
  ".",
  "..",
  "ocidir://",
  "ocifile://",
  "http://",
  "latest",
  "v1.2",
  "%2f",
  "//",
  ...DIGESTS,
];
const PLATFORM_WORDS = [
  "linux",
  "windows",
  "darwin",
  "amd64",
  "arm64",
  "arm",
  "v7",
  "v8",
  "/",
  ",",
  "osver=",
  "10.0.17763",
  "local",
  "386",
  "s390x",
  "",
];
const AUTH_WORDS = [
  "Bearer",
  "Basic",
  " ",
  ",",
  "=",
  '"',
  "\\",
  "realm",
  "service",
  "scope",
  "https://auth.example/token",
  "repository:a:pull,push",
  "error",
  "invalid_token",
  "abc==",
];
const LINK_WORDS = [
  "<",
  ">",
  ";",
  " ",
  "rel",
  "=",
  '"next"',
  "next",
  "/v2/a/tags/list?n=1&last=b",
  ",",
  "http://x/",
];
const RANGE_WORDS = ["bytes", "=", "-", ",", "0", "1", "99999999999999999999", " ", "10", "items"];
const HTPASSWD_WORDS = [
  "alice",
  ":",
  "\n",
  "#",
  "$2y$05$",
  "$2a$10$",
  "$2b$",
  "/7vuGjnJz/6byPzO9BRmeeK/PI0KqOc9/a.ztpwlcJRFzuI1QP5Nq",
  "{SHA}",
  " ",
  "\r\n",
];
const TEMPLATE_WORDS = [
  "{{",
  "}}",
  "{{-",
  "-}}",
  ".",
  ".Name",
  ".Tags",
  "$",
  "$x",
  ":=",
  "=",
  "|",
  "(",
  ")",
  " ",
  "range",
  "end",
  "if",
  "else",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
  "printf",
  '"%s"',
  '"%v"',
  '"%*d"',
  "index",
  "len",
  "json",
  "jsonPretty",
  "lower",
  "upper",
  "split",
  "join",
  "eq",
  "ne",
  "lt",
  "and",
  "or",
  "not",
  "1",
  "-1",
  "0x10",
  "1e3",
  "nil",
  "true",
  '"x"',
  "`raw`",
  "/*",
  "*/",
  "\n",
];
const YAML_WORDS = [
  "version: 1\n",
  "sync:\n",
  "  - ",
  "source: ",
  "target: ",
  "type: ",
  "image",
  "repository",
  "registry",
  "\n",
  "    ",
  "tags:\n",
  "allow:\n",
  "deny:\n",
  "- ",
  '"v.*"',
  "creds:\n",
  "registry: ",
  "user: ",
  "pass: ",
  "defaults:\n",
  "parallel: ",
  "interval: ",
  "schedule: ",
  "1h",
  "* * * * *",
  "platform: ",
  "linux/amd64",
  "&a ",
  "*a",
  "<<: *a",
  '{{ env "X" }}',
  "[",
  "]",
  "{",
  "}",
  ",",
  "a.example/x",
  "b.example/x:v1",
  "ratelimit:\n",
  "min: ",
  "retry: ",
  "-1",
  "1e309",
];
const BOT_WORDS = [
  "version: 1\n",
  "defaults:\n",
  "scripts:\n",
  "  - ",
  "name: ",
  "script: ",
  "timeout: ",
  "interval: ",
  "schedule: ",
  "30s",
  "1h",
  "-1s",
  "* * * * *",
  "log('hi')",
  "|\n",
  "    ",
  "creds:\n",
  "registry: ",
  "user: ",
  "pass: ",
  "tls: ",
  "disabled",
  '{{ env "X" }}',
  "\n",
  "[",
  "]",
  "{",
  "}",
  "&a ",
  "*a",
  "<<: *a",
  "parallel: ",
  "0",
  "99999999999999999999",
];
const ACCESS_WORDS = [
  "rules:\n",
  "groups:\n",
  "  - ",
  "users: ",
  "groups: ",
  "repos: ",
  "actions: ",
  "[",
  "]",
  ",",
  "anonymous",
  "alice",
  '"*"',
  '"**"',
  "pull",
  "push",
  "delete",
  "admin",
  "\n",
  "    ",
  "devs: ",
];

function _jsonish(): fc.Arbitrary<unknown> {
  const desc = fc.record({
    mediaType: fc.constantFrom(MediaType.OCI_MANIFEST, MediaType.OCI_LAYER, "x", ""),
    digest: fc.constantFrom(...DIGESTS),
    size: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 63)),
    platform: fc.option(fc.record({ os: fc.string(), architecture: fc.string() })),
  }, { requiredKeys: [] });
  return fc.oneof(
    fc.jsonValue(),
    fc.record({
      schemaVersion: fc.oneof(fc.constant(2), fc.integer()),
      mediaType: fc.constantFrom(
        MediaType.OCI_MANIFEST,
        MediaType.OCI_INDEX,
        MediaType.DOCKER_MANIFEST,
        MediaType.DOCKER_MANIFEST_LIST,
        "application/json",
      ),
      config: desc,
      layers: fc.array(desc, { maxLength: 3 }),
      manifests: fc.array(desc, { maxLength: 3 }),
      subject: desc,
      annotations: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
    }, { requiredKeys: [] }),
  );
}

/**
 * Runs every parser property.
 *
 * @param size short (300 cases each) or full (10,000 each)
 * @param seed the seed (printed with any failure)
 * @returns one outcome per property
 */
export async function fuzzParsers(size: DrillSize, seed: number): Promise<PropertyOutcome[]> {
  const o = { runs: fuzzRuns(size), seed };
  const hostAmd64 = { os: "linux", architecture: "amd64" };
  const manifestBytes = fc.oneof(
    _jsonish().map((v) => enc.encode(JSON.stringify(v))),
    fc.uint8Array({ maxLength: 64 }),
  );
  return [
    await checkTyped("references", tokenSoup(REF_WORDS), (s) => parseRef(s), o),
    await checkTyped(
      "digests",
      tokenSoup(DIGESTS.concat([":", "a", "Z", "sha256", "+"]), 4),
      (s) => parseDigest(s),
      o,
    ),
    await checkTyped("platforms", tokenSoup(PLATFORM_WORDS), (s) => {
      parsePlatform(s);
      parsePlatform(s, { host: hostAmd64 });
    }, o),
    await checkTyped(
      "manifests and indexes",
      fc.tuple(
        manifestBytes,
        fc.option(fc.constantFrom(
          MediaType.OCI_MANIFEST,
          MediaType.OCI_INDEX,
          MediaType.DOCKER_MANIFEST,
          "text/plain",
        )),
      ),
      async ([raw, mediaType]) => await parseManifest(raw, mediaType === null ? {} : { mediaType }),
      o,
    ),
    await checkTyped(
      "WWW-Authenticate",
      tokenSoup(AUTH_WORDS, 20),
      (s) => parseWwwAuthenticate(s),
      o,
    ),
    await checkTyped(
      "Link",
      tokenSoup(LINK_WORDS, 16),
      (s) => parseLinkNext(s, new URL("http://registry.example/v2/a/tags/list")),
      o,
    ),
    await checkTyped("Range", fc.tuple(tokenSoup(RANGE_WORDS), fc.nat()), ([s, size]) => {
      const r = parseRange(s, size);
      if (typeof r === "object" && (r.start < 0 || r.end >= size || r.start > r.end)) {
        throw new Error(`range ${r.start}-${r.end} outside a ${size}-byte blob`);
      }
    }, o),
    await checkTyped("htpasswd lines and Basic headers", tokenSoup(HTPASSWD_WORDS), (s) => {
      parseBasicAuth(`Basic ${btoa(unescape(encodeURIComponent(s)))}`);
      parseBasicAuth(s);
      parseHtpasswd(s);
    }, o),
    await checkTyped(
      "Go templates (parse and execute)",
      fc.tuple(tokenSoup(TEMPLATE_WORDS, 16), fc.jsonValue({ maxDepth: 3 })),
      ([text, data]) => parseTemplate(text).execute(data, { env: {}, now: () => new Date(0) }),
      o,
    ),
    await checkTyped(
      "regsync YAML",
      tokenSoup(YAML_WORDS, 24),
      (s) => loadSyncConfig(s, { env: {}, readFile: () => "" }),
      o,
    ),
    await checkTyped(
      "regbot YAML",
      tokenSoup(BOT_WORDS, 24),
      (s) => parseBotConfig(s, { env: {}, readFile: () => "" }),
      o,
    ),
    await checkTyped(
      "serve access rules YAML",
      tokenSoup(ACCESS_WORDS, 24),
      (s) => parseAccessRules(s, ["alice"]),
      o,
    ),
  ];
}

/**
 * The parser fuzzing drill as one table row.
 *
 * @param size short or full
 * @returns the row
 */
export async function parserFuzzDrill(size: DrillSize): Promise<DrillResult> {
  const seed = fuzzSeed();
  const rss = Deno.memoryUsage().rss;
  const outcomes = await fuzzParsers(size, seed);
  const failed = outcomes.filter((x) => x.failure !== undefined);
  return {
    drill: `fuzz: ${outcomes.length} parsers`,
    cases: outcomes.reduce((n, x) => n + x.runs, 0),
    failures: failed.length,
    figures: {
      seed,
      slowestMs: Math.max(...outcomes.map((x) => x.slowestMs)).toFixed(0),
      rssGrowthMiB: ((Deno.memoryUsage().rss - rss) / 2 ** 20).toFixed(0),
    },
    notes: failed.map((x) => `${x.name}: ${x.failure}`),
  };
}
