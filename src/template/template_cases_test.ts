/**
 * Table of template / data / expected output cases checking Go text/template
 * semantics and regclient's functions, plus error cases with positions.
 */

import assert from "node:assert/strict";
import { renderFormat, TemplateError } from "./template.ts";
import { ErrorCode } from "../errors.ts";

/** A struct-like value with Go-named methods, as the CLI passes manifests. */
class FakeManifest {
  MediaType = "application/vnd.oci.image.index.v1+json";
  Manifests: { Digest: string; Platform: FakePlatform }[] = [
    { Digest: "sha256:aaa", Platform: new FakePlatform("linux", "amd64") },
    { Digest: "sha256:bbb", Platform: new FakePlatform("linux", "arm64", "v8") },
  ];
  Annotations: Record<string, string> = { "org.example": "yes" };
  GetDescriptor(): { Digest: string; Size: number } {
    return { Digest: "sha256:idx", Size: 1234 };
  }
  IsList(): boolean {
    return true;
  }
  CommonName(): string {
    return "registry.example/app:v1";
  }
  RawBody(): Uint8Array {
    return new TextEncoder().encode('{"a":1}');
  }
  marshalPretty(): string {
    return "Name: app\nMediaType: index\n";
  }
}

/** A platform that prints like Go's `platform.Platform` (a Stringer). */
class FakePlatform {
  OS: string;
  Architecture: string;
  Variant: string;
  constructor(os: string, arch: string, variant = "") {
    this.OS = os;
    this.Architecture = arch;
    this.Variant = variant;
  }
  String(): string {
    return [this.OS, this.Architecture, this.Variant].filter((x) => x !== "").join("/");
  }
}

class Point {
  X = 1;
  Y = "a";
}

interface Case {
  tmpl: string;
  data?: unknown;
  want: string;
}

const IMAGE_CONFIG = {
  created: "2024-01-02T03:04:05Z",
  architecture: "amd64",
  os: "linux",
  config: {
    Env: ["PATH=/usr/bin", "A=1"],
    Labels: { "org.opencontainers.image.version": "1.2.3", maintainer: "me" },
    Cmd: ["/bin/sh"],
  },
  rootfs: { type: "layers", diff_ids: ["sha256:111", "sha256:222"] },
};

const OCI_MANIFEST = {
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: "sha256:c0",
    size: 1469,
  },
  layers: [
    {
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      digest: "sha256:l1",
      size: 3208942,
    },
    { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: "sha256:l2", size: 32 },
  ],
  annotations: { "org.opencontainers.image.created": "2024-01-01" },
};

