/**
 * `ocictl bot once` against CNCF distribution (`docker-registry`) on
 * loopback: retention, promotion, every read call, and every write with and
 * without `--dry-run`.
 */
import {
  checkPromotion,
  checkReads,
  checkRetention,
  checkWrites,
  withBotRegistry,
} from "./_bot_checks.ts";
import { hasDistribution } from "../registry/_distribution.ts";

const ignore = !hasDistribution;

Deno.test({
  name: "bot once on distribution: a retention script keeps the newest tags",
  ignore,
  fn: () => withBotRegistry("distribution", checkRetention),
});

Deno.test({
  name: "bot once on distribution: a promotion script copies images whose label matches",
  ignore,
  fn: () => withBotRegistry("distribution", checkPromotion),
});

Deno.test({
  name: "bot once on distribution: every read call answers as regbot's does",
  ignore,
  fn: () => withBotRegistry("distribution", checkReads),
});

Deno.test({
  name: "bot once on distribution: --dry-run skips every write, then they run for real",
  ignore,
  fn: () => withBotRegistry("distribution", checkWrites),
});
