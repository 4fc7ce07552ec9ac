/**
 * The registry browser in a real browser: `ocictl serve --dir DIR --ui` runs
 * as a process, headless Chromium from Debian (driven by puppeteer-core with
 * the system executable, JavaScript off) clicks from the repository list to
 * a tag, a platform, a layer's files and a referrer, checking the text at
 * each step. Screenshots at desktop and phone widths, light and dark, go to
 * `$OCICTL_TEST_ARTIFACTS/ui/` (default `.tmp/test-artifacts/ui/`).
 *
 * @module
 */
import { equal, notEqual, ok, rejects } from "node:assert/strict";
import bcrypt from "bcryptjs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { makeUiFixture, type UiFixture } from "../../src/serve/ui/_ui_test_helper.ts";
import { layerHref, manifestHref } from "../../src/serve/ui/_views.tsx";

const CHROMIUM = Deno.env.get("OCICTL_CHROMIUM") ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const ROOT = new URL("../../", import.meta.url).pathname;
const ARTIFACTS = `${Deno.env.get("OCICTL_TEST_ARTIFACTS") ?? `${ROOT}.tmp/test-artifacts`}/ui`;
const BACKGROUND = "getComputedStyle(document.body).backgroundColor";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Starts `ocictl serve --ui` (plus `extra` flags) and reads the address it prints. */
async function startServe(
  dir: string,
  extra: string[] = [],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${ROOT}main.ts`,
      "serve",
      "--dir",
      dir,
      "--ui",
      "--addr",
      "127.0.0.1:0",
      ...extra,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const deadline = Date.now() + 30_000;
  while (!out.includes("\n") && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const url = out.split("\n")[0] ?? "";
  ok(url.startsWith("http://127.0.0.1:"), `serve printed ${JSON.stringify(out)}`);
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await reader.cancel();
      await child.status;
    },
  };
}

/** Runs a command line copied from a page (`ocictl …`) in a temp dir; returns the copy's digest. */
async function runCopied(line: string): Promise<string> {
  const args = line.split(" ");
  equal(args.shift(), "ocictl");
  const cwd = await Deno.makeTempDir({ prefix: "ocictl-ui-copy-" });
  try {
    const run = async (argv: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", `${ROOT}main.ts`, ...argv],
        cwd,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      equal(out.code, 0, `${argv.join(" ")}: ${dec.decode(out.stderr)}`);
      return dec.decode(out.stdout).trim();
    };
    await run(args);
    return await run(["image", "digest", args.at(-1) ?? ""]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewport(DESKTOP);
  await page.screenshot({ path: `${ARTIFACTS}/${name}-desktop.png`, fullPage: true });
  await page.setViewport(PHONE);
  const overflow = await page.evaluate(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  ) as number;
  ok(overflow <= 1, `${name}: the page is ${overflow}px wider than a phone`);
  await page.screenshot({ path: `${ARTIFACTS}/${name}-phone.png`, fullPage: true });
  await page.setViewport(DESKTOP);
}

async function text(page: Page): Promise<string> {
  return await page.evaluate("document.body.innerText") as string;
}

async function click(page: Page, selector: string): Promise<void> {
  const link = await page.$(selector);
  ok(link !== null, `no element ${selector} on ${page.url()}`);
  await Promise.all([page.waitForNavigation(), link.click()]);
}

/** A page with JavaScript off: every page must work without it. */
async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  return page;
}

/** Runs `fn` with the fixture served by `ocictl serve --ui` and a started Chromium. */
async function withBrowser(
  flags: string[],
  fn: (browser: Browser, serve: { url: string }, fx: UiFixture) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const fx = await makeUiFixture();
  const serve = await startServe(fx.dir, flags);
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    await fn(browser, serve, fx);
  } finally {
    await browser?.close();
    await serve.stop();
    await fx.cleanup();
  }
}

Deno.test({
  name: "ocictl serve --ui: click from a repository to a tag, platform, layer and referrer",
  // puppeteer-core keeps its pipe to Chromium and timers until browser.close() settles.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withBrowser([], async (browser, serve, fx) => {
      const page = await newPage(browser);
      const requested: string[] = [];
      page.on("request", (req) => void requested.push(req.url()));
      await page.setViewport(DESKTOP);

      const home = await page.goto(`${serve.url}/`);
      equal(home?.status(), 200);
      equal(new URL(page.url()).pathname, "/ui/");
      let t = await text(page);
      ok(t.includes("Repositories") && t.includes("team/app") && t.includes("evil/app"), t);
      await shoot(page, "1-repositories");

      await click(page, `a[href="/ui/r/team/app"]`);
      t = await text(page);
      ok(t.includes("team/app") && t.includes("v1") && t.includes("linux/arm64/v8"), t);
      ok(t.includes("2024-01-01 00:00:00 UTC"), t);
      await shoot(page, "2-tags");

      await click(page, `a[href="${manifestHref("team/app", "v1")}"]`);
      t = await text(page);
      ok(t.includes("Platforms") && t.includes(fx.sample.index.digest), t);
      ok(t.includes(`team/app:v1`) && t.includes("image copy"), t);
      await shoot(page, "3-index");
      const copyLine = await page.evaluate(
        `[...document.querySelectorAll("code.copy")].map((e) => e.textContent).pop()`,
      ) as string;
      equal(await runCopied(copyLine), fx.sample.index.digest, "the copied line copies the image");

      const amd64 = fx.sample.images[0]!;
      await click(page, `td > a[href="${manifestHref("team/app", amd64.manifest.digest)}"]`);
      t = await text(page);
      ok(t.includes(amd64.manifest.digest) && t.includes("Layers") && t.includes("History"), t);
      ok(t.includes("linux/amd64"), t);
      await shoot(page, "4-image");

      const layer = amd64.layers[0]!;
      await click(page, `a[href="${layerHref("team/app", layer.digest)}"]`);
      t = await text(page);
      ok(t.includes("Files of layer") && t.includes(layer.digest), t);
      ok(t.includes("etc/os-release") && t.includes("bin/sh"), t);
      await shoot(page, "5-layer");

      await page.goBack();
      await page.goBack();
      await click(page, `li > a[href="${manifestHref("team/app", fx.sample.artifact.digest)}"]`);
      t = await text(page);
      ok(t.includes("application/vnd.example.sbom+json"), t);
      ok(t.includes("ocictl sample SBOM"), t);
      ok(t.includes(fx.sample.index.digest), "the subject is shown");
      await shoot(page, "6-referrer");

      const light = await page.evaluate(BACKGROUND);
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
      const dark = await page.evaluate(BACKGROUND);
      notEqual(light, dark, "the page follows the dark colour scheme");
      await page.goto(`${serve.url}${manifestHref("team/app", "v1")}`);
      await shoot(page, "7-dark");
      await page.goto(`${serve.url}${manifestHref("team/app", "missing")}`);
      t = await text(page);
      ok(t.includes("Not found") && t.includes("missing"), t);
      await shoot(page, "8-error");

      const elsewhere = requested.filter((u) => !u.startsWith(serve.url));
      equal(elsewhere.length, 0, `requests outside the registry: ${elsewhere.join(", ")}`);
    }),
});

Deno.test({
  name: "ocictl serve --ui --auth: the browser asks for the registry's credentials",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const htpasswd = await Deno.makeTempFile({ prefix: "ocictl-ui-htpasswd-" });
    await Deno.writeTextFile(htpasswd, `alice:${bcrypt.hashSync("s3cret", 4)}\n`);
    await withBrowser(["--auth", htpasswd], async (browser, serve) => {
      // Without credentials the registry asks for them; headless Chromium has no one to type
      // them, so it gives up on the challenge.
      const asked = await fetch(`${serve.url}/ui/`);
      equal(asked.status, 401);
      equal(asked.headers.get("www-authenticate"), 'Basic realm="ocictl"');
      ok((await asked.text()).includes("Sign in required"));
      const page = await newPage(browser);
      await rejects(page.goto(`${serve.url}/ui/`), /ERR_INVALID_AUTH_CREDENTIALS/);
      const signedIn = await newPage(browser);
      // What the browser sends once the user has typed the credentials into its prompt.
      await signedIn.setExtraHTTPHeaders({ authorization: `Basic ${btoa("alice:s3cret")}` });
      const shown = await signedIn.goto(`${serve.url}/ui/`);
      equal(shown?.status(), 200);
      ok((await text(signedIn)).includes("team/app"));
      await click(signedIn, `a[href="/ui/r/team/app"]`);
      ok((await text(signedIn)).includes("v1"));
      await shoot(signedIn, "9-signed-in");
    }).finally(() => Deno.remove(htpasswd));
  },
});