const CASES: Case[] = [
  // plain text and fields
  { tmpl: "hello", want: "hello" },
  { tmpl: "", want: "" },
  { tmpl: "{{.}}", data: "dot", want: "dot" },
  { tmpl: "{{.A}}", data: { A: "x" }, want: "x" },
  { tmpl: "{{.A.B.C}}", data: { A: { B: { C: 7 } } }, want: "7" },
  { tmpl: "{{.missing}}", data: {}, want: "<no value>" },
  { tmpl: "{{.a.b}}", data: {}, want: "<no value>" },
  { tmpl: "{{.n}}", data: { n: null }, want: "<no value>" },
  { tmpl: "{{.key}}", data: new Map([["key", "fromMap"]]), want: "fromMap" },
  { tmpl: "{{$}}", data: 5, want: "5" },
  { tmpl: "{{with .A}}{{$.B}}{{end}}", data: { A: 1, B: "root" }, want: "root" },
  // Go-name fallback onto JSON keys
  {
    tmpl: "{{.MediaType}}",
    data: OCI_MANIFEST,
    want: "application/vnd.oci.image.manifest.v1+json",
  },
  { tmpl: "{{.Config.Digest}}", data: OCI_MANIFEST, want: "sha256:c0" },
  { tmpl: "{{.OS}}/{{.Architecture}}", data: IMAGE_CONFIG, want: "linux/amd64" },
  // methods
  { tmpl: "{{.GetDescriptor.Digest}}", data: new FakeManifest(), want: "sha256:idx" },
  { tmpl: "{{if .IsList}}list{{end}}", data: new FakeManifest(), want: "list" },
  { tmpl: "{{.CommonName}}", data: new FakeManifest(), want: "registry.example/app:v1" },
  { tmpl: '{{printf "%s" .RawBody}}', data: new FakeManifest(), want: '{"a":1}' },
  { tmpl: '{{.Join "-"}}', data: { Join: (s: unknown) => `a${s}b` }, want: "a-b" },
  {
    tmpl: '{{"x" | .Wrap "<"}}',
    data: { Wrap: (a: unknown, b: unknown) => `${a}${b}` },
    want: "<x",
  },
  // regclient documented examples
  {
    tmpl: "{{range .Manifests}}{{println .Platform}}{{end}}",
    data: new FakeManifest(),
    want: "linux/amd64\nlinux/arm64/v8\n",
  },
  {
    tmpl: '{{index .Config.Labels "org.opencontainers.image.version"}}',
    data: IMAGE_CONFIG,
    want: "1.2.3",
  },
  { tmpl: '{{index .Config.Labels "absent"}}', data: IMAGE_CONFIG, want: "" },
  { tmpl: '{{index .Config.Nothing "absent"}}', data: IMAGE_CONFIG, want: "" },
  { tmpl: '{{index .Annotations "org.example"}}', data: new FakeManifest(), want: "yes" },
  {
    tmpl: "{{json .}}",
    data: { a: "<&>", b: [1, 2.5], c: null },
    want: '{"a":"<&>","b":[1,2.5],"c":null}\n',
  },
  { tmpl: "{{json .config.Env}}", data: IMAGE_CONFIG, want: '["PATH=/usr/bin","A=1"]\n' },
  {
    tmpl: "{{jsonPretty .}}",
    data: { a: [1], b: {} },
    want: '{\n  "a": [\n    1\n  ],\n  "b": {}\n}\n',
  },
  { tmpl: "{{printPretty .}}", data: new FakeManifest(), want: "Name: app\nMediaType: index\n" },
  { tmpl: "{{printPretty .}}", data: { a: 1 }, want: '{\n  "a": 1\n}\n' },
  { tmpl: '{{printf "%s:%s" .A .B}}', data: { A: "repo", B: "tag" }, want: "repo:tag" },
  {
    tmpl: '{{if eq .MediaType "application/vnd.oci.image.index.v1+json"}}index{{else}}other{{end}}',
    data: new FakeManifest(),
    want: "index",
  },
  {
    tmpl: "{{range .Layers}}{{.Digest}} {{.Size}}\n{{end}}",
    data: OCI_MANIFEST,
    want: "sha256:l1 3208942\nsha256:l2 32\n",
  },
  { tmpl: "{{len .Layers}}", data: OCI_MANIFEST, want: "2" },
  { tmpl: "{{len .Manifests}}", data: OCI_MANIFEST, want: "0" },
  {
    tmpl: '{{ index (split .Source "gcr.io/") 1 }}',
    data: { Source: "gcr.io/proj/img" },
    want: "proj/img",
  },
  {
    tmpl: "{{range .RootFS.DiffIDs}}{{.}} {{end}}",
    data: { RootFS: { DiffIDs: ["a", "b"] } },
    want: "a b ",
  },
  // pipelines and parentheses
  { tmpl: '{{.A | printf "%s-%s" "x"}}', data: { A: "y" }, want: "x-y" },
  { tmpl: '{{"abc" | len}}', want: "3" },
  { tmpl: '{{"a" | printf "%s%s" "b" | printf "[%s]"}}', want: "[ba]" },
  { tmpl: '{{printf "%d" (len .)}}', data: [1, 2, 3], want: "3" },
  { tmpl: "{{(index . 0).Name}}", data: [{ Name: "n0" }], want: "n0" },
  { tmpl: "{{ ( . ) }}", data: "p", want: "p" },
  // if / else if / else
  { tmpl: "{{if .A}}yes{{end}}", data: { A: true }, want: "yes" },
  { tmpl: "{{if .A}}yes{{else}}no{{end}}", data: { A: false }, want: "no" },
  { tmpl: "{{if .A}}a{{else if .B}}b{{else}}c{{end}}", data: { B: 1 }, want: "b" },
  { tmpl: "{{if .A}}a{{else if .B}}b{{else if .C}}c{{else}}d{{end}}", data: {}, want: "d" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: 0, want: "f" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: "", want: "f" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: [], want: "f" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: {}, want: "f" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: { k: 1 }, want: "t" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: new Point(), want: "t" },
  { tmpl: "{{if .}}t{{else}}f{{end}}", data: 0.5, want: "t" },
  // with
  { tmpl: "{{with .A}}[{{.}}]{{end}}", data: { A: "v" }, want: "[v]" },
  { tmpl: "{{with .A}}[{{.}}]{{else}}none{{end}}", data: { A: "" }, want: "none" },
  { tmpl: "{{with .A}}a{{else with .B}}b{{.}}{{end}}", data: { B: 2 }, want: "b2" },
  { tmpl: "{{with $x := .A}}{{$x}}{{.}}{{end}}", data: { A: "q" }, want: "qq" },
  // range
  { tmpl: "{{range .}}{{.}},{{end}}", data: ["a", "b"], want: "a,b," },
  { tmpl: "{{range $i, $v := .}}{{$i}}={{$v}} {{end}}", data: ["a", "b"], want: "0=a 1=b " },
  { tmpl: "{{range $v := .}}{{$v}}{{end}}", data: ["x", "y"], want: "xy" },
  {
    tmpl: "{{range $k, $v := .}}{{$k}}={{$v}};{{end}}",
    data: { b: 2, a: 1, c: 3 },
    want: "a=1;b=2;c=3;",
  },
  { tmpl: "{{range .}}{{.}}{{end}}", data: new Map([["z", 1], ["y", 2]]), want: "21" },
  { tmpl: "{{range .}}x{{else}}empty{{end}}", data: [], want: "empty" },
  { tmpl: "{{range .missing}}x{{else}}empty{{end}}", data: {}, want: "empty" },
  { tmpl: "{{range 3}}{{.}}{{end}}", want: "012" },
  { tmpl: "{{range $i := 2}}<{{$i}}>{{end}}", want: "<0><1>" },
  { tmpl: "{{range .}}{{if eq . 3}}{{break}}{{end}}{{.}}{{end}}", data: [1, 2, 3, 4], want: "12" },
  { tmpl: "{{range .}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", data: [1, 2, 3], want: "13" },
  { tmpl: "{{range .}}{{range .}}{{.}}{{end}};{{end}}", data: [[1, 2], [3]], want: "12;3;" },
  { tmpl: "{{$n := 0}}{{range .}}{{$n = .}}{{end}}{{$n}}", data: [4, 5], want: "5" },
  // variables
  { tmpl: '{{$x := "a"}}{{$x}}', want: "a" },
  { tmpl: "{{$x := 1}}{{$x = 2}}{{$x}}", want: "2" },
  { tmpl: "{{$x := .A}}{{$x.B}}", data: { A: { B: "deep" } }, want: "deep" },
  { tmpl: "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", want: "21" },
  // comments and trim markers
  { tmpl: "a{{/* comment */}}b", want: "ab" },
  { tmpl: "a  {{- /* c */ -}}  b", want: "ab" },
  { tmpl: "a \n {{- .}} \n b", data: "X", want: "aX \n b" },
  { tmpl: "a {{. -}} \n b", data: "X", want: "a Xb" },
  { tmpl: "{{- 3 -}}", want: "3" },
  { tmpl: "{{-3}}", want: "-3" },
  {
    tmpl: "{{- range . }}\n  {{ . }}\n{{- end }}",
    data: ["a", "b"],
    want: "\n  a\n  b",
  },
  // define / template / block
  { tmpl: '{{define "T"}}<{{.}}>{{end}}{{template "T" .A}}', data: { A: 1 }, want: "<1>" },
  { tmpl: '{{template "T" .}}{{define "T"}}[{{.}}]{{end}}', data: "late", want: "[late]" },
  { tmpl: '{{block "B" .}}({{.}}){{end}}', data: "b", want: "(b)" },
  { tmpl: '{{define "T"}}{{.}}{{end}}{{template "T"}}', data: "x", want: "<no value>" },
  {
    tmpl: '{{define "list"}}{{range .}}{{template "item" .}}{{end}}{{end}}' +
      '{{define "item"}}-{{.}}{{end}}{{template "list" .}}',
    data: ["a", "b"],
    want: "-a-b",
  },
  // logic and comparison
  { tmpl: '{{and 1 0}} {{and 1 2}} {{or 0 ""}} {{or 0 "x"}}', want: "0 2  x" },
  { tmpl: "{{and .missing .boom.x}}", data: {}, want: "<no value>" },
  { tmpl: '{{not 0}} {{not "a"}}', want: "true false" },
  {
    tmpl: '{{eq 1 1}} {{eq "a" "b"}} {{eq .A "x" "y" "z"}}',
    data: { A: "z" },
    want: "true false true",
  },
  { tmpl: '{{eq .missing "x"}} {{ne 1 2}}', data: {}, want: "false true" },
  { tmpl: '{{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2}}', want: "true true true false" },
  { tmpl: "{{if and (gt .N 1) (lt .N 10)}}mid{{end}}", data: { N: 5 }, want: "mid" },
  // len / index / slice
  { tmpl: '{{len "héllo"}} {{len .}}', data: { a: 1, b: 2 }, want: "6 2" },
  { tmpl: "{{index . 1}} {{index . 0 1}}", data: [["a", "b"], "c"], want: "c b" },
  { tmpl: '{{index "abc" 1}}', want: "98" },
  { tmpl: '{{index .m "k"}}', data: { m: { k: 1 } }, want: "1" },
  {
    tmpl: '{{slice "abcdef" 1 3}} {{slice . 1}} {{slice . 0 1}}',
    data: [1, 2, 3],
    want: "bc [2 3] [1]",
  },
  // print family and formatting of values
  { tmpl: '{{print 1 2 "a" "b" 3}}', want: "1 2ab3" },
  { tmpl: '{{println "a" 1}}', want: "a 1\n" },
  { tmpl: "{{.}}", data: ["a", "b"], want: "[a b]" },
  { tmpl: "{{.}}", data: { b: 2, a: [1, 2] }, want: "map[a:[1 2] b:2]" },
  { tmpl: "{{.}}", data: new Point(), want: "{1 a}" },
  { tmpl: '{{printf "%+v" .}}', data: new Point(), want: "{X:1 Y:a}" },
  { tmpl: "{{print nil}} {{print .missing}}", data: {}, want: "<nil> <nil>" },
  {
    tmpl: "{{.a}} {{.b}} {{.c}} {{.d}}",
    data: { a: 3, b: 1.5, c: 1234567.5, d: 0.00001 },
    want: "3 1.5 1.2345675e+06 1e-05",
  },
  { tmpl: "{{.}}", data: 3208942, want: "3208942" },
  { tmpl: "{{true}} {{false}} {{'a'}} {{0x1F}} {{1_000}}", want: "true false 97 31 1000" },
  { tmpl: '{{"tab\\there"}} {{`raw\\n`}}', want: "tab\there raw\\n" },
  // printf verbs
  { tmpl: '{{printf "%v %s %d %t" "a" "b" 3 true}}', want: "a b 3 true" },
  { tmpl: '{{printf "%q" "a\\"b"}}', want: '"a\\"b"' },
  { tmpl: '{{printf "%x %X %x" 255 255 "hi"}}', want: "ff FF 6869" },
  {
    tmpl: '{{printf "%f %.2f %e %g" 3.5 3.14159 1234.5 0.000012}}',
    want: "3.500000 3.14 1.234500e+03 1.2e-05",
  },
  { tmpl: '{{printf "|%5s|%-5s|%05d|%3d|" "ab" "cd" 42 7}}', want: "|   ab|cd   |00042|  7|" },
  { tmpl: '{{printf "%.3s|%+d|%%" "abcdef" 5}}', want: "abc|+5|%" },
  { tmpl: '{{printf "%v" .}}', data: { a: 1 }, want: "map[a:1]" },
  { tmpl: '{{printf "%v" .}}', data: [1, "x"], want: "[1 x]" },
  { tmpl: '{{printf "%d" "x"}}', want: "%!d(string=x)" },
  { tmpl: '{{printf "%s" 5}}', want: "%!s(int=5)" },
  { tmpl: '{{printf "%s %s" "a"}}', want: "a %!s(MISSING)" },
  { tmpl: '{{printf "%s" "a" "b"}}', want: "a%!(EXTRA string=b)" },
  { tmpl: '{{printf "%T %T %T" 1 "s" .}}', data: [1], want: "int string []interface {}" },
  { tmpl: '{{printf "%c|%o|%b" 65 8 5}}', want: "A|10|101" },
  { tmpl: '{{printf "%.1f|%d" .n .n}}', data: { n: 2 }, want: "2.0|2" },
  { tmpl: '{{printf "%s" .}}', data: new FakePlatform("linux", "arm", "v7"), want: "linux/arm/v7" },
  // escaping functions
  { tmpl: "{{html \"<a href='x'>&</a>\"}}", want: "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;" },
  { tmpl: '{{js "it\'s <b>"}}', want: "it\\'s \\u003Cb\\u003E" },
  { tmpl: '{{urlquery "a b&c=d/é"}}', want: "a+b%26c%3Dd%2F%C3%A9" },
  // regclient string helpers
  {
    tmpl: '{{default "def" .x}}|{{default "def" .y}}|{{default 5 0}}',
    data: { y: "Y" },
    want: "def|Y|5",
  },
  { tmpl: '{{join .l ", "}}', data: { l: ["a", "b", "c"] }, want: "a, b, c" },
  { tmpl: '{{split "a,b,c" ","}} {{len (split "abc" "")}}', want: "[a b c] 3" },
  {
    tmpl: '{{lower "ABC"}} {{upper "abc"}} {{title "hello big world"}}',
    want: "abc ABC Hello Big World",
  },
  { tmpl: '{{trimSpace "  \\t x y \\n"}}', want: "x y" },
  { tmpl: '{{"MiXeD" | lower | printf "%s!"}}', want: "mixed!" },
  // time
  { tmpl: '{{ (time.Parse "2006-01-02" "2020-03-04").Unix }}', want: "1583280000" },
  {
    tmpl:
      '{{ (time.Parse "2006-01-02T15:04:05Z07:00" .created).Format "Jan 2, 2006 at 3:04pm (MST)" }}',
    data: IMAGE_CONFIG,
    want: "Jan 2, 2024 at 3:04am (UTC)",
  },
  { tmpl: '{{ (time.Parse "2006-01-02" "2020-03-04").Year }}', want: "2020" },
];

