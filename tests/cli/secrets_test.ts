/**
 * No secret in any output: every verb that takes credentials runs at
 * `-v trace`, in text and in `--logopt json`, against `ocictl serve` with
 * Basic auth and against a Bearer-token registry in front of it; stdout and
 * stderr must never hold the password, the Basic header value, the identity
 * token or an issued token. Each run must also succeed (or, for the wrong
 * password, fail), so the secrets were really used.
 *
 * @module
 */
import { equal, ok } from "node:assert/strict";
import bcrypt from "bcryptjs";
import { parseHtpasswd } from "../../src/serve/htpasswd.ts";
import { startRegistryServer } from "../../src/serve/server.ts";
import { runCli } from "../cli_harness.ts";
import { serve } from "../registry/_servers.ts";
import { withLayout } from "./_layout.ts";

const PASSWORD = `pw-${crypto.randomUUID()}`;
const WRONG = `wrong-${crypto.randomUUID()}`;
const ISSUED = `issued-${crypto.randomUUID()}`;
const IDENTITY = `identity-${crypto.randomUUID()}`;
const SECRETS = [
  PASSWORD,
  WRONG,
  ISSUED,
  IDENTITY,
  btoa(`alice:${PASSWORD}`),
  btoa(`alice:${WRONG}`),
];
const MODES = [["-v", "trace"], ["-v", "trace", "--logopt", "json"]];

interface Run {
  args: string[];
  stdin?: string;
  code?: number;
}

async function _check(run: Run, env: Record<string, string>): Promise<void> {
  for (const mode of MODES) {
    const r = await runCli([...mode, ...run.args], { env, stdin: run.stdin ?? "" });
    const what = `${mode.join(" ")} ${run.args.join(" ")}`;
    equal(r.code, run.code ?? 0, `${what}\n${r.stderr}`);
    for (const s of SECRETS) {
      ok(!r.stdout.includes(s), `stdout of "${what}" holds a secret`);
      ok(!r.stderr.includes(s), `stderr of "${what}" holds a secret`);
    }
  }
}

Deno.test("no verb taking credentials prints a password or token, at -v trace, in text or JSON logs", async () => {
  await withLayout(async (layout) => {
    const tmp = await Deno.makeTempDir();
    const auth = parseHtpasswd(`alice:${bcrypt.hashSync(PASSWORD, 4)}\n`);
    const basic = await startRegistryServer({
      dir: `${tmp}/basic`,
      hostname: "127.0.0.1",
      port: 0,
      auth,
    });
    const open = await startRegistryServer({ dir: `${tmp}/open`, hostname: "127.0.0.1", port: 0 });
    const tokens = serve(async (req) => {
      const body = req.method === "POST" ? new URLSearchParams(await req.text()) : undefined;
      const good = body?.get("refresh_token") === IDENTITY ||
        req.headers.get("authorization") === `Basic ${btoa(`alice:${PASSWORD}`)}`;
      if (!good) return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', { status: 401 });
      return Response.json({ token: ISSUED, access_token: ISSUED, expires_in: 300 });
    });
    const bearer = serve((req) => {
      if (req.headers.get("authorization") !== `Bearer ${ISSUED}`) {
        const m = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(new URL(req.url).pathname);
        const scope = m ? `,scope="repository:${m[1]}:pull,push"` : "";
        return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
          status: 401,
          headers: {
            "www-authenticate": `Bearer realm="${tokens.origin}/token",service="t"${scope}`,
          },
        });
      }
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete("authorization");
      return fetch(`http://127.0.0.1:${open.addr.port}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: req.body,
        redirect: "manual",
      });
    });
    try {
      const b = `127.0.0.1:${basic.addr.port}`;
      const t = bearer.host;
      const env = { OCICTL_CONFIG: `${tmp}/config.json`, HOME: tmp };
      const host = (reg: string, pass = PASSWORD) =>
        `reg=${reg},tls=disabled,user=alice,pass=${pass}`;
      const flagged = (reg: string, ...args: string[]) => ["--host", host(reg), ...args];
      await Deno.writeTextFile(
        `${tmp}/sync.yaml`,
        `version: 1\ncreds:\n  - registry: ${b}\n    tls: disabled\n    user: alice\n    pass: ${PASSWORD}\n` +
          `sync:\n  - source: ${layout.base}:v1\n` +
          `    target: ${b}/synced/app:v1\n    type: image\n`,
      );
      const runs: Run[] = [];
      for (const reg of [b, t]) {
        runs.push(
          { args: flagged(reg, "image", "copy", `${layout.base}:v1`, `${reg}/team/app:v1`) },
          {
            args: flagged(
              reg,
              "image",
              "copy",
              "--referrers",
              `${layout.base}:v1`,
              `${reg}/team/app:v2`,
            ),
          },
          { args: flagged(reg, "tag", "ls", `${reg}/team/app`) },
          { args: flagged(reg, "manifest", "get", `${reg}/team/app:v1`) },
          { args: flagged(reg, "manifest", "head", `${reg}/team/app:v1`) },
          { args: flagged(reg, "image", "digest", `${reg}/team/app:v1`) },
          { args: flagged(reg, "image", "inspect", `${reg}/team/app:v1`) },
          { args: flagged(reg, "image", "ratelimit", `${reg}/team/app:v1`) },
          { args: flagged(reg, "artifact", "list", `${reg}/team/app:v1`) },
          { args: flagged(reg, "blob", "put", `${reg}/team/app`), stdin: "a blob" },
          { args: flagged(reg, "image", "create", `${reg}/team/scratch:v1`) },
          { args: flagged(reg, "tag", "rm", "--ignore-missing", `${reg}/team/app:v2`) },
          { args: ["--host", host(reg, WRONG), "tag", "ls", `${reg}/team/app`], code: 1 },
        );
      }
      runs.push(
        { args: flagged(b, "repo", "ls", b) },
        { args: flagged(b, "repo", "copy", `${b}/team/app`, `${b}/team/copy`) },
        { args: ["registry", "set", "--skip-check", "--tls", "disabled", b] },
        { args: ["registry", "login", "-u", "alice", "-p", PASSWORD, b] },
        { args: ["registry", "login", "-u", "alice", "--pass-stdin", b], stdin: `${PASSWORD}\n` },
        { args: ["registry", "login", "-u", "alice", "-p", WRONG, b], code: 1 },
        { args: ["registry", "login", "-u", "alice", "-p", PASSWORD, b] },
        { args: ["registry", "whoami", b] },
        { args: ["registry", "config", b] },
        { args: ["registry", "config", b, "--format", "{{json .}}"] },
        { args: ["config", "get"] },
        { args: ["config", "get", "--format", "{{json .}}"] },
        { args: ["tag", "ls", `${b}/team/app`] },
        { args: ["sync", "once", "-c", `${tmp}/sync.yaml`] },
        { args: ["sync", "config", "-c", `${tmp}/sync.yaml`] },
        { args: ["registry", "set", "--skip-check", "--tls", "disabled", t] },
        { args: ["registry", "login", "-u", "<token>", "-p", IDENTITY, t] },
        { args: ["registry", "config", t] },
        { args: ["tag", "ls", `${t}/team/app`] },
        { args: ["registry", "logout", t] },
        { args: ["registry", "logout", b] },
      );
      for (const run of runs) await _check(run, env);
    } finally {
      await bearer.close();
      await tokens.close();
      await basic.shutdown();
      await open.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  });
});
