import assert from "node:assert/strict";
import { AbortedError, OciError, RegistryError } from "../../src/errors.ts";
import { digestOf } from "../../src/types/digest.ts";
import { parseRef } from "../../src/types/ref.ts";
import type { HostConfig } from "../../src/transport/registry/host_config.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { buildImage } from "./_image.ts";
import { serve, type TestServer } from "./_servers.ts";

interface TokenRequest {
  method: string;
  params: URLSearchParams;
  authorization: string | null;
}

interface Env {
  reg: TestServer;
  tokens: TokenRequest[];
  /** What the token endpoint does: answer, refuse, or hang. */
  mode: { value: "ok" | "refuse" | "hang" | "access_token" };
  challenge: { value: string | undefined };
}

const img = await buildImage(51);

async function withBearer(fn: (env: Env) => Promise<void>): Promise<void> {
  const tokens: TokenRequest[] = [];
  const issued = new Map<string, string[]>();
  const mode: Env["mode"] = { value: "ok" };
  const challenge: Env["challenge"] = { value: undefined };
  let hangRelease: () => void = () => {};
  const hang = new Promise<void>((r) => (hangRelease = r));
  let n = 0;
  const auth = serve(async (req) => {
    const url = new URL(req.url);
    const params = req.method === "POST" ? new URLSearchParams(await req.text()) : url.searchParams;
    tokens.push({ method: req.method, params, authorization: req.headers.get("authorization") });
    if (mode.value === "hang") {
      await hang;
      return new Response("late", { status: 500 });
    }
    if (mode.value === "refuse") return new Response("{}", { status: 401 });
    const scopes = req.method === "POST"
      ? (params.get("scope") ?? "").split(" ").filter((s) => s)
      : params.getAll("scope");
    const token = `tok-${++n}`;
    issued.set(token, scopes);
    return Response.json(
      req.method === "POST" || mode.value === "access_token"
        ? { access_token: token, expires_in: 60, refresh_token: "next-refresh" }
        : { token, expires_in: 60 },
    );
  });
  const reg = serve(async (req) => {
    const url = new URL(req.url);
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    const repo = m?.[1] ?? "";
    const push = req.method !== "GET" && req.method !== "HEAD";
    const need = repo ? `repository:${repo}:${push ? "pull,push" : "pull"}` : "";
    const tok = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const granted = tok ? issued.get(tok) : undefined;
    const ok = granted !== undefined && (need === "" || granted.includes(need));
    if (!ok) {
      await req.body?.cancel();
      const scope = need ? `,scope="${need}"` : "";
      return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
        status: 401,
        headers: {
          "www-authenticate": challenge.value ??
            `Bearer realm="${auth.origin}/token",service="reg"${scope}`,
        },
      });
    }
    if (url.pathname === "/v2/") return new Response("{}");
    if (req.method === "PUT") {
      const body = new Uint8Array(await req.arrayBuffer());
      return new Response(null, {
        status: 201,
        headers: { "docker-content-digest": await digestOf(body) },
      });
    }
    return new Response(req.method === "HEAD" ? null : img.manifest as BodyInit, {
      headers: {
        "content-type": "application/vnd.oci.image.manifest.v1+json",
        "docker-content-digest": img.digest,
        "content-length": String(img.manifest.byteLength),
      },
    });
  });
  try {
    await fn({ reg, tokens, mode, challenge });
  } finally {
    hangRelease();
    await reg.close();
    await auth.close();
  }
}

function transport(env: Env, host: Partial<HostConfig> = {}, extra = {}): RegistryTransport {
  return new RegistryTransport({
    hosts: [{ name: env.reg.host, tls: "disabled", ...host }],
    ...extra,
  });
}

Deno.test("Bearer auth: anonymous token with service and pull scope, cached", () =>
  withBearer(async (env) => {
    const t = transport(env);
    const ref = parseRef(`${env.reg.host}/a/b:v1`);
    assert.equal((await t.manifestGet(ref)).digest, img.digest);
    assert.equal((await t.manifestHead(ref)).digest, img.digest);
    assert.equal(env.tokens.length, 1);
    const [tr] = env.tokens;
    assert.equal(tr?.method, "GET");
    assert.equal(tr?.authorization, null);
    assert.equal(tr?.params.get("service"), "reg");
    assert.deepEqual(tr?.params.getAll("scope"), ["repository:a/b:pull"]);
  }));