for (const [i, c] of CASES.entries()) {
  Deno.test(`renderFormat() case ${i}: ${JSON.stringify(c.tmpl).slice(0, 70)}`, () => {
    assert.equal(renderFormat(c.tmpl, c.data), c.want);
  });
}

Deno.test("renderFormat() case table has at least 100 cases", () => {
  assert.ok(CASES.length >= 100, `only ${CASES.length} cases`);
});

Deno.test("renderFormat() time.Now uses the injected clock", () => {
  const now = () => new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  assert.equal(
    renderFormat('{{ time.Now.Format "2006-01-02T15:04:05.000Z07:00" }}', {}, { now }),
    "2024-01-02T03:04:05.678Z",
  );
  assert.equal(renderFormat("{{ time.Now.Unix }}", {}, { now }), "1704164645");
  assert.equal(renderFormat("{{ time.Now }}", {}, { now }), "2024-01-02 03:04:05.678 +0000 UTC");
});

Deno.test("renderFormat() env and file use the injected environment and reader", () => {
  const files: Record<string, string> = { "/tok": "  secret\n" };
  const opts = {
    env: { HOME: "/home/u" },
    readFile: (p: string) => {
      const v = files[p];
      if (v === undefined) throw new Error("ENOENT");
      return v;
    },
  };
  assert.equal(
    renderFormat('{{env "HOME"}}|{{env "NOPE"}}|{{file "/tok"}}|{{file "/none"}}', {}, opts),
    "/home/u||secret|",
  );
  assert.equal(renderFormat('{{env "HOME"}}{{file "/tok"}}', {}), "");
});

