/**
 * Access control of `ocictl serve` over 127.0.0.1: `--access` rules per
 * repository with 401/403, the filtered catalog, refused cross-repository
 * mounts, and failed logins limited per address without telling whether the
 * user exists.
 *
 * @module
 */
import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { parseAccessRules } from "../../src/serve/access.ts";
import { parseHtpasswd } from "../../src/serve/htpasswd.ts";
import { LoginLimiter } from "../../src/serve/login_limiter.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { digestOf } from "../../src/types/digest.ts";
import { runCli } from "../cli_harness.ts";
import { startServeProcess } from "../drills/_proc.ts";
import { buildImage, errorCode, pushImage, type Reply, send } from "./_client.ts";

const PASSWORDS: Record<string, string> = { alice: "a-secret", bob: "b-secret", carol: "c-secret" };
const ACCESS = `
groups:
  devs: [alice]
rules:
  - users: [anonymous]
    repos: ["public/**"]
    actions: [pull]
  - groups: [devs]
    repos: ["team/**", "public/**"]
    actions: [pull, push, delete]
  - users: [bob]
    repos: ["team/**"]
    actions: [pull]
  - users: [carol]
    repos: ["carol/*"]
    actions: [pull, push]
`;

function _htpasswdText(): string {
  return Object.entries(PASSWORDS).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 4)}\n`).join("");
}

function _basic(user: string, pass = PASSWORDS[user] ?? ""): Record<string, string> {
  return { Authorization: `Basic ${btoa(`${user}:${pass}`)}` };
}

async function _withServer(
  fn: (base: string, dir: string, clock: { t: number }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const auth = parseHtpasswd(_htpasswdText());
  const clock = { t: 1_000_000 };
  const server = await startRegistryServer({
    dir,
    hostname: "127.0.0.1",
    port: 0,
    auth,
    access: parseAccessRules(ACCESS, auth.users),
    loginLimiter: new LoginLimiter({ now: () => clock.t, freeFailures: 2, baseDelayMs: 2000 }),
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, dir, clock);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

function _as(user: string | undefined): (req: Request) => Promise<Response> {
  return (req) => {
    if (user !== undefined) req.headers.set("Authorization", _basic(user).Authorization ?? "");
    return fetch(req);
  };
}

function _catalog(r: Reply): string[] {
  return (JSON.parse(r.text) as { repositories: string[] }).repositories;
}

Deno.test("serve --access: anonymous pulls public repositories and gets 401 elsewhere; users get 403 without the right", async () => {
  await _withServer(async (base) => {
    const img = await buildImage("access");
    equal((await pushImage(_as("alice"), base, "team/app", "v1", img)).status, 201);
    equal((await pushImage(_as("alice"), base, "public/app", "v1", img)).status, 201);

    const anon = _as(undefined);
    equal((await send(anon, "GET", `${base}/v2/public/app/manifests/v1`)).status, 200);
    equal((await send(anon, "GET", `${base}/v2/public/app/tags/list`)).status, 200);
    for (
      const [method, path] of [
        ["GET", "/v2/team/app/manifests/v1"],
        ["HEAD", `/v2/team/app/blobs/${await digestOf(img.blobs[0] ?? new Uint8Array())}`],
        ["POST", "/v2/public/app/blobs/uploads/"],
        ["DELETE", `/v2/public/app/manifests/${img.digest}`],
      ] as const
    ) {
      const r = await send(anon, method, `${base}${path}`);
      equal(r.status, 401, `${method} ${path}`);
      equal(r.headers.get("www-authenticate"), 'Basic realm="ocictl"');
    }

    const bob = _as("bob");
    equal((await send(bob, "GET", `${base}/v2/team/app/manifests/v1`)).status, 200);
    for (
      const [method, path] of [
        ["POST", "/v2/team/app/blobs/uploads/"],
        ["PUT", "/v2/team/app/manifests/v2"],
        ["DELETE", `/v2/team/app/manifests/${img.digest}`],
        ["GET", "/v2/public/app/manifests/v1"],
      ] as const
    ) {
      const r = await send(bob, method, `${base}${path}`, { body: method === "PUT" ? "{}" : null });
      equal(r.status, 403, `${method} ${path}`);
      equal(errorCode(r), "DENIED");
    }
    // alice (through her group) may delete; the tag went with it.
    equal((await send(_as("alice"), "DELETE", `${base}/v2/team/app/manifests/v1`)).status, 202);
  });
});

Deno.test("serve --access: _catalog lists only the repositories the user may pull", async () => {
  await _withServer(async (base) => {
    const img = await buildImage("catalog");
    for (const repo of ["team/app", "team/lib", "public/app"]) {
      equal((await pushImage(_as("alice"), base, repo, "v1", img)).status, 201);
    }
    equal((await pushImage(_as("carol"), base, "carol/x", "v1", img)).status, 201);
    const list = async (user: string | undefined) =>
      _catalog(await send(_as(user), "GET", `${base}/v2/_catalog`));
    deepEqual(await list(undefined), ["public/app"]);
    deepEqual(await list("bob"), ["team/app", "team/lib"]);
    deepEqual(await list("alice"), ["public/app", "team/app", "team/lib"]);
    deepEqual(await list("carol"), ["carol/x"]);
    // paging runs over the filtered list
    const page = await send(_as("alice"), "GET", `${base}/v2/_catalog?n=1&last=public/app`);
    deepEqual(_catalog(page), ["team/app"]);
  });
});

Deno.test("serve --access: a mount from a repository the user may not pull copies nothing", async () => {
  await _withServer(async (base) => {
    const img = await buildImage("mount");
    equal((await pushImage(_as("alice"), base, "team/app", "v1", img)).status, 201);
    const layer = await digestOf(img.blobs[1] ?? new Uint8Array());
    const refused = await send(
      _as("carol"),
      "POST",
      `${base}/v2/carol/x/blobs/uploads/?mount=${layer}&from=team/app`,
    );
    equal(refused.status, 202, "a plain upload session, as for an unknown blob");
    const head = await send(_as("carol"), "HEAD", `${base}/v2/carol/x/blobs/${layer}`);
    equal(head.status, 404);
    // the same mount by a user who may pull the source is done
    const done = await send(
      _as("alice"),
      "POST",
      `${base}/v2/public/copy/blobs/uploads/?mount=${layer}&from=team/app`,
    );
    equal(done.status, 201);
  });
});

Deno.test("serve --access: failed logins back off per address and never tell whether the user exists", async () => {
  await _withServer(async (base, _dir, clock) => {
    const tries = async (user: string, pass: string) => {
      const r = await send(fetch, "GET", `${base}/v2/team/app/tags/list`, {
        headers: _basic(user, pass),
      });
      return { status: r.status, code: errorCode(r), retry: r.headers.get("retry-after") };
    };
    const known: unknown[] = [];
    for (let i = 0; i < 3; i++) known.push(await tries("bob", "wrong"));
    deepEqual(known.map((r) => (r as { status: number }).status), [401, 401, 429]);
    // while the address waits, even the right password is not checked
    const blocked = await tries("bob", PASSWORDS.bob ?? "");
    equal(blocked.status, 429);
    equal(blocked.code, "TOOMANYREQUESTS");
    equal(blocked.retry, "2");
    clock.t += 2000;
    equal((await tries("bob", PASSWORDS.bob ?? "")).status, 404, "logged in; no such repo");
    // the success cleared the address: an unknown user now gets the same answers
    const unknown: unknown[] = [];
    for (let i = 0; i < 3; i++) unknown.push(await tries("nobody", "wrong"));
    deepEqual(unknown, known);
    clock.t += 2000;
    const doubled = await tries("nobody", "wrong");
    equal(doubled.status, 429);
    equal(doubled.retry, "4", "the wait doubles");
  });
});

Deno.test("ocictl serve --access: a bad access file exits non-zero and creates nothing", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${tmp}/htpasswd`, _htpasswdText());
    for (
      const text of [
        "rules: []\n",
        "rules:\n  - users: [mallory]\n    repos: [x]\n    actions: [pull]\n",
        "rules:\n  - users: [bob]\n    repos: [x]\n    actions: [push, admin]\n",
        "rules: [\n",
      ]
    ) {
      await Deno.writeTextFile(`${tmp}/access.yaml`, text);
      const r = await runCli([
        "serve",
        "--dir",
        `${tmp}/registry`,
        "--addr",
        "127.0.0.1:0",
        "--auth",
        `${tmp}/htpasswd`,
        "--access",
        `${tmp}/access.yaml`,
      ]);
      notEqual(r.code, 0, text);
      equal(r.stdout, "");
      ok(r.stderr.includes("access file"), r.stderr);
      equal(await Deno.stat(`${tmp}/registry`).catch(() => undefined), undefined);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("ocictl serve --access --ui: the web UI lists and opens only what the user may pull", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${tmp}/htpasswd`, _htpasswdText());
    await Deno.writeTextFile(`${tmp}/access.yaml`, ACCESS);
    const { child, base } = await startServeProcess(`${tmp}/registry`, 0, "", [
      "--auth",
      `${tmp}/htpasswd`,
      "--access",
      `${tmp}/access.yaml`,
      "--ui",
    ]);
    try {
      const img = await buildImage("ui");
      const alice = (req: Request) => {
        req.headers.set("Authorization", _basic("alice").Authorization ?? "");
        return fetch(req);
      };
      for (const repo of ["team/app", "public/app"]) {
        equal((await pushImage(alice, base, repo, "v1", img)).status, 201);
      }
      const page = async (user: string | undefined, path: string) =>
        await send(
          fetch,
          "GET",
          `${base}${path}`,
          user === undefined ? {} : { headers: _basic(user) },
        );
      const carol = await page("carol", "/ui/");
      equal(carol.status, 200);
      ok(!carol.text.includes("team/app") && !carol.text.includes("public/app"), carol.text);
      const bob = await page("bob", "/ui/");
      ok(bob.text.includes("team/app") && !bob.text.includes("public/app"), bob.text);
      const anon = await page(undefined, "/ui/");
      ok(anon.text.includes("public/app") && !anon.text.includes("team/app"), anon.text);
      equal((await page("carol", "/ui/r/team/app")).status, 404);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
