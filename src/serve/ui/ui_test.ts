import { equal, match, ok } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { createRegistryHandler, type RegistryHandlerOptions } from "../handler.ts";
import { parseHtpasswd } from "../htpasswd.ts";
import { OciDirTransport } from "../../transport/ocidir/ocidir_transport.ts";
import { denoFileSystem } from "../../transport/ocidir/file_system.ts";
import { buildSampleImages, pushBlobBytes } from "../../sample/sample_images.ts";
import { buildLayer } from "../../sample/layer_builder.ts";
import { LAYER_ENTRIES_MAX } from "./_layer_view.tsx";
import { createUi, type UiOptions } from "./ui.tsx";
import { EVIL_TAG, makeUiFixture, type UiFixture, XSS } from "./_ui_test_helper.ts";
import { layerHref, manifestHref, repoHref } from "./_views.tsx";

const BASE = "http://registry.test";

interface Page {
  status: number;
  headers: Headers;
  text: string;
}

async function withUi(
  fn: (get: (path: string, init?: RequestInit) => Promise<Page>, fx: UiFixture) => Promise<void>,
  ui: UiOptions = {},
  options: Partial<RegistryHandlerOptions> = {},
): Promise<void> {
  const fx = await makeUiFixture();
  const h = createRegistryHandler({ dir: fx.dir, ui: createUi(ui), ...options });
  try {
    await fn(async (path, init) => {
      const res = await h.fetch(new Request(`${BASE}${path}`, init));
      return { status: res.status, headers: res.headers, text: await res.text() };
    }, fx);
  } finally {
    await h.close();
    await fx.cleanup();
  }
}

function rows(html: string): number {
  return html.split("<tbody>")[1]?.split("</tbody>")[0]?.split("<tr>").length ?? 1;
}

