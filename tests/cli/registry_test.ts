/**
 * `registry` and `config` verbs end to end against docker-registry with
 * htpasswd users, with the config file in a temporary OCICTL_CONFIG.
 */
import assert from "node:assert/strict";
import { runCli } from "../cli_harness.ts";
import {
  type Distribution,
  hasDistribution,
  startDistribution,
} from "../registry/_distribution.ts";

const ignore = !hasDistribution;
const USERS = { alice: "s3cret-pass" };

async function withAuthRegistry(
  fn: (d: Distribution, env: Record<string, string>, file: string) => Promise<void>,
): Promise<void> {
  const d = await startDistribution({ users: USERS });
  const dir = await Deno.makeTempDir({ prefix: "ocictl-regcli-" });
  const file = `${dir}/config.json`;
  try {
    await fn(d, { OCICTL_CONFIG: file }, file);
  } finally {
    await d.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

function readConfig(file: string): { hosts: Record<string, Record<string, unknown>> } {
  return JSON.parse(Deno.readTextFileSync(file));
}

function fileMode(file: string): number {
  return (Deno.statSync(file).mode ?? 0) & 0o777;
}

Deno.test({
  name: "registry login --pass-stdin stores the login (mode 0600), whoami and logout use it",
  ignore,
  fn: () =>
    withAuthRegistry(async (d, env, file) => {
      const set = await runCli(["registry", "set", "--tls", "disabled", "--skip-check", d.host], {
        env,
      });
      assert.equal(set.code, 0, set.stderr);
      const login = await runCli(
        ["registry", "login", "-u", "alice", "--pass-stdin", d.host],
        { env, stdin: "s3cret-pass\n" },
      );
      assert.equal(login.code, 0, login.stderr);
      assert.equal(fileMode(file), 0o600);
      assert.deepEqual(readConfig(file).hosts[d.host], {
        tls: "disabled",
        user: "alice",
        pass: "s3cret-pass",
      });

      const who = await runCli(["registry", "whoami", d.host], { env });
      assert.equal(who.code, 0, who.stderr);
      assert.equal(who.stdout, "alice\n");

      const cfg = await runCli(["registry", "config", d.host], { env });
      assert.equal(cfg.code, 0, cfg.stderr);
      const shown = JSON.parse(cfg.stdout) as Record<string, unknown>;
      assert.equal(shown.user, "alice");
      assert.equal(shown.tls, "disabled");
      assert.equal(shown.pass, undefined);
      assert.ok(!cfg.stdout.includes("s3cret-pass"));

      const get = await runCli(["config", "get"], { env });
      assert.equal(get.code, 0, get.stderr);
      assert.ok(!get.stdout.includes("s3cret-pass"));
      const name = await runCli(["config", "get", "--format", "{{.Filename}}"], { env });
      assert.equal(name.stdout.trim(), file);

      const ls = await runCli(["tag", "ls", `${d.host}/none/here`], { env });
      assert.equal(ls.code, 1); // authenticated, but the repository does not exist
      assert.doesNotMatch(ls.stderr, /registry login/);

      const logout = await runCli(["registry", "logout", d.host], { env });
      assert.equal(logout.code, 0, logout.stderr);
      assert.deepEqual(readConfig(file).hosts[d.host], { tls: "disabled" });
      const nobody = await runCli(["registry", "whoami", d.host], { env });
      assert.equal(nobody.code, 1);
      assert.equal(nobody.stdout, "");
    }),
});

Deno.test({
  name: "a 401 without login exits 1 with the login hint",
  ignore,
  fn: () =>
    withAuthRegistry(async (d, env) => {
      const r = await runCli(
        ["--host", `reg=${d.host},tls=disabled`, "tag", "ls", `${d.host}/a/b`],
        { env },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`ocictl registry login ${d.host.replace(/\./g, "\\.")}`));
    }),
});

Deno.test({
  name: "registry login with a wrong password exits 1 (the check fails)",
  ignore,
  fn: () =>
    withAuthRegistry(async (d, env) => {
      const r = await runCli(
        [
          "--host",
          `reg=${d.host},tls=disabled`,
          "registry",
          "login",
          "-u",
          "alice",
          "-p",
          "nope",
          d.host,
        ],
        { env },
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /401/);
      const again = await runCli(
        [
          "--host",
          `reg=${d.host},tls=disabled`,
          "registry",
          "login",
          "-u",
          "alice",
          "--pass-stdin",
          d.host,
        ],
        { env, stdin: "s3cret-pass" },
      );
      assert.equal(again.code, 0, again.stderr);
    }),
});

Deno.test({
  name: "--host user and pass log in for one run without touching the config",
  ignore,
  fn: () =>
    withAuthRegistry(async (d, env, file) => {
      const host = `reg=${d.host},tls=disabled,user=alice,pass=${USERS.alice}`;
      const put = await runCli(["--host", host, "blob", "put", `${d.host}/once/repo`], {
        env,
        stdin: "one run only",
      });
      assert.equal(put.code, 0, put.stderr);
      const who = await runCli(["--host", host, "registry", "whoami", d.host], { env });
      assert.equal(who.stdout, "alice\n");
      let exists = true;
      try {
        Deno.statSync(file);
      } catch {
        exists = false;
      }
      assert.equal(exists, false);
    }),
});

Deno.test("registry login refuses bad input with exit 2 and writes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.json`;
  const env = { OCICTL_CONFIG: file };
  try {
    const cases: [string[], string][] = [
      [["registry", "login", "--pass-stdin", "r.example"], "pw"], // --pass-stdin needs -u
      [["registry", "login", "-u", "me", "r.example"], ""], // no terminal to prompt
      [["registry", "login", "r.example"], ""], // no terminal to prompt
      [["registry", "login", "-u", "me", "--pass-stdin", "r.example"], "\n"], // empty password
      [["registry", "login", "-u", "me", "-p", "x", "r.example/repo"], ""], // repository path
      [["registry", "set", "--tls", "sometimes", "r.example"], ""],
      [["registry", "set", "--priority", "-1", "--skip-check", "r.example"], ""],
      [["registry", "set", "--api-opts", "novalue", "--skip-check", "r.example"], ""],
      [["config", "set", "--blob-limit", "lots"], ""],
      [["config", "set", "--docker-cert=maybe"], ""],
      [["--host", "reg=x,tls=sometimes", "registry", "whoami", "x"], ""],
    ];
    for (const [argv, stdin] of cases) {
      const r = await runCli(argv, { env, stdin });
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    }
    assert.throws(() => Deno.statSync(file), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registry whoami without a login exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli(["registry", "whoami", "r.example"], {
      env: { OCICTL_CONFIG: `${dir}/config.json` },
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registry login <token> stores a token; set changes only the flags given", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.json`;
  const env = { OCICTL_CONFIG: file };
  try {
    const login = await runCli(
      ["registry", "login", "-u", "<token>", "--pass-stdin", "--skip-check", "r.example"],
      { env, stdin: "tok-123\n" },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.deepEqual(readConfig(file).hosts["r.example"], { token: "tok-123" });
    const who = await runCli(["registry", "whoami", "r.example"], { env });
    assert.equal(who.stdout, "<token>\n");

    const set = await runCli([
      "registry",
      "set",
      "--skip-check",
      "--hostname",
      "mirror.example:8443",
      "--mirror",
      "m1.example",
      "--mirror",
      "m2.example",
      "--req-per-sec",
      "2.5",
      "--blob-max",
      "-1",
      "--repo-auth",
      "--api-opts",
      "disableHead=true",
      "r.example",
    ], { env });
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(readConfig(file).hosts["r.example"], {
      hostname: "mirror.example:8443",
      token: "tok-123",
      mirrors: ["m1.example", "m2.example"],
      repoAuth: true,
      apiOpts: { disableHead: "true" },
      blobMax: -1,
      reqPerSec: 2.5,
    });
    const unset = await runCli(
      [
        "registry",
        "set",
        "--skip-check",
        "--hostname",
        "",
        "--api-opts",
        "disableHead=",
        "r.example",
      ],
      { env },
    );
    assert.equal(unset.code, 0, unset.stderr);
    const host = readConfig(file).hosts["r.example"] ?? {};
    assert.equal(host.hostname, undefined);
    assert.equal(host.token, "tok-123");
    assert.equal(host.repoAuth, true);

    const logout = await runCli(["registry", "logout", "r.example"], { env });
    assert.equal(logout.code, 0, logout.stderr);
    assert.equal(readConfig(file).hosts["r.example"]?.token, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config set changes global settings; true removes the override", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.json`;
  const env = { OCICTL_CONFIG: file };
  try {
    const set = await runCli([
      "config",
      "set",
      "--blob-limit",
      "1048576",
      "--default-cred-helper",
      "docker-credential-pass",
      "--docker-cert=false",
      "--docker-cred",
      "false",
    ], { env });
    assert.equal(set.code, 0, set.stderr);
    const c = JSON.parse(Deno.readTextFileSync(file));
    assert.equal(c.blobLimit, 1048576);
    assert.deepEqual(c.hostDefault, { credHelper: "docker-credential-pass" });
    assert.equal(c.incDockerCert, false);
    assert.equal(c.incDockerCred, false);
    assert.equal(fileMode(file), 0o600);

    const back = await runCli(
      ["config", "set", "--docker-cert", "--docker-cred=true", "--default-cred-helper", ""],
      { env },
    );
    assert.equal(back.code, 0, back.stderr);
    const c2 = JSON.parse(Deno.readTextFileSync(file));
    assert.equal(c2.incDockerCert, undefined);
    assert.equal(c2.incDockerCred, undefined);
    assert.equal(c2.hostDefault, undefined);
    assert.equal(c2.blobLimit, 1048576);

    const get = await runCli(["config", "get", "--format", "{{.BlobLimit}} {{.IncDockerCert}}"], {
      env,
    });
    assert.equal(get.stdout, "1048576 true");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registry config prints regctl's host JSON with the defaults in force and no secrets", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/config.json`;
  const env = { OCICTL_CONFIG: file };
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        hosts: {
          "r.example": {
            user: "bob",
            pass: "s3cret",
            clientKey: "KEY",
            credExpire: "90m",
            mirrors: ["m.example"],
            reqConcurrent: 2,
          },
          "docker.io": { token: "tok-1" },
        },
      }),
    );
    const one = await runCli(["registry", "config", "r.example"], { env });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(
      one.stdout,
      JSON.stringify(
        {
          tls: "enabled",
          hostname: "r.example",
          user: "bob",
          credExpire: "1h30m0s",
          mirrors: ["m.example"],
          reqConcurrent: 2,
        },
        null,
        2,
      ) + "\n",
    );
    const hub = await runCli(["registry", "config", "docker.io"], { env });
    const hubJson = JSON.parse(hub.stdout) as Record<string, unknown>;
    assert.equal(hubJson.hostname, "registry-1.docker.io");
    assert.equal(hubJson.credHost, "https://index.docker.io/v1/");
    assert.equal(hubJson.token, undefined);

    const tpl = await runCli([
      "registry",
      "config",
      "r.example",
      "--format",
      "{{.TLS}} {{.Hostname}} {{.ReqConcurrent}} {{.Mirrors}} [{{.Pass}}]",
    ], { env });
    assert.equal(tpl.stdout, "enabled r.example 2 [m.example] []");

    const all = await runCli(["registry", "config"], { env });
    assert.equal(all.code, 0, all.stderr);
    const allJson = JSON.parse(all.stdout) as { hosts: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(allJson.hosts), ["docker.io", "r.example"]);
    assert.equal(allJson.hosts["r.example"]?.hostname, "r.example");
    assert.doesNotMatch(all.stdout + one.stdout + hub.stdout, /s3cret|KEY|tok-1/);

    const none = await runCli(["registry", "config", "unknown.example"], { env });
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, "");
    assert.match(none.stderr, /No configuration found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