interface ErrCase {
  tmpl: string;
  data?: unknown;
  line: number;
  col: number;
}

const ERROR_CASES: ErrCase[] = [
  // parse errors
  { tmpl: "{{.A", line: 1, col: 1 },
  { tmpl: "ok\n  {{ .A", line: 2, col: 3 },
  { tmpl: "{{nope .A}}", line: 1, col: 3 },
  { tmpl: "line1\n  {{ .A | nope }}", line: 2, col: 11 },
  { tmpl: "{{.A | 3}}", line: 1, col: 8 },
  { tmpl: "{{.A | }}", line: 1, col: 8 },
  { tmpl: "{{|}}", line: 1, col: 3 },
  { tmpl: "{{}}", line: 1, col: 3 },
  { tmpl: "{{end}}", line: 1, col: 3 },
  { tmpl: "{{else}}", line: 1, col: 3 },
  { tmpl: "{{if .A}}x", line: 1, col: 11 },
  { tmpl: "{{range .}}{{end}}{{$x}}", line: 1, col: 21 },
  { tmpl: "{{$x = 1}}", line: 1, col: 3 },
  { tmpl: "{{break}}", line: 1, col: 3 },
  { tmpl: "{{/* open", line: 1, col: 1 },
  { tmpl: "{{/* x */ .}}", line: 1, col: 8 },
  { tmpl: '{{"unterminated}}', line: 1, col: 3 },
  { tmpl: "{{(.A}}", line: 1, col: 6 },
  { tmpl: "{{.A)}}", line: 1, col: 5 },
  { tmpl: "{{3x}}", line: 1, col: 3 },
  { tmpl: "{{.A # }}", line: 1, col: 6 },
  { tmpl: "{{if}}{{end}}", line: 1, col: 5 },
  { tmpl: '{{if .A}}{{define "x"}}{{end}}{{end}}', line: 1, col: 12 },
  { tmpl: "{{template .A}}", line: 1, col: 12 },
  { tmpl: '{{"a".B}}', line: 1, col: 3 },
  { tmpl: "{{range $a, $b, $c := .}}{{end}}", line: 1, col: 15 },
  // execution errors
  { tmpl: "{{len 1 2}}", line: 1, col: 3 },
  { tmpl: "{{not}}", line: 1, col: 3 },
  { tmpl: "{{range 1.5}}x{{end}}", line: 1, col: 9 },
  { tmpl: "{{range .}}x{{end}}", data: "str", line: 1, col: 9 },
  { tmpl: "{{range $i, $v := 3}}x{{end}}", line: 1, col: 3 },
  { tmpl: "{{.A.B}}", data: { A: "s" }, line: 1, col: 3 },
  { tmpl: "{{.a.b}}", data: { a: null }, line: 1, col: 3 },
  { tmpl: '{{eq 1 "a"}}', line: 1, col: 3 },
  { tmpl: "{{lt true false}}", line: 1, col: 3 },
  { tmpl: "{{eq .l .l}}", data: { l: [1] }, line: 1, col: 3 },
  { tmpl: "{{eq 1}}", line: 1, col: 3 },
  { tmpl: "{{len 3}}", line: 1, col: 3 },
  { tmpl: "{{index . 5}}", data: [1], line: 1, col: 3 },
  { tmpl: "{{index 3 1}}", line: 1, col: 3 },
  { tmpl: '{{template "nope"}}', line: 1, col: 3 },
  { tmpl: "{{nil}}", line: 1, col: 3 },
  { tmpl: "{{(1) 2}}", line: 1, col: 3 },
  { tmpl: "{{.A 1}}", data: { A: "notmethod" }, line: 1, col: 3 },
  { tmpl: "{{call .A}}", data: { A: 1 }, line: 1, col: 3 },
  { tmpl: "{{printf 1}}", line: 1, col: 3 },
  { tmpl: '{{join .L ","}}', data: { L: [1, 2] }, line: 1, col: 3 },
  { tmpl: "{{upper 1}}", line: 1, col: 3 },
  { tmpl: '{{time.Parse "2006-01-02" "nope"}}', line: 1, col: 3 },
  {
    tmpl: "x\n{{.Fail}}",
    data: {
      Fail: () => {
        throw new Error("boom");
      },
    },
    line: 2,
    col: 3,
  },
  { tmpl: "{{.Later}}", data: { Later: () => Promise.resolve(1) }, line: 1, col: 3 },
  { tmpl: '{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', line: 1, col: 17 },
];

for (const [i, c] of ERROR_CASES.entries()) {
  Deno.test(`renderFormat() error case ${i}: ${JSON.stringify(c.tmpl).slice(0, 60)} throws TemplateError`, () => {
    assert.throws(
      () => renderFormat(c.tmpl, c.data),
      (err: unknown) => {
        assert.ok(err instanceof TemplateError, `not a TemplateError: ${err}`);
        assert.equal(err.code, ErrorCode.TEMPLATE);
        assert.deepEqual(
          { line: err.line, col: err.col },
          { line: c.line, col: c.col },
          err.message,
        );
        return true;
      },
    );
  });
}
