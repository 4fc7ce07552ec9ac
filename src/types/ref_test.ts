import assert from "node:assert/strict";
import { InvalidDigestError, InvalidReferenceError, UnknownSchemeError } from "../errors.ts";
import { digestOf } from "./digest.ts";
import {
  addDigest,
  commonName,
  equalRegistry,
  equalRepository,
  parseRef,
  parseRegistry,
  type Ref,
  referenceString,
  withDigest,
  withoutReference,
  withTag,
} from "./ref.ts";

const D256 = await digestOf(new TextEncoder().encode("ref test"));
const D512 = await digestOf(new TextEncoder().encode("ref test"), "sha512");
const HEX = D256.slice("sha256:".length);

interface Good {
  input: string;
  want: Partial<Ref>;
  name?: string;
}

function reg(registry: string, repository: string, tag: string, digest = ""): Partial<Ref> {
  return { scheme: "reg", registry, repository, path: "", tag, digest };
}

function dir(path: string, tag: string, digest = ""): Partial<Ref> {
  return { scheme: "ocidir", registry: "", repository: "", path, tag, digest };
}

const good: Good[] = [
  { input: "alpine", want: reg("docker.io", "library/alpine", "latest"), name: "alpine:latest" },
  { input: "alpine:3.20", want: reg("docker.io", "library/alpine", "3.20") },
  { input: "docker.io/alpine", want: reg("docker.io", "library/alpine", "latest") },
  { input: "user/app:1.0", want: reg("docker.io", "user/app", "1.0") },
  { input: "index.docker.io/x", want: reg("docker.io", "library/x", "latest") },
  { input: "registry-1.docker.io/x", want: reg("docker.io", "library/x", "latest") },
  {
    input: "index.docker.io/library/alpine",
    want: reg("docker.io", "library/alpine", "latest"),
  },
  { input: "regclient/regctl:edge", want: reg("docker.io", "regclient/regctl", "edge") },
  { input: "example.com/group/image:v42", want: reg("example.com", "group/image", "v42") },
  { input: "localhost/app", want: reg("localhost", "app", "latest") },
  { input: "localhost:5000/group/image:v42", want: reg("localhost:5000", "group/image", "v42") },
  { input: "127.0.0.1:5000/image:v42", want: reg("127.0.0.1:5000", "image", "v42") },
  { input: "registry:5000/group/image", want: reg("registry:5000", "group/image", "latest") },
  { input: "[::1]:5000/a/b:t", want: reg("[::1]:5000", "a/b", "t") },
  { input: "[fe80::1]/a", want: reg("[fe80::1]", "a", "latest") },
  { input: "EXAMPLE/group-image:V42", want: reg("EXAMPLE", "group-image", "V42") },
  { input: "Example-1/image:1.0-BETA", want: reg("Example-1", "image", "1.0-BETA") },
  { input: "example./g/roup/image:a", want: reg("example.", "g/roup/image", "a") },
  { input: "example.com:5000/g/roup/image:a", want: reg("example.com:5000", "g/roup/image", "a") },
  { input: "e.xample.co/g/roup/image:a", want: reg("e.xample.co", "g/roup/image", "a") },
  { input: `alpine@${D256}`, want: reg("docker.io", "library/alpine", "", D256) },
  { input: `alpine@${D512}`, want: reg("docker.io", "library/alpine", "", D512) },
  { input: `host:5000/a/b:t@${D256}`, want: reg("host:5000", "a/b", "t", D256) },
  {
    input: "a/b__c/d-e/f.g/h_i/j---k:tag",
    want: reg("docker.io", "a/b__c/d-e/f.g/h_i/j---k", "tag"),
  },
  { input: "alpine:_under", want: reg("docker.io", "library/alpine", "_under") },
  { input: `alpine:${"t".repeat(128)}`, want: reg("docker.io", "library/alpine", "t".repeat(128)) },
  { input: "ocidir://dir", want: dir("dir", "latest") },
  { input: "ocidir://dir/:v1", want: dir("dir", "v1") },
  { input: "ocidir:///abs/dir/", want: dir("/abs/dir", "latest") },
  { input: "ocidir://relative/path:tag", want: dir("relative/path", "tag") },
  { input: "ocidir://path/to/DIR:v1.2.3", want: dir("path/to/DIR", "v1.2.3") },
  { input: `ocidir://dir@${D256}`, want: dir("dir", "", D256) },
  { input: `ocidir://dir:t@${D256}`, want: dir("dir", "t", D256) },
  { input: "ocidir:///abs/path:tag", want: dir("/abs/path", "tag") },
  { input: "ocidir://../up/dir", want: dir("../up/dir", "latest") },
  { input: "ocidir://./my layout:v1", want: dir("./my layout", "v1") },
  { input: "ocidir://dir.v2/x-y_z", want: dir("dir.v2/x-y_z", "latest") },
];

