/**
 * Referrers fallback tag maintenance on delete, against docker-registry
 * (no referrers API) behind a logging proxy: entries are removed with
 * `If-Match`, a 412 starts the update over, an empty index drops the tag.
 */
import assert from "node:assert/strict";
import { createManifestRmCommand } from "../../plugins/manifest/rm.ts";
import type { CliContext } from "../../src/cli/context.ts";
import { NotFoundError, RegistryError, UsageError } from "../../src/errors.ts";
import { MediaType } from "../../src/types/media_type.ts";
import { parseRef, type Ref } from "../../src/types/ref.ts";
import { referrersFallbackTag } from "../../src/types/referrer.ts";
import { RegistryTransport } from "../../src/transport/registry/registry_transport.ts";
import { hasDistribution, startDistribution } from "./_distribution.ts";
import { buildImage, type TestImage } from "./_image.ts";
import { startProxy, type TestProxy } from "./_servers.ts";

const ignore = !hasDistribution;

interface Ctx {
  p: TestProxy;
  t: RegistryTransport;
  repo: string;
  subject: TestImage;
  arts: TestImage[];
}

async function push(t: RegistryTransport, ref: Ref, img: TestImage): Promise<void> {
  for (const b of img.blobs) {
    await t.blobPut(ref, ReadableStream.from([b.bytes]), {
      digest: b.digest,
      size: b.bytes.length,
    });
  }
  await t.manifestPut(ref, img.manifest);
}

/** A subject with two artifacts listed in its fallback tag. */
async function withReferrers(fn: (c: Ctx) => Promise<void>): Promise<void> {
  const d = await startDistribution();
  const p = startProxy(`http://${d.host}`);
  const t = new RegistryTransport({
    hosts: [{ name: p.host, tls: "disabled" }],
    sleep: () => Promise.resolve(),
  });
  try {
    const repo = `${p.host}/repo/sub`;
    const subject = await buildImage(21);
    await push(t, parseRef(`${repo}:v1`), subject);
    const subjectDesc = {
      mediaType: MediaType.OCI_MANIFEST,
      digest: subject.digest,
      size: subject.manifest.byteLength,
    };
    const arts = await Promise.all(
      [22, 23, 24].map((seed) =>
        buildImage(seed, { subject: subjectDesc, artifactType: "application/x.test" })
      ),
    );
    for (const a of arts) await push(t, parseRef(`${repo}@${a.digest}`), a);
    p.log.length = 0;
    await fn({ p, t, repo, subject, arts });
  } finally {
    await t.close();
    await p.close();
    await d.stop();
  }
}

const listed = async (c: Ctx) =>
  (await c.t.referrerList(parseRef(`${c.repo}@${c.subject.digest}`))).map((d) => d.digest).sort();

Deno.test({
  name: "manifestDelete() with referrers removes the entry from the fallback tag with If-Match",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      const [a1, a2, a3] = c.arts as [TestImage, TestImage, TestImage];
      assert.deepEqual(await listed(c), [a1.digest, a2.digest, a3.digest].sort());
      await c.t.manifestDelete(parseRef(`${c.repo}@${a1.digest}`), { referrers: true });
      assert.deepEqual(await listed(c), [a2.digest, a3.digest].sort());
      const tag = referrersFallbackTag(c.subject.digest);
      const put = c.p.log.find((l) => l.method === "PUT" && l.path.endsWith(`/manifests/${tag}`));
      assert.ok(put);
      assert.match(put.ifMatch ?? "", /^"sha256:[0-9a-f]{64}"$/);
      // Without the option the fallback tag is left alone.
      await c.t.manifestDelete(parseRef(`${c.repo}@${a2.digest}`));
      assert.deepEqual(await listed(c), [a2.digest, a3.digest].sort());
    });
  },
});

