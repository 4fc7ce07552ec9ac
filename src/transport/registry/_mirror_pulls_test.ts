import assert from "node:assert/strict";
import { AbortedError, NotFoundError } from "../../errors.ts";
import { parseRef } from "../../types/ref.ts";
import { pullInTurn } from "./_mirror_pulls.ts";
import { hostOf, pullFrom, type RegistryContext } from "./_registry_context.ts";
import type { PullHost } from "./host_config.ts";

/** A context with `up` mirrored by `m1` and `m2`, none backing off. */
function _ctx(debug: string[] = []): RegistryContext {
  return {
    hosts: [
      { name: "up.example", tls: "disabled", mirrors: ["m1.example", "m2.example"] },
      { name: "m1.example", tls: "disabled" },
      { name: "m2.example", tls: "disabled" },
    ],
    http: { backingOff: () => false },
    logger: { debug: (msg: string) => debug.push(msg) },
    now: () => 0,
  } as unknown as RegistryContext;
}

const REF = parseRef("up.example/app:v1");

Deno.test("pullInTurn() asks the mirrors first and stops at the first success", async () => {
  const debug: string[] = [];
  const ctx = _ctx(debug);
  const asked: string[] = [];
  const got = await pullInTurn(ctx, hostOf(ctx, REF), {}, (h: PullHost) => {
    asked.push(h.host.name);
    return h.host.name === "m2.example"
      ? Promise.resolve("from m2")
      : Promise.reject(new Error("down"));
  });
  assert.equal(got, "from m2");
  assert.deepEqual(asked, ["m1.example", "m2.example"]);
  assert.deepEqual(debug, ['Mirror "m1.example" failed']);
});

Deno.test("pullInTurn() throws the registry's own error when every host fails", async () => {
  const ctx = _ctx();
  const upErr = new NotFoundError("not on up");
  await assert.rejects(
    pullInTurn(
      ctx,
      hostOf(ctx, REF),
      {},
      (h) => Promise.reject(h.mirror ? new Error(`${h.host.name} down`) : upErr),
    ),
    (err) => err === upErr,
  );
});

Deno.test("pullInTurn() stops at an abort instead of asking the next host", async () => {
  const ctx = _ctx();
  const asked: string[] = [];
  const aborted = new AbortedError("get manifest");
  await assert.rejects(
    pullInTurn(ctx, hostOf(ctx, REF), {}, (h) => {
      asked.push(h.host.name);
      return Promise.reject(aborted);
    }),
    (err) => err === aborted,
  );
  assert.deepEqual(asked, ["m1.example"]);
  // a pull that fails once the signal is aborted ends the turns with its own error
  const signal = AbortSignal.abort();
  const down = new Error("m1 down");
  asked.length = 0;
  const pull = pullInTurn(ctx, hostOf(ctx, REF), { signal }, (h) => {
    asked.push(h.host.name);
    return Promise.reject(down);
  });
  await assert.rejects(pull, (err) => err === down);
  assert.deepEqual(asked, ["m1.example"]);
});

Deno.test("pullFrom() asks a registry without mirrors alone, as itself", async () => {
  const ctx = { hosts: [{ name: "solo.example", tls: "disabled" }] } as unknown as RegistryContext;
  const asked: PullHost[] = [];
  const got = await pullFrom(ctx, parseRef("solo.example/app:v1"), {}, (h) => {
    asked.push(h);
    return Promise.resolve(1);
  });
  assert.equal(got, 1);
  assert.deepEqual(asked.map((h) => [h.host.name, h.mirror]), [["solo.example", false]]);
});