for (const { input, want, name } of good) {
  Deno.test(`parseRef() parses ${JSON.stringify(input)}${name ? ` as ${name}` : ""}`, () => {
    const ref = parseRef(input);
    assert.deepEqual(ref, { scheme: "reg", registry: "", repository: "", path: "", ...want });
  });
}

Deno.test("parseRef() maps alpine to docker.io/library/alpine:latest", () => {
  assert.equal(commonName(parseRef("alpine")), "docker.io/library/alpine:latest");
});

interface Bad {
  input: string;
  why: string;
  error?: typeof InvalidReferenceError | typeof UnknownSchemeError;
}

const longName = `example.com/${"a".repeat(255 - "example.com/".length + 1)}`;
const maxName = `example.com/${"a".repeat(255 - "example.com/".length)}`;

const bad: Bad[] = [
  { input: "", why: "empty" },
  { input: " ", why: "whitespace only" },
  { input: " alpine", why: "leading whitespace" },
  { input: "alpine ", why: "trailing whitespace" },
  { input: "alp ine", why: "inner whitespace" },
  { input: "alpine\n", why: "trailing newline" },
  { input: "Host.Example.com/Repo", why: "uppercase repository" },
  { input: "docker.io/Upper/Case/Repo:tag", why: "uppercase repository path" },
  { input: "Alpine", why: "uppercase single name" },
  { input: "-docker.io/project/image:tag", why: "host with leading dash" },
  { input: "docker-.io/project/image:tag", why: "host with trailing dash" },
  { input: "foo_bar.com/x", why: "host with underscore" },
  { input: "host:port/x", why: "non-numeric port" },
  { input: "host:/x", why: "empty port" },
  { input: "host:99999/x", why: "port out of range" },
  { input: "[::1/x", why: "unclosed IPv6 literal" },
  { input: "[zz::1]:5000/x", why: "bad IPv6 literal" },
  { input: "project/-image:tag", why: "repository component with leading dash" },
  { input: "project/image-:tag", why: "repository component with trailing dash" },
  { input: "project/image.:tag", why: "repository component with trailing dot" },
  { input: "project/a...b", why: "repository with repeated dots" },
  { input: "project/a___b", why: "repository with three underscores" },
  { input: "project/star*:tag", why: "repository with a star" },
  { input: "a//b", why: "double slash" },
  { input: "a/b/", why: "trailing slash" },
  { input: "/a/b", why: "leading slash" },
  { input: "localhost", why: "localhost without repository" },
  { input: "localhost:5000", why: "localhost with port and no repository" },
  { input: "localhost:5000/", why: "registry only with slash" },
  { input: "alpine:", why: "empty tag" },
  { input: "alpine:tag^1", why: "tag with caret" },
  { input: "alpine:.tag", why: "tag with leading dot" },
  { input: "alpine:-tag", why: "tag with leading dash" },
  { input: `alpine:${"t".repeat(129)}`, why: "tag longer than 128" },
  { input: "alpine@", why: "empty digest" },
  { input: "alpine@sha256:12345", why: "short digest" },
  { input: `alpine@sha256:${HEX.toUpperCase()}`, why: "uppercase digest hex" },
  { input: `alpine@sha256:gggg${HEX.slice(4)}`, why: "digest with non-hex characters" },
  { input: `alpine@md5:${HEX}`, why: "unsupported digest algorithm" },
  { input: `alpine@sha256:../${HEX.slice(3)}`, why: "digest with a path" },
  { input: `alpine@${D256}@${D256}`, why: "two digests" },
  { input: `alpine@${D256}:tag`, why: "tag after digest" },
  { input: longName, why: "name longer than 255" },
  { input: "ocidir://", why: "ocidir with empty path" },
  { input: "ocidir://:tag", why: "ocidir with only a tag" },
  { input: `ocidir://@${D256}`, why: "ocidir with only a digest" },
  { input: "ocidir://dir:", why: "ocidir with empty tag" },
  { input: "ocidir://filename:tag=fail", why: "ocidir with bad tag" },
  { input: "ocidir://filename@sha256:abcd", why: "ocidir with short digest" },
  { input: "ocidir://invalid*filename:tag", why: "ocidir path with a star" },
  { input: "ocidir://a:b/c", why: "ocidir path with a colon" },
  { input: "ocidir://a//b", why: "ocidir path with double slash" },
  { input: "ocidir:// dir", why: "ocidir path with leading space" },
  { input: "HTTP://host/x", why: "uppercase scheme-like prefix" },
  { input: "ocifile://", why: "ocifile without a path" },
  { input: "ocifile://a*b.tar", why: "ocifile path with unsupported characters" },
  { input: "unknown://repo:tag", why: "unknown scheme", error: UnknownSchemeError },
  { input: "https://example.com/a", why: "https scheme", error: UnknownSchemeError },
];

