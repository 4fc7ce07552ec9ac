import assert from "node:assert/strict";
import { InvalidPlatformError } from "../errors.ts";
import { digestOf } from "./digest.ts";
import type { Descriptor } from "./descriptor.ts";
import {
  formatPlatform,
  hostPlatform,
  parsePlatform,
  type Platform,
  platformMatches,
  selectPlatform,
} from "./platform.ts";

const AMD64_HOST = hostPlatform({ os: "linux", arch: "x86_64" });
const ARM64_HOST = hostPlatform({ os: "linux", arch: "aarch64" });
const MAC_HOST = hostPlatform({ os: "darwin", arch: "aarch64" });
const ARMV6_HOST: Platform = { os: "linux", architecture: "arm", variant: "v6" };

const hosts: [{ os: string; arch: string }, Platform][] = [
  [{ os: "linux", arch: "x86_64" }, { os: "linux", architecture: "amd64" }],
  [{ os: "linux", arch: "aarch64" }, { os: "linux", architecture: "arm64", variant: "v8" }],
  [{ os: "darwin", arch: "aarch64" }, { os: "darwin", architecture: "arm64", variant: "v8" }],
  [{ os: "darwin", arch: "x86_64" }, { os: "darwin", architecture: "amd64" }],
  [{ os: "windows", arch: "x86_64" }, { os: "windows", architecture: "amd64" }],
  [{ os: "linux", arch: "riscv64" }, { os: "linux", architecture: "riscv64" }],
];
for (const [build, want] of hosts) {
  Deno.test(`hostPlatform() maps ${build.os}/${build.arch} to ${formatPlatform(want)}`, () => {
    assert.deepEqual(hostPlatform(build), want);
  });
}