Deno.test({
  name: "manifestDelete() with referrers deletes the fallback tag when its index becomes empty",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      for (const a of c.arts) {
        await c.t.manifestDelete(parseRef(`${c.repo}@${a.digest}`), { referrers: true });
      }
      assert.deepEqual(await listed(c), []);
      const tag = referrersFallbackTag(c.subject.digest);
      await assert.rejects(
        c.t.manifestHead(parseRef(`${c.repo}:${tag}`)),
        (err: unknown) => err instanceof NotFoundError && err.code === "NOT_FOUND",
      );
      // The subject itself is untouched.
      assert.equal((await c.t.manifestHead(parseRef(`${c.repo}:v1`))).digest, c.subject.digest);
    });
  },
});

Deno.test({
  name: "manifestDelete() with referrers starts over when the fallback tag changed (412)",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      const tag = referrersFallbackTag(c.subject.digest);
      let refused = 0;
      c.p.set({
        before(req, url) {
          if (req.method === "PUT" && url.pathname.endsWith(`/manifests/${tag}`) && refused < 1) {
            refused++;
            return new Response("precondition failed", { status: 412 });
          }
          return undefined;
        },
      });
      const a1 = c.arts[0]!;
      await c.t.manifestDelete(parseRef(`${c.repo}@${a1.digest}`), { referrers: true });
      assert.equal(refused, 1);
      assert.equal(
        c.p.log.filter((l) => l.method === "PUT" && l.path.endsWith(`/manifests/${tag}`)).length,
        2,
      );
      assert.equal((await listed(c)).length, 2);
    });
  },
});

Deno.test({
  name: "manifestDelete() with referrers gives up after repeated 412 answers",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      const tag = referrersFallbackTag(c.subject.digest);
      c.p.set({
        before(req, url) {
          if (req.method === "PUT" && url.pathname.endsWith(`/manifests/${tag}`)) {
            return new Response("precondition failed", { status: 412 });
          }
          return undefined;
        },
      });
      await assert.rejects(
        c.t.manifestDelete(parseRef(`${c.repo}@${c.arts[0]!.digest}`), { referrers: true }),
        (err: unknown) => err instanceof RegistryError && err.status === 412,
      );
      c.p.set({});
      assert.equal((await listed(c)).length, 3);
    });
  },
});

Deno.test({
  name: "manifestDelete() with referrers of a manifest without subject only deletes it",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      await c.t.manifestDelete(parseRef(`${c.repo}@${c.subject.digest}`), { referrers: true });
      await assert.rejects(
        c.t.manifestHead(parseRef(`${c.repo}@${c.subject.digest}`)),
        (err: unknown) => err instanceof NotFoundError && err.code === "NOT_FOUND",
      );
      assert.ok(!c.p.log.some((l) => l.method === "PUT"));
    });
  },
});

Deno.test({
  name: "manifest rm --referrers updates the fallback tag; without it the tag is kept",
  ignore,
  async fn() {
    await withReferrers(async (c) => {
      const infos: string[] = [];
      const ctx = {
        client: c.t,
        logger: { info: (msg: string) => infos.push(msg) },
      } as unknown as CliContext;
      const run = (args: string[]) =>
        createManifestRmCommand(ctx, { name: "rm", aliases: [] }).parseAsync(args, {
          from: "user",
        });
      const [a1, a2, a3] = c.arts as [TestImage, TestImage, TestImage];
      await run([`${c.repo}@${a1.digest}`, "--referrers"]);
      assert.deepEqual(await listed(c), [a2.digest, a3.digest].sort());
      await run([`${c.repo}@${a2.digest}`]);
      assert.deepEqual(await listed(c), [a2.digest, a3.digest].sort());
      await assert.rejects(
        run([`${c.repo}@${a1.digest}`, "--referrers"]),
        (err: unknown) => err instanceof NotFoundError && err.code === "NOT_FOUND",
      );
      await run([`${c.repo}@${a1.digest}`, "--referrers", "--ignore-missing"]);
      assert.deepEqual(infos, ["manifest not found"]);
      await assert.rejects(
        run([`${c.repo}:v1`, "--referrers"]),
        (err: unknown) => err instanceof UsageError && err.code === "USAGE",
      );
    });
  },
});