for (const { input, why, error } of bad) {
  const cls = error ?? InvalidReferenceError;
  Deno.test(`parseRef() rejects ${JSON.stringify(input)} (${why}) with ${cls.name}`, () => {
    assert.throws(() => parseRef(input), (e: unknown) => {
      assert.ok(e instanceof cls, `got ${String(e)}`);
      assert.equal(e.code, cls === UnknownSchemeError ? "UNKNOWN_SCHEME" : "INVALID_REFERENCE");
      return true;
    });
  });
}

Deno.test("parseRef() accepts a name of exactly 255 characters", () => {
  assert.equal(maxName.length, 255);
  assert.equal(parseRef(maxName).repository.length, 255 - "example.com/".length);
});

Deno.test("parseRef() counts the normalised docker.io/library/ name against 255", () => {
  const repo = "a".repeat(255 - "docker.io/library/".length);
  assert.equal(parseRef(repo).repository, `library/${repo}`);
  assert.throws(() => parseRef(`${repo}a`), InvalidReferenceError);
});

Deno.test("parseRef() rejects only the unknown scheme, not the text after it", () => {
  assert.throws(() => parseRef("ocifoo://x"), (e: unknown) => {
    assert.ok(e instanceof UnknownSchemeError);
    assert.equal(e.scheme, "ocifoo");
    return true;
  });
});

Deno.test("parseRef() reads ocifile://path.tar:tag and @digest with the ocidir path rules", () => {
  const a = parseRef("ocifile://out/image.tar:v1");
  assert.deepEqual(
    { ...a },
    {
      scheme: "ocifile",
      registry: "",
      repository: "",
      path: "out/image.tar",
      tag: "v1",
      digest: "",
    },
  );
  const b = parseRef(`ocifile://image.tar@${D256}`);
  assert.equal(b.scheme, "ocifile");
  assert.equal(b.tag, "");
  assert.equal(b.digest, D256);
  assert.equal(parseRef("ocifile://image.tar").tag, "latest");
  assert.equal(commonName(a), "ocifile://out/image.tar:v1");
  assert.ok(equalRepository(a, parseRef("ocifile://out/image.tar:v2")));
  assert.ok(!equalRepository(a, parseRef("ocidir://out/image.tar:v1")));
  assert.ok(!equalRegistry(a, b));
});

const roundTrips: [string, string][] = [
  ["alpine", "docker.io/library/alpine:latest"],
  ["docker.io/group/image:tag", "docker.io/group/image:tag"],
  [`localhost:5000/a:t@${D256}`, `localhost:5000/a:t@${D256}`],
  [`localhost:5000/a@${D256}`, `localhost:5000/a@${D256}`],
  ["[::1]:5000/a:t", "[::1]:5000/a:t"],
  ["ocidir://dir:tag", "ocidir://dir:tag"],
  ["ocidir://dir", "ocidir://dir:latest"],
  [`ocidir://dir@${D256}`, `ocidir://dir@${D256}`],
  ["ocifile://dir/x.tar:tag", "ocifile://dir/x.tar:tag"],
  ["ocidir:///abs/path:tag", "ocidir:///abs/path:tag"],
];
for (const [input, want] of roundTrips) {
  Deno.test(`commonName() prints ${JSON.stringify(input)} as ${want} and parses back`, () => {
    const ref = parseRef(input);
    assert.equal(commonName(ref), want);
    assert.deepEqual(parseRef(commonName(ref)), ref);
  });
}

Deno.test("withTag() sets the tag and clears the digest", () => {
  const ref = withTag(parseRef(`host:5000/a:t@${D256}`), "v2");
  assert.equal(ref.tag, "v2");
  assert.equal(ref.digest, "");
  assert.equal(ref.repository, "a");
});

Deno.test("withTag() rejects a malformed tag with InvalidReferenceError", () => {
  for (const tag of ["", ".x", "a/b", "a:b", "t".repeat(129)]) {
    assert.throws(() => withTag(parseRef("alpine"), tag), (e: unknown) => {
      assert.ok(e instanceof InvalidReferenceError);
      assert.equal(e.code, "INVALID_REFERENCE");
      return true;
    });
  }
});