const good: [string, Platform | undefined, Platform][] = [
  ["linux/amd64", undefined, { os: "linux", architecture: "amd64" }],
  ["linux/arm64", undefined, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["linux/arm64/v8", undefined, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["linux/arm64/8", undefined, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["linux/arm/v6", undefined, { os: "linux", architecture: "arm", variant: "v6" }],
  ["linux/arm/7", undefined, { os: "linux", architecture: "arm", variant: "v7" }],
  ["linux/arm", undefined, { os: "linux", architecture: "arm" }],
  ["linux/arm64/v8.1", undefined, { os: "linux", architecture: "arm64", variant: "v8.1" }],
  ["linux/ppc64le", undefined, { os: "linux", architecture: "ppc64le" }],
  ["linux/s390x", AMD64_HOST, { os: "linux", architecture: "s390x" }],
  ["Linux/AMD64", undefined, { os: "linux", architecture: "amd64" }],
  ["linux/x86_64", undefined, { os: "linux", architecture: "amd64" }],
  ["linux/aarch64", undefined, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["linux/armhf", undefined, { os: "linux", architecture: "arm", variant: "v7" }],
  ["linux/armel", undefined, { os: "linux", architecture: "arm", variant: "v6" }],
  ["linux/i386", undefined, { os: "linux", architecture: "386" }],
  ["macos/arm64", undefined, { os: "darwin", architecture: "arm64", variant: "v8" }],
  ["linux", AMD64_HOST, { os: "linux", architecture: "amd64" }],
  ["linux", ARM64_HOST, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["linux", ARMV6_HOST, { os: "linux", architecture: "arm", variant: "v6" }],
  ["linux/arm", ARMV6_HOST, { os: "linux", architecture: "arm", variant: "v6" }],
  ["linux/arm64", ARMV6_HOST, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["darwin", MAC_HOST, { os: "darwin", architecture: "arm64", variant: "v8" }],
  ["local", AMD64_HOST, { os: "linux", architecture: "amd64" }],
  ["local", MAC_HOST, { os: "darwin", architecture: "arm64", variant: "v8" }],
  ["arm64", AMD64_HOST, { os: "linux", architecture: "arm64", variant: "v8" }],
  ["amd64", MAC_HOST, { os: "darwin", architecture: "amd64" }],
  ["aarch64", AMD64_HOST, { os: "linux", architecture: "arm64", variant: "v8" }],
  [
    "windows/amd64,osver=10.0.17763.5329",
    undefined,
    { os: "windows", architecture: "amd64", "os.version": "10.0.17763.5329" },
  ],
  [
    "windows/amd64,osversion=10.0.17763",
    undefined,
    { os: "windows", architecture: "amd64", "os.version": "10.0.17763" },
  ],
  [
    "windows/amd64/10.0.20348.2113",
    undefined,
    { os: "windows", architecture: "amd64", "os.version": "10.0.20348.2113" },
  ],
  [
    "linux/arm/v7,osver=5.10",
    undefined,
    { os: "linux", architecture: "arm", variant: "v7", "os.version": "5.10" },
  ],
  [
    "local,osver=1.2",
    AMD64_HOST,
    { os: "linux", architecture: "amd64", "os.version": "1.2" },
  ],
];
for (const [input, host, want] of good) {
  const on = host === undefined ? "" : ` on a ${formatPlatform(host)} host`;
  Deno.test(`parsePlatform() parses ${JSON.stringify(input)}${on}`, () => {
    assert.deepEqual(parsePlatform(input, { host }), want);
  });
}

Deno.test("parsePlatform() maps linux on an amd64 host to linux/amd64", () => {
  assert.equal(formatPlatform(parsePlatform("linux", { host: AMD64_HOST })), "linux/amd64");
});

Deno.test("parsePlatform() returns a copy of the host for local", () => {
  const host: Platform = { os: "linux", architecture: "amd64" };
  const p = parsePlatform("local", { host });
  p.architecture = "changed";
  assert.equal(host.architecture, "amd64");
});

const bad: [string, Platform | undefined, string][] = [
  ["", AMD64_HOST, "empty"],
  [" ", AMD64_HOST, "whitespace"],
  [" linux/amd64", AMD64_HOST, "leading whitespace"],
  ["linux/amd64 ", AMD64_HOST, "trailing whitespace"],
  ["linux/", AMD64_HOST, "empty architecture"],
  ["/amd64", AMD64_HOST, "empty os"],
  ["linux//v7", AMD64_HOST, "empty middle component"],
  ["linux/arm/v7/extra", AMD64_HOST, "four components"],
  ["linux/am d64", AMD64_HOST, "space in component"],
  ["linux/arm/v+7", AMD64_HOST, "plus in variant"],
  ["linux/amd64,", AMD64_HOST, "empty option"],
  ["linux/amd64,foo=bar", AMD64_HOST, "unknown option"],
  ["linux/amd64,osver=", AMD64_HOST, "empty osver"],
  ["linux/amd64,osver=1,osver=2", AMD64_HOST, "osver twice"],
  ["linux/amd64,osver=a b", AMD64_HOST, "osver with space"],
  ["local", undefined, "local without host"],
  ["arm64", undefined, "bare arch without host"],
  ["linux", undefined, "os without host"],
  ["windows", AMD64_HOST, "os other than the host's without arch"],
  ["foo", AMD64_HOST, "unknown single word"],
  ["linux/amd64/v2/", AMD64_HOST, "trailing slash"],
];
for (const [input, host, why] of bad) {
  Deno.test(`parsePlatform() rejects ${JSON.stringify(input)} (${why})`, () => {
    assert.throws(() => parsePlatform(input, { host }), (e: unknown) => {
      assert.ok(e instanceof InvalidPlatformError, `got ${String(e)}`);
      assert.equal(e.code, "INVALID_PLATFORM");
      return true;
    });
  });
}

const formats: [Platform, string][] = [
  [{ os: "linux", architecture: "arm64", variant: "v8" }, "linux/arm64/v8"],
  [{ os: "linux", architecture: "amd64" }, "linux/amd64"],
  [{ os: "linux", architecture: "amd64", variant: "" }, "linux/amd64"],
  [{ os: "windows", architecture: "amd64", "os.version": "10.0.1" }, "windows/amd64,osver=10.0.1"],
  [{ os: "linux", architecture: "" }, "linux"],
];
for (const [p, want] of formats) {
  Deno.test(`formatPlatform() prints ${want}`, () => {
    assert.equal(formatPlatform(p), want);
  });
}

const roundTrips = [
  "linux/amd64",
  "linux/arm64/v8",
  "linux/arm/v6",
  "windows/amd64,osver=10.0.17763.1",
  "linux/riscv64",
];
for (const input of roundTrips) {
  Deno.test(`formatPlatform() round-trips ${input} through parsePlatform()`, () => {
    assert.equal(formatPlatform(parsePlatform(input)), input);
  });
}

const p = (os: string, architecture: string, variant?: string, osVersion?: string): Platform => {
  const out: Platform = { os, architecture };
  if (variant !== undefined) out.variant = variant;
  if (osVersion !== undefined) out["os.version"] = osVersion;
  return out;
};

const matches: [Platform, Platform, boolean][] = [
  [p("linux", "amd64"), p("linux", "amd64"), true],
  [p("linux", "amd64"), p("linux", "arm64"), false],
  [p("linux", "amd64"), p("windows", "amd64"), false],
  [p("linux", "arm64", "v8"), p("linux", "arm64"), true],
  [p("linux", "arm64"), p("linux", "arm64", "v8"), true],
  [p("linux", "arm64", "v8"), p("linux", "arm64", "v8"), true],
  [p("linux", "arm64", "v8"), p("linux", "arm64", "v9"), false],
  [p("linux", "arm", "v7"), p("linux", "arm"), true],
  [p("linux", "arm", "v6"), p("linux", "arm"), false],
  [p("linux", "arm", "v6"), p("linux", "arm", "v7"), false],
  [p("linux", "arm"), p("linux", "arm", "v6"), true],
  [p("linux", "amd64"), p("linux", "amd64", "v3"), true],
  [p("linux", "amd64", "v3"), p("linux", "amd64"), false],
  [p("linux", "amd64", "v1"), p("linux", "amd64"), true],
  [p("linux", "arm64", "v8"), p("linux", "aarch64"), true],
  [p("linux", "arm", "v7"), p("linux", "armhf"), true],
  [p("linux", "arm", "v7"), p("linux", "armel"), false],
  [p("windows", "amd64"), p("windows", "amd64", undefined, "10.0.17763.1"), true],
  [
    p("windows", "amd64", undefined, "10.0.17763"),
    p("windows", "amd64", undefined, "10.0.17763.1"),
    true,
  ],
  [
    p("windows", "amd64", undefined, "10.0.17763.1"),
    p("windows", "amd64", undefined, "10.0.17763.1"),
    true,
  ],
  [
    p("windows", "amd64", undefined, "10.0.17763.1"),
    p("windows", "amd64", undefined, "10.0.17763.2"),
    false,
  ],
  [
    p("windows", "amd64", undefined, "10.0.1776"),
    p("windows", "amd64", undefined, "10.0.17763.1"),
    false,
  ],
  [p("windows", "amd64", undefined, "10.0.17763"), p("windows", "amd64"), false],
];
for (const [want, have, expected] of matches) {
  Deno.test(
    `platformMatches() says ${expected} for want ${JSON.stringify(want)} have ${
      JSON.stringify(have)
    }`,
    () => {
      assert.equal(platformMatches(want, have), expected);
    },
  );
}

async function entry(
  platform: Platform | undefined,
  annotations?: Record<string, string>,
): Promise<Descriptor> {
  const label = JSON.stringify([platform, annotations]);
  const d: Descriptor = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: await digestOf(new TextEncoder().encode(label)),
    size: label.length,
  };
  if (platform !== undefined) d.platform = platform;
  if (annotations !== undefined) d.annotations = annotations;
  return d;
}

const attestation = await entry(p("unknown", "unknown"), {
  "vnd.docker.reference.type": "attestation-manifest",
  "vnd.docker.reference.digest": await digestOf(new TextEncoder().encode("subject")),
});

Deno.test("selectPlatform() picks the first matching entry", async () => {
  const list = [
    await entry(p("linux", "amd64")),
    await entry(p("linux", "arm64", "v8")),
    await entry(p("linux", "arm64")),
  ];
  assert.equal(selectPlatform(list, p("linux", "arm64", "v8")), list[1]);
  assert.equal(selectPlatform(list, p("linux", "amd64")), list[0]);
});

Deno.test("selectPlatform() matches arm64 without variant in the index", async () => {
  const list = [await entry(p("linux", "amd64")), await entry(p("linux", "arm64"))];
  assert.equal(selectPlatform(list, parsePlatform("linux/arm64")), list[1]);
});

Deno.test("selectPlatform() skips entries without platform and attestations", async () => {
  const amd = await entry(p("linux", "amd64"));
  const list = [await entry(undefined), attestation, amd];
  assert.equal(selectPlatform(list, p("linux", "amd64")), amd);
  assert.equal(selectPlatform(list, p("unknown", "unknown")), undefined);
});

Deno.test("selectPlatform() skips an attestation marked only by its annotation", async () => {
  const marked = await entry(p("linux", "amd64"), {
    "vnd.docker.reference.type": "attestation-manifest",
  });
  const real = await entry(p("linux", "amd64", "v1"));
  assert.equal(selectPlatform([marked, real], p("linux", "amd64")), real);
});

Deno.test("selectPlatform() prefers arm/v7 for a bare arm request", async () => {
  const list = [await entry(p("linux", "arm", "v6")), await entry(p("linux", "arm", "v7"))];
  assert.equal(selectPlatform(list, parsePlatform("linux/arm")), list[1]);
});

Deno.test("selectPlatform() takes any arm variant when v7 is absent and none was asked", async () => {
  const list = [await entry(p("linux", "amd64")), await entry(p("linux", "arm", "v6"))];
  assert.equal(selectPlatform(list, parsePlatform("linux/arm")), list[1]);
});

Deno.test("selectPlatform() falls back to the entry without variant", async () => {
  const list = [await entry(p("linux", "arm", "v5")), await entry(p("linux", "arm"))];
  assert.equal(selectPlatform(list, p("linux", "arm", "v6")), list[1]);
  const amd = [await entry(p("linux", "amd64"))];
  assert.equal(selectPlatform(amd, p("linux", "amd64", "v3")), amd[0]);
});

Deno.test("selectPlatform() prefers an exact variant over the fallback", async () => {
  const list = [await entry(p("linux", "arm")), await entry(p("linux", "arm", "v6"))];
  assert.equal(selectPlatform(list, p("linux", "arm", "v6")), list[1]);
});

Deno.test("selectPlatform() returns undefined when nothing fits", async () => {
  const list = [await entry(p("linux", "amd64")), await entry(p("linux", "arm", "v5"))];
  assert.equal(selectPlatform(list, p("linux", "arm64", "v8")), undefined);
  assert.equal(selectPlatform(list, p("linux", "arm", "v6")), undefined);
  assert.equal(selectPlatform([], p("linux", "amd64")), undefined);
});

Deno.test("selectPlatform() honours the wanted windows OS version", async () => {
  const list = [
    await entry(p("windows", "amd64", undefined, "10.0.17763.5329")),
    await entry(p("windows", "amd64", undefined, "10.0.20348.2113")),
  ];
  assert.equal(
    selectPlatform(list, parsePlatform("windows/amd64,osver=10.0.20348")),
    list[1],
  );
  assert.equal(selectPlatform(list, parsePlatform("windows/amd64")), list[0]);
  assert.equal(selectPlatform(list, parsePlatform("windows/amd64,osver=10.0.14393")), undefined);
});