Deno.test("ui: the repository list shows each repository with its tag count", async () => {
  await withUi(async (get, fx) => {
    const p = await get("/ui/");
    equal(p.status, 200);
    match(p.headers.get("content-type") ?? "", /^text\/html/);
    match(p.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    ok(p.text.startsWith("<!doctype html>"));
    ok(p.text.includes(`href="${repoHref("team/app")}"`));
    ok(p.text.includes(`href="${repoHref("evil/app")}"`));
    ok(p.text.includes("2 repositories"));
    const t = new OciDirTransport({ fs: denoFileSystem });
    const tags = await t.tagList({ ...fx.sample.refs.index, tag: "" });
    const row = p.text.split("<tr>").find((r) => r.includes(">team/app<")) ?? "";
    ok(row.includes(`<td class="num">${tags.length}</td>`), row);
    match(row, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    ok(!p.text.includes("<script"), "no script on any page");
    const filtered = await get("/ui/?q=team");
    ok(filtered.text.includes("team/app") && !filtered.text.includes("evil/app"));
  });
});

Deno.test("ui: / and /ui redirect to /ui/ only when the browser is on", async () => {
  await withUi(async (get) => {
    equal((await get("/")).headers.get("location"), "/ui/");
    equal((await get("/ui")).headers.get("location"), "/ui/");
    equal((await get("/v2/")).status, 200);
  });
  const dir = await Deno.makeTempDir();
  const h = createRegistryHandler({ dir });
  const res = await h.fetch(new Request(`${BASE}/ui/`));
  equal(res.status, 404);
  match(res.headers.get("content-type") ?? "", /json/);
  await res.body?.cancel();
  await h.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ui: markup in tags, annotations, labels and file names is escaped", async () => {
  await withUi(async (get, fx) => {
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;";
    const pages = [
      await get(repoHref("evil/app")),
      await get(manifestHref("evil/app", EVIL_TAG)),
      await get(manifestHref("evil/app", fx.evilDigest)),
      await get(layerHref("evil/app", fx.evilLayer)),
    ];
    for (const p of pages) {
      equal(p.status, 200, p.text.slice(0, 300));
      ok(!p.text.includes(XSS), "raw markup reached the page");
      ok(!p.text.includes("<script"), "a script element reached the page");
      ok(p.text.includes(escaped), "the escaped value is shown");
    }
    ok(pages[1]!.text.includes(`X=${escaped}`), "env shown");
    ok(pages[3]!.text.includes(`etc/${escaped}`), "file name shown");
  });
});

Deno.test("ui: a tag row has digest, media type, platforms, size and created", async () => {
  await withUi(async (get, fx) => {
    const p = await get(repoHref("team/app"));
    const v1 = p.text.split("<tr>").find((r) => r.includes(`>v1<`)) ?? "";
    ok(v1.includes(fx.sample.index.digest.slice(0, 19)));
    ok(v1.includes("application/vnd.oci.image.index.v1+json"));
    ok(v1.includes("linux/amd64") && v1.includes("linux/arm64/v8"));
    ok(v1.includes("2024-01-01 00:00:00 UTC"));
    const sizes = new Set<string>([fx.sample.index.digest]);
    let total = fx.sample.index.size;
    for (const img of fx.sample.images) {
      for (const d of [img.manifest, img.config, ...img.layers]) {
        if (!sizes.has(d.digest)) total += d.size;
        sizes.add(d.digest);
      }
    }
    ok(v1.includes(`title="${total} bytes"`), `total ${total} in ${v1}`);
  });
});

Deno.test("ui: tags sort by time, newest first", async () => {
  await withUi(async (get) => {
    const byName = await get(repoHref("evil/app"));
    const byTime = await get(repoHref("evil/app", "sort=time"));
    const at = (p: Page, tag: string) => p.text.indexOf(`>${tag}</a>`);
    ok(at(byName, "old") < at(byName, "plain"));
    ok(at(byTime, "plain") < at(byTime, "old"), "2025 before 2020");
    ok(at(byTime, "old") > 0);
    ok(byTime.text.includes("<strong>time</strong>") && byTime.text.includes("linux/arm64"));
    equal(rows(byTime.text), 4);
  });
});

Deno.test("ui: an index lists its platforms, an image its config, layers and referrers", async () => {
  await withUi(async (get, fx) => {
    const index = await get(manifestHref("team/app", "v1"));
    for (const img of fx.sample.images) {
      ok(index.text.includes(`href="${manifestHref("team/app", img.manifest.digest)}"`));
    }
    ok(index.text.includes(`href="${manifestHref("team/app", fx.sample.artifact.digest)}"`));
    ok(index.text.includes("application/vnd.example.sbom+json"));
    ok(index.text.includes(`/team/app@${fx.sample.index.digest}`));
    ok(index.text.includes(
      "ocictl --host reg=registry.test,tls=disabled image copy registry.test/team/app:v1 ocidir://app:v1",
    ));
    const image = await get(manifestHref("team/app", fx.sample.images[0]!.manifest.digest));
    for (const l of fx.sample.images[0]!.layers) {
      ok(image.text.includes(`href="${layerHref("team/app", l.digest)}"`));
    }
    ok(image.text.includes("<h2>Config</h2>") && image.text.includes("<h2>History</h2>"));
  });
});

Deno.test("ui: a missing tag, a bad digest and a corrupt blob get readable pages", async () => {
  await withUi(async (get, fx) => {
    const missing = await get(manifestHref("team/app", "nope"));
    equal(missing.status, 404);
    ok(missing.text.includes('role="alert"') && !missing.text.includes(fx.dir));
    equal((await get(manifestHref("team/app", "sha256:zz"))).status, 400);
    equal((await get(repoHref("no/such"))).status, 404);
    equal((await get("/ui/elsewhere")).status, 404);
    const post = await get("/ui/", { method: "POST" });
    equal(post.status, 405);
    equal(post.headers.get("allow"), "GET, HEAD");
    const hex = fx.evilConfig.slice("sha256:".length);
    await Deno.writeTextFile(`${fx.dir}/evil/app/blobs/sha256/${hex}`, "{}");
    const corrupt = await get(manifestHref("evil/app", fx.evilDigest));
    equal(corrupt.status, 502);
    ok(corrupt.text.includes("Cannot read this content"));
    ok(!/\bat .*\.ts:\d+/.test(corrupt.text), "no stack trace");
    const layerHex = fx.evilLayer.slice("sha256:".length);
    const path = `${fx.dir}/evil/app/blobs/sha256/${layerHex}`;
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await Deno.writeFile(path, bytes);
    const layer = await get(layerHref("evil/app", fx.evilLayer));
    ok(layer.text.includes("Cannot read"), layer.text.slice(-600));
    ok(layer.text.trimEnd().endsWith("</html>"));
  });
});

Deno.test("ui: --auth asks for credentials and canPull hides repositories", async () => {
  const auth = parseHtpasswd(`alice:${bcrypt.hashSync("pw", 4)}\n`);
  await withUi(
    async (get) => {
      const anon = await get("/ui/");
      equal(anon.status, 401);
      match(anon.headers.get("www-authenticate") ?? "", /^Basic/);
      ok(anon.text.includes("Sign in required"));
      const bad = await get("/ui/", { headers: { authorization: `Basic ${btoa("alice:no")}` } });
      equal(bad.status, 401);
      const headers = { authorization: `Basic ${btoa("alice:pw")}` };
      const list = await get("/ui/", { headers });
      equal(list.status, 200);
      ok(list.text.includes("team/app") && !list.text.includes("evil/app"));
      equal((await get(repoHref("evil/app"), { headers })).status, 404);
      equal((await get(manifestHref("evil/app", "plain"), { headers })).status, 404);
      equal((await get(manifestHref("team/app", "v1"), { headers })).status, 200);
    },
    { canPull: (repo, user) => user === "alice" && repo.startsWith("team/") },
    { auth },
  );
});

Deno.test("ui: the repository list is paginated", async () => {
  const dir = await Deno.makeTempDir();
  const t = new OciDirTransport({ fs: denoFileSystem });
  const names = Array.from({ length: 7 }, (_, i) => `r${i}`);
  for (const n of names) {
    await buildSampleImages(t, {
      scheme: "ocidir",
      registry: "",
      repository: "",
      path: `${dir}/${n}`,
      tag: "",
      digest: "",
    });
  }
  const h = createRegistryHandler({ dir, ui: createUi({ pageSize: 3 }) });
  try {
    const page = async (q: string) => await (await h.fetch(new Request(`${BASE}/ui/?${q}`))).text();
    const p1 = await page("");
    equal(rows(p1), 4);
    ok(p1.includes("Page 1 of 3") && p1.includes('rel="next"'));
    const p3 = await page("page=3");
    equal(rows(p3), 2);
    ok(p3.includes(">r6<") && !p3.includes('rel="next"'));
    ok((await page("page=99")).includes("Page 3 of 3"));
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ui: 10,000 repositories list by pages, the listing read in the background", async () => {
  const dir = await Deno.makeTempDir();
  const index = JSON.stringify({ schemaVersion: 2, manifests: [] });
  for (let i = 0; i < 10_000; i++) {
    const path = `${dir}/team${i % 100}/app${i}`;
    Deno.mkdirSync(path, { recursive: true });
    Deno.writeTextFileSync(`${path}/index.json`, index);
  }
  let now = 0;
  const h = createRegistryHandler({ dir, now: () => now, ui: createUi() });
  try {
    const get = async (q: string) => await (await h.fetch(new Request(`${BASE}/ui/?${q}`))).text();
    const first = await get("");
    ok(first.includes("10000 repositories") && first.includes("Page 1 of 200"));
    equal(rows(first), 51);
    await Deno.mkdir(`${dir}/zz/new`, { recursive: true });
    await Deno.writeTextFile(`${dir}/zz/new/index.json`, index);
    now += 60_000;
    const started = performance.now();
    const stale = await get("page=200");
    ok(performance.now() - started < 2000, "a page from the kept listing is quick");
    ok(stale.includes("10000 repositories"), "the old listing answers while a new one is read");
    await h.close();
    ok((await get("q=zz")).includes(">zz/new<"), "the new listing is used once read");
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ui: a layer's file list stops after LAYER_ENTRIES_MAX entries", async () => {
  await withUi(async (get, fx) => {
    const t = new OciDirTransport({ fs: denoFileSystem });
    const entries = Array.from(
      { length: LAYER_ENTRIES_MAX + 5 },
      (_, i) => ({ path: `f${i}`, type: "file" as const, content: "" }),
    );
    const layer = await buildLayer(entries);
    const repo = { ...fx.sample.refs.index, tag: "" };
    await pushBlobBytes(t, repo, layer.bytes, layer.descriptor.mediaType);
    const p = await get(layerHref("team/app", layer.descriptor.digest));
    equal(p.status, 200);
    equal(rows(p.text), LAYER_ENTRIES_MAX + 2);
    ok(p.text.includes(`Listing stopped after ${LAYER_ENTRIES_MAX} entries.`));
    ok(
      p.text.includes(`>f${LAYER_ENTRIES_MAX - 1}<`) && !p.text.includes(`>f${LAYER_ENTRIES_MAX}<`),
    );
  });
});