Deno.test("withDigest() sets the digest and clears the tag", () => {
  const ref = withDigest(parseRef("ocidir://dir:t"), D256);
  assert.equal(ref.digest, D256);
  assert.equal(ref.tag, "");
  assert.equal(ref.path, "dir");
});

Deno.test("addDigest() sets the digest and keeps the tag", () => {
  const ref = addDigest(parseRef("alpine:3"), D512);
  assert.equal(ref.digest, D512);
  assert.equal(ref.tag, "3");
});

Deno.test("withDigest() and addDigest() reject malformed digests with InvalidDigestError", () => {
  for (const digest of ["", "sha256:abc", `md5:${HEX}`, `sha256:../${HEX.slice(3)}`]) {
    for (const fn of [withDigest, addDigest]) {
      assert.throws(() => fn(parseRef("alpine"), digest), (e: unknown) => {
        assert.ok(e instanceof InvalidDigestError);
        assert.equal(e.code, "INVALID_DIGEST");
        return true;
      });
    }
  }
});

Deno.test("ref helpers leave the original reference unchanged", () => {
  const ref = parseRef(`host:5000/a:t@${D256}`);
  const before = { ...ref };
  withTag(ref, "x");
  withDigest(ref, D512);
  addDigest(ref, D512);
  withoutReference(ref);
  assert.deepEqual(ref, before);
});

Deno.test("withoutReference() drops tag and digest", () => {
  for (const input of [`host:5000/a:t@${D256}`, "ocidir://dir:t"]) {
    const ref = withoutReference(parseRef(input));
    assert.equal(ref.tag, "");
    assert.equal(ref.digest, "");
    assert.equal(referenceString(ref), "");
  }
});

Deno.test("referenceString() prefers the digest over the tag", () => {
  assert.equal(referenceString(parseRef(`host:5000/a:t@${D256}`)), D256);
  assert.equal(referenceString(parseRef("host:5000/a:t")), "t");
  assert.equal(referenceString(parseRef("host:5000/a")), "latest");
});

const equalCases: [string, string, boolean, boolean][] = [
  ["host:5000/repo:a", "host:5000/repo:b", true, true],
  ["host:5000/repo-a", "host:5000/repo-b", true, false],
  ["host:5000/repo", "host:5001/repo", false, false],
  ["alpine", "index.docker.io/library/alpine:edge", true, true],
  ["ocidir://path/to/dir:a", `ocidir://path/to/dir@${D256}`, true, true],
  ["ocidir://path/a", "ocidir://path/b", false, false],
  ["localhost/dir", "ocidir://dir", false, false],
];
for (const [a, b, sameRegistry, sameRepository] of equalCases) {
  Deno.test(`equalRegistry()/equalRepository() compare ${a} and ${b}`, () => {
    const ra = parseRef(a);
    const rb = parseRef(b);
    assert.equal(equalRegistry(ra, rb), sameRegistry);
    assert.equal(equalRegistry(rb, ra), sameRegistry);
    assert.equal(equalRepository(ra, rb), sameRepository);
    assert.equal(equalRepository(rb, ra), sameRepository);
  });
}

const registries: [string, string][] = [
  ["localhost", "localhost"],
  ["localhost:5000", "localhost:5000"],
  ["example.com", "example.com"],
  ["registry.example.com:443", "registry.example.com:443"],
  ["127.0.0.1:5000", "127.0.0.1:5000"],
  ["[::1]:5000", "[::1]:5000"],
  ["docker.io", "docker.io"],
  ["index.docker.io", "docker.io"],
  ["registry-1.docker.io", "docker.io"],
  ["myregistry", "myregistry"],
];
for (const [input, want] of registries) {
  Deno.test(`parseRegistry() maps ${input} to ${want}`, () => {
    assert.equal(parseRegistry(input), want);
  });
}

const badRegistries = [
  "",
  " ",
  "localhost:5000/repo",
  "localhost/",
  "alpine:latest",
  `localhost@${D256}`,
  "-bad.example.com",
  "host:",
  "host:70000",
  "ocidir://dir",
  "https://example.com",
  "under_score.com",
];
for (const input of badRegistries) {
  Deno.test(`parseRegistry() rejects ${JSON.stringify(input)}`, () => {
    assert.throws(() => parseRegistry(input), (e: unknown) => {
      assert.ok(e instanceof InvalidReferenceError);
      assert.equal(e.code, "INVALID_REFERENCE");
      return true;
    });
  });
}