Deno.test("Bearer auth: a token request's deadline uses no global timer (Node's Timeout costs a start-up 12 ms)", () =>
  withBearer(async (env) => {
    const real = globalThis.setTimeout;
    let used = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => {
      used++;
      return real(...a);
    }) as typeof setTimeout;
    try {
      const t = transport(env);
      assert.equal((await t.manifestHead(parseRef(`${env.reg.host}/a/b:v1`))).digest, img.digest);
      assert.equal(env.tokens.length, 1);
      await t.close();
    } finally {
      globalThis.setTimeout = real;
    }
    assert.equal(used, 0);
  }));

Deno.test("Bearer auth: Basic credentials go to the token endpoint with account", () =>
  withBearer(async (env) => {
    const t = transport(env, { user: "bob", pass: "pw" });
    await t.manifestGet(parseRef(`${env.reg.host}/a/b:v1`));
    assert.equal(env.tokens[0]?.authorization, `Basic ${btoa("bob:pw")}`);
    assert.equal(env.tokens[0]?.params.get("account"), "bob");
  }));

Deno.test("Bearer auth: a push asks for pull,push and accepts access_token", () =>
  withBearer(async (env) => {
    env.mode.value = "access_token";
    const t = transport(env);
    await t.manifestPut(parseRef(`${env.reg.host}/a/b:v2`), img.manifest);
    assert.ok(
      env.tokens.some((r) => r.params.getAll("scope").includes("repository:a/b:pull,push")),
    );
  }));

Deno.test("Bearer auth: a refresh token is sent with the OAuth2 POST", () =>
  withBearer(async (env) => {
    const t = transport(env, { token: "my-refresh" });
    await t.manifestGet(parseRef(`${env.reg.host}/a/b:v1`));
    assert.equal(env.tokens.length, 1);
    const [tr] = env.tokens;
    assert.equal(tr?.method, "POST");
    assert.equal(tr?.params.get("grant_type"), "refresh_token");
    assert.equal(tr?.params.get("refresh_token"), "my-refresh");
    assert.equal(tr?.params.get("scope"), "repository:a/b:pull");
    assert.equal(tr?.params.get("service"), "reg");
  }));

Deno.test("Bearer auth: tokens are renewed when they expire", () =>
  withBearer(async (env) => {
    let now = 1_000_000;
    const t = transport(env, {}, { now: () => now });
    const ref = parseRef(`${env.reg.host}/a/b:v1`);
    await t.manifestHead(ref);
    now += 30_000;
    await t.manifestHead(ref);
    assert.equal(env.tokens.length, 1);
    now += 31_000;
    await t.manifestHead(ref);
    assert.equal(env.tokens.length, 2);
  }));

Deno.test("Bearer auth: a refusing token endpoint gives UNAUTHORIZED", () =>
  withBearer(async (env) => {
    env.mode.value = "refuse";
    const t = transport(env);
    await assert.rejects(
      t.manifestGet(parseRef(`${env.reg.host}/a/b:v1`)),
      (e: unknown) => e instanceof RegistryError && e.code === "UNAUTHORIZED",
    );
  }));

Deno.test("Bearer auth: a token endpoint that never answers times out or aborts", () =>
  withBearer(async (env) => {
    env.mode.value = "hang";
    const t = transport(env, {}, { tokenTimeout: 200 });
    await assert.rejects(
      t.manifestGet(parseRef(`${env.reg.host}/a/b:v1`)),
      (e: unknown) => e instanceof OciError && e.code === "UNAUTHORIZED",
    );
    const t2 = transport(env);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 100);
    await assert.rejects(
      t2.manifestGet(parseRef(`${env.reg.host}/a/b:v2`), { signal: ac.signal }),
      AbortedError,
    );
    clearTimeout(timer);
  }));

Deno.test("Bearer auth: an unparsable WWW-Authenticate gives a typed error", () =>
  withBearer(async (env) => {
    env.challenge.value = 'Bearer realm="unterminated';
    const t = transport(env);
    await assert.rejects(
      t.manifestGet(parseRef(`${env.reg.host}/a/b:v1`)),
      (e: unknown) => e instanceof OciError && e.code === "UNAUTHORIZED",
    );
  }));

Deno.test("ping() authenticates against /v2/", () =>
  withBearer(async (env) => {
    const t = transport(env);
    await t.ping(parseRef(`${env.reg.host}/a/b:v1`));
    assert.equal(env.tokens.length, 1);
    assert.deepEqual(env.tokens[0]?.params.getAll("scope"), []);
  }));
